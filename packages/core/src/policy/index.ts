/** The policy file: schema, validation, profile resolution and `check` warnings. */

export { policyJsonSchema } from "./json-schema.js";
export { type ProfileResolution, resolveProfile } from "./resolve.js";
export { definePolicy, policySchema, type SchemaNode } from "./schema.js";
export {
  type CookieSources,
  formatSettingPath,
  type PolicySources,
  policySources,
  type SettingSource,
} from "./sources.js";
export { parsePolicyText, validatePolicy } from "./validate.js";
export { policyWarnings } from "./warnings.js";
