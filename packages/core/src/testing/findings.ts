import type { ReasonCode } from "../types.js";

/** Stable codes of what `expectPolicyCompliance` and `cookie-policy audit` find. */
export type FindingCode =
  | "SET_COOKIE_UNPARSEABLE" // a Set-Cookie line without name=value
  | "COOKIE_NOT_ALLOWED" // the policy keeps this cookie off this request (it requires Secure over HTTP)
  | "COOKIE_INVALID" // name, value, size or an attribute the engine refuses
  | "SECURE_MISSING"
  | "HTTPONLY_MISSING"
  | "SAMESITE_WEAK"
  | "PATH_MISMATCH"
  | "DOMAIN_MISMATCH"
  | "LIFETIME_TOO_LONG" // Max-Age / Expires beyond the policy or the 400-day cap
  | "PARTITIONED_MISSING"
  | "PRIORITY_MISMATCH"
  | "HSTS_MISSING"
  | "HSTS_WEAK"
  | "HSTS_INVALID"
  | "HSTS_ON_HTTP"
  | "HSTS_ON_LOCALHOST"
  | "REDIRECT_MISSING";

export interface Finding {
  readonly code: FindingCode;
  /** The cookie concerned; null for HSTS and redirect findings. */
  readonly cookie: string | null;
  /** `Secure`, `SameSite`, `Max-Age`, `Strict-Transport-Security`, `Location`, ... */
  readonly attribute: string | null;
  readonly expected: string;
  readonly actual: string;
  /** The policy rule or invariant that asks for `expected`. */
  readonly rule: string | null;
  /** The engine's reason code behind it, when one says it (e.g. `HOST_PREFIX_CORRECTED`). */
  readonly reason: ReasonCode | null;
  /** One line: `cookie "sessionId": expected Secure (policy rule "sensitive": secure "always"), got none`. */
  readonly message: string;
}
