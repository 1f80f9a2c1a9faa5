/**
 * The policy schema as JSON Schema (draft 2020-12): what scripts/gen-schema.mjs writes
 * to `schema.json`, so editors complete and check `cookie-policy.json` through
 * `"$schema"`. Rules a pattern cannot say (IP ranges, host names) are left to the
 * validator; every object is closed, as the validator rejects unknown keys.
 */
import { policySchema, type SchemaNode } from "./schema.js";

type JsonSchema = { [keyword: string]: unknown };

function toJsonSchema(node: SchemaNode): JsonSchema {
  const out = ((): JsonSchema => {
    switch (node.kind) {
      case "boolean":
        return { type: "boolean" };
      case "string":
        return {
          type: "string",
          ...(node.minLength !== undefined && { minLength: node.minLength }),
          ...(node.pattern && { pattern: node.pattern.source }),
        };
      case "integer":
        return { type: "integer", minimum: node.min, maximum: node.max };
      case "enum":
        return { type: typeof node.values[0], enum: [...node.values] };
      case "array":
        return { type: "array", items: toJsonSchema(node.items) };
      case "object":
        return {
          type: "object",
          properties: Object.fromEntries(
            Object.entries(node.properties).map(([key, value]) => [key, toJsonSchema(value)]),
          ),
          additionalProperties: false,
        };
      case "record":
        return {
          type: "object",
          propertyNames: toJsonSchema(node.keys),
          additionalProperties: toJsonSchema(node.values),
        };
      case "union":
        return { anyOf: node.options.map(toJsonSchema) };
    }
  })();
  if (node.description !== undefined) out.description = node.description;
  return out;
}

/** `schema.json`'s content. */
export function policyJsonSchema(): JsonSchema {
  const { description, ...rest } = toJsonSchema(policySchema);
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: policySchema.title,
    description,
    ...rest,
  };
}
