import type { OnReport, ReasonCode, ReportEvent } from "./types.js";

/** Distinct code + cookie pairs remembered; past this the default reporter stays quiet. */
const SEEN_LIMIT = 1000;

/**
 * The default `onReport`: one `console.warn` per distinct code and cookie name, never one
 * per request. The set is bounded so a stream of arbitrary cookie names cannot grow it.
 */
export function defaultReporter(): OnReport {
  const seen = new Set<string>();
  return (event) => {
    const key = `${event.code}\u0000${event.cookie ?? ""}`;
    if (seen.has(key) || seen.size >= SEEN_LIMIT) return;
    seen.add(key);
    const about = event.cookie === undefined ? "" : ` cookie "${event.cookie}":`;
    console.warn(`[cookie-policy] ${event.code} (${event.env}):${about} ${event.message}`);
  };
}

/** Codes that are misconfiguration or lost cookies: `warn`; the rest are `info`. */
const INFO_CODES: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  "MAXAGE_CAPPED",
  "HOST_PREFIX_CORRECTED",
  "HTTPONLY_REQUIRED_PREFIX",
  "CLEAR_SECURE_ON_INSECURE",
  "REPORT_ONLY",
  "POLICY_LOCALHOST_SECURE_CONTEXT",
]);

/** Reasons worth telling someone about; routine ones (SECURE_AUTO, SECURE_REQUIRED_*) are not. */
export const NOTABLE_REASONS: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  "INSECURE_TRANSPORT_DROPPED",
  "INSECURE_TRANSPORT_ERROR",
  "INSECURE_TRANSPORT_SET",
  "SECURE_NEVER_CONFLICT",
  "CALLSITE_WEAKENING_IGNORED",
  "DOMAIN_FIXED_BY_RULE",
  "HOST_PREFIX_CORRECTED",
  "HTTPONLY_REQUIRED_PREFIX",
  "MAXAGE_CAPPED",
  "COOKIE_NAME_INVALID",
  "COOKIE_ATTRIBUTE_INVALID",
  "COOKIE_TOO_LARGE",
  "CLEAR_SECURE_ON_INSECURE",
]);

/**
 * Whether any of a decision's reasons is notable (a routine decision reports nothing). A
 * plain loop: a request sets several cookies, so remembering the last quiet list missed on
 * every other cookie and cost more than the lookups it saved.
 */
export function anyNotable(reasons: readonly ReasonCode[]): boolean {
  for (let i = 0; i < reasons.length; i++)
    if (NOTABLE_REASONS.has(reasons[i] as ReasonCode)) return true;
  return false;
}

export function reportEvent(
  code: ReasonCode,
  message: string,
  env: string,
  cookie?: string,
): ReportEvent {
  const level = INFO_CODES.has(code) ? "info" : "warn";
  return cookie === undefined
    ? { code, message, env, level }
    : { code, message, env, cookie, level };
}

/** One plain sentence per code, for reports and explanations (the README's table says the same). */
const REASON_TEXT: Record<ReasonCode, string> = {
  ENV_UNKNOWN: "the requested profile does not exist; production applies (fail-closed)",
  ENV_DEFAULTED:
    "no profile was chosen (env option, COOKIE_POLICY_ENV, NODE_ENV): production applies",
  POLICY_TRUST_ALL: "proxy.trust is true: every hop is believed",
  POLICY_LOCALHOST_SECURE_CONTEXT:
    'localhost: "secure-context": localhost on a loopback peer counts as secure for cookies (Chromium, Firefox; not always Safari)',
  STARTUP_TLS_VERIFICATION_DISABLED: "TLS certificate verification is disabled in this process",
  TRANSPORT_UNTRUSTED_PEER: "forwarding headers came from a peer that is not trusted: ignored",
  TRANSPORT_HEADERS_WITHOUT_TRUST: "forwarding headers arrived while proxy.trust is false: ignored",
  TRANSPORT_PEER_UNKNOWN: "the peer address is unknown, so an address list cannot trust it",
  TRANSPORT_TRUST_ALL_PUBLIC: "proxy.trust is true and the peer is a public address",
  TRANSPORT_XFP_MISALIGNED: "X-Forwarded-Proto has fewer values than trusted hops",
  TRANSPORT_HEADER_CONFLICT:
    "trusted forwarding headers disagree: the socket's transport and the peer's address stand",
  TRANSPORT_FORWARDED_MALFORMED:
    "the Forwarded header does not parse where the walk reads it: client unknown, the socket's protocol stands",
  TRANSPORT_XFF_MALFORMED:
    "X-Forwarded-For has an entry the walk reaches that is not an IP address: client unknown",
  TRANSPORT_CHAIN_TOO_LONG:
    "the forwarding chain is still trusted after 32 entries: client unknown",
  TRANSPORT_PROTO_INVALID:
    "a believed forwarded protocol is neither http nor https: the socket's protocol stands",
  TRANSPORT_HOST_INVALID: "the request host is not a valid host name or IP literal",
  SECURE_REQUIRED_MODE: 'secure is "always" (policy or call site)',
  SECURE_REQUIRED_PREFIX: "the name's prefix (__Secure-, __Host-, __Http-) requires Secure",
  SECURE_REQUIRED_SAMESITE_NONE: "SameSite=None requires Secure",
  SECURE_REQUIRED_PARTITIONED: "Partitioned requires Secure",
  SECURE_AUTO: 'secure "auto" followed the transport',
  SECURE_LOCALHOST_CONTEXT: "a localhost secure context counts as secure for this cookie",
  INSECURE_TRANSPORT_DROPPED:
    "requires Secure but the transport is HTTP: not sent (onInsecure: drop)",
  INSECURE_TRANSPORT_ERROR: "requires Secure but the transport is HTTP (onInsecure: error)",
  INSECURE_TRANSPORT_SET:
    "requires Secure but the transport is HTTP: sent with Secure anyway, the browser will discard it (onInsecure: set)",
  SECURE_NEVER_CONFLICT: 'secure "never" conflicts with a cookie that requires Secure',
  CALLSITE_WEAKENING_IGNORED:
    "the call site tried to weaken the policy; the policy's value was kept",
  DOMAIN_FIXED_BY_RULE: "the matching rule fixes Domain; the call site's Domain was ignored",
  HOST_PREFIX_CORRECTED: "__Host- cookies need Path=/ and no Domain: corrected",
  HTTPONLY_REQUIRED_PREFIX: "__Http- / __Host-Http- cookies need HttpOnly: added",
  MAXAGE_CAPPED: "lifetime above 400 days capped (browsers cap it)",
  COOKIE_NAME_INVALID: "the name is not an RFC 6265 token",
  COOKIE_ATTRIBUTE_INVALID:
    "a call-site option has the wrong type or is outside its grammar, or the value cannot be encoded",
  COOKIE_TOO_LARGE: "name and value exceed 4096 octets",
  CLEAR_SECURE_ON_INSECURE:
    "clearing a Secure cookie over HTTP: browsers ignore it (leave secure cookies alone)",
  REPORT_ONLY: "report-only mode: the app's own attributes were emitted",
};

export function describeReason(code: ReasonCode): string {
  return REASON_TEXT[code];
}

/**
 * Start-up report when nothing chose a profile: production then applies, and its cookies
 * that require Secure are dropped on http://localhost, which is what a developer trying
 * the app locally sees first.
 */
export function envDefaulted(env: string): ReportEvent {
  return reportEvent(
    "ENV_DEFAULTED",
    `no profile was chosen (no env option, COOKIE_POLICY_ENV or NODE_ENV), so the "${env}" profile applies: cookies that require Secure are dropped on plain http://, localhost included. While developing, run with NODE_ENV=development (or pass env: "development")`,
    env,
  );
}
