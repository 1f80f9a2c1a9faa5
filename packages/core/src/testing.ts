/**
 * @scope/cookie-core/testing: assertions for users' own test suites (vitest, jest,
 * node:test alike). Imports nothing from `node:`; failures throw a plain `Error` whose
 * message names the cookie, the attribute and the rule.
 */
export {
  type ComplianceOptions,
  type ComplianceReport,
  checkPolicyCompliance,
  expectPolicyCompliance,
  type JudgedRequest,
} from "./testing/compliance.js";
export { CookieExpectation, expectCookie, type SameSiteValue } from "./testing/expect-cookie.js";
export type { Finding, FindingCode } from "./testing/findings.js";
export type { ResponseLike } from "./testing/response.js";
