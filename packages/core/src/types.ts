/**
 * The public vocabulary of the engine: what goes in (a plain request view, a policy)
 * and what comes out (a transport, request and cookie decisions, reports).
 * Nothing here touches a framework object or a `node:` module.
 */

// ---------------------------------------------------------------------------
// Policy vocabulary (the values policy/schema.ts describes)
// ---------------------------------------------------------------------------

export type SecureMode = "always" | "auto" | "never";
export type SameSite = "strict" | "lax" | "none";
export type OnInsecure = "drop" | "error" | "set";
export type Mode = "enforce" | "report-only";
export type LocalhostMode = "insecure" | "secure-context";
export type Priority = "low" | "medium" | "high";

export type ProxyHeader =
  | "forwarded"
  | "x-forwarded-for"
  | "x-forwarded-host"
  | "x-forwarded-proto"
  | "x-forwarded-ssl"
  | "front-end-https"
  | "cf-visitor";

/** `false`, `true`, a hop count, or addresses / CIDR ranges / presets. */
export type TrustSetting = boolean | number | string[];

// ---------------------------------------------------------------------------
// Request view: what an adapter hands the engine
// ---------------------------------------------------------------------------

/**
 * Request headers as the adapter has them: a Node `IncomingHttpHeaders`-like record
 * (lower-case keys; arrays for repeated headers) or anything with a Fetch-style
 * `get(name)` (Fetch `Headers`, Next's `ReadonlyHeaders`). Repeated headers are read
 * as one comma-joined list, as RFC 9110 allows for the list-valued ones.
 */
export type HeadersView =
  | Readonly<Record<string, string | string[] | undefined>>
  | { get(name: string): string | null | undefined };

/** The plain request view the engine decides on. Adapters build one per request. */
export interface PolicyRequest {
  /** Was the socket itself TLS? (Node: `socket.encrypted`; Fetch: `url` starts with https:) */
  readonly encrypted: boolean;
  /** The socket peer address (`socket.remoteAddress`), or `undefined` when the runtime cannot know it. */
  readonly peer: string | undefined;
  readonly headers: HeadersView;
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The request target: path plus query, as received (`req.url` in Node). */
  readonly url: string;
  /**
   * Forwarding headers the runtime itself may have written, from the socket, because the
   * request arrived without them, when the adapter cannot tell them from a client's (Next.js
   * fills x-forwarded-for, -proto and -host). With `proxy.trust: false`, such a header holding
   * exactly what the runtime writes (one address; `http` or `https`; the Host header) is not
   * reported as TRANSPORT_HEADERS_WITHOUT_TRUST: it is no sign of a proxy. Decisions do not
   * change. Omit it when the headers are as they arrived.
   */
  readonly runtimeFilled?: readonly RuntimeFilledHeader[];
}

/** The forwarding headers a runtime may fill in for its own connection (`PolicyRequest.runtimeFilled`). */
export type RuntimeFilledHeader = "x-forwarded-for" | "x-forwarded-proto" | "x-forwarded-host";

// ---------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------

/**
 * Stable reason and diagnostic codes. Adding a code is a minor change; renaming one
 * is a breaking change (users filter on them).
 */
export type ReasonCode =
  // environment / policy
  | "ENV_UNKNOWN"
  | "ENV_DEFAULTED" // no env option, COOKIE_POLICY_ENV or NODE_ENV: production applies
  | "POLICY_TRUST_ALL"
  | "POLICY_LOCALHOST_SECURE_CONTEXT"
  | "STARTUP_TLS_VERIFICATION_DISABLED"
  // transport (diagnostics on Transport)
  | "TRANSPORT_UNTRUSTED_PEER" // forwarding headers from a peer that is not trusted: ignored
  | "TRANSPORT_HEADERS_WITHOUT_TRUST" // forwarding headers arrived while proxy.trust is false
  | "TRANSPORT_PEER_UNKNOWN" // an address list cannot match an unknown peer: headers not believed
  | "TRANSPORT_TRUST_ALL_PUBLIC" // trust: true and the peer is a public address
  | "TRANSPORT_XFP_MISALIGNED"
  | "TRANSPORT_HEADER_CONFLICT"
  | "TRANSPORT_FORWARDED_MALFORMED"
  | "TRANSPORT_XFF_MALFORMED"
  | "TRANSPORT_CHAIN_TOO_LONG" // still trusted after 32 entries: the walk stops, client unknown
  | "TRANSPORT_PROTO_INVALID"
  | "TRANSPORT_HOST_INVALID"
  // cookie decision (reasons on CookieDecision)
  | "SECURE_REQUIRED_MODE" // secure: "always"
  | "SECURE_REQUIRED_PREFIX" // __Secure- / __Host- (and __Http- / __Host-Http-)
  | "SECURE_REQUIRED_SAMESITE_NONE"
  | "SECURE_REQUIRED_PARTITIONED"
  | "SECURE_AUTO" // secure: "auto" followed the transport
  | "SECURE_LOCALHOST_CONTEXT" // localhost: "secure-context" made a localhost request count as secure
  | "INSECURE_TRANSPORT_DROPPED" // onInsecure: "drop"
  | "INSECURE_TRANSPORT_ERROR" // onInsecure: "error"
  | "INSECURE_TRANSPORT_SET" // onInsecure: "set" (the browser will discard it)
  | "SECURE_NEVER_CONFLICT" // secure "never" at the call site with a Secure requirement
  | "CALLSITE_WEAKENING_IGNORED"
  | "DOMAIN_FIXED_BY_RULE"
  | "HOST_PREFIX_CORRECTED" // __Host-: Path forced to /, Domain removed
  | "HTTPONLY_REQUIRED_PREFIX" // __Http- / __Host-Http-
  | "MAXAGE_CAPPED"
  | "COOKIE_NAME_INVALID"
  | "COOKIE_ATTRIBUTE_INVALID"
  | "COOKIE_TOO_LARGE"
  | "CLEAR_SECURE_ON_INSECURE" // clearing a Secure cookie over HTTP: browsers ignore it
  | "REPORT_ONLY"; // mode report-only: the app's own attributes were emitted

export interface Diagnostic {
  readonly code: ReasonCode;
  readonly message: string;
}

/** What `onReport` receives. De-duplicate on `code` + `cookie` (the default reporter does). */
export interface ReportEvent {
  readonly code: ReasonCode;
  readonly message: string;
  /** Cookie name when the event is about one cookie. */
  readonly cookie?: string;
  readonly env: string;
  /** `warn` for misconfiguration and dropped/errored cookies, `info` otherwise. */
  readonly level: "info" | "warn";
}

export type OnReport = (event: ReportEvent) => void;

// ---------------------------------------------------------------------------
// Decisions
// ---------------------------------------------------------------------------

export type TransportSource =
  | "socket"
  | "forwarded"
  | "x-forwarded-proto"
  | "x-forwarded-ssl"
  | "front-end-https"
  | "cf-visitor";

/** One address of the trust walk, peer first (for explanations). */
export interface Hop {
  /** Address or identifier as written (`unknown`, `_hidden`, `203.0.113.7`), or `null` for an unknown peer. */
  readonly address: string | null;
  readonly trusted: boolean;
  /** Where this address came from. */
  readonly from: "socket" | "forwarded" | "x-forwarded-for";
}

/** Who the client is and how the request arrived (SPEC §2.2). A fresh object for each
 * request, for the app to read: the engine keeps what its decisions need, so nothing an app
 * writes to one changes this or another request's decisions. */
export interface Transport {
  readonly protocol: "http" | "https";
  /** protocol === "https" */
  readonly secure: boolean;
  readonly source: TransportSource;
  /** The client address, or null when unknown. */
  readonly clientAddress: string | null;
  /** Request host without port, lower-cased; null when none or invalid. */
  readonly host: string | null;
  /** Port from the host header, if any. */
  readonly port: number | null;
  readonly trustedHops: number;
  /** Host is localhost (§2.2 step 6). */
  readonly localhost: boolean;
  /** Localhost host on a loopback peer with `localhost: "secure-context"`: cookies only may treat it as secure. */
  readonly secureContext: boolean;
  readonly hops: readonly Hop[];
  readonly diagnostics: readonly Diagnostic[];
}

export interface RedirectDecision {
  readonly status: 301 | 302 | 307 | 308;
  readonly location: string;
}

/** A hostile/invalid Host with no `hosts` allow-list: answer 400 with this plain-text body. */
export interface Refusal {
  readonly status: 400;
  readonly body: string;
}

/** Call-site options in the policy's vocabulary (maxAge in seconds). */
export interface CookieOptions {
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: SameSite | boolean;
  path?: string;
  domain?: string;
  /** Seconds. */
  maxAge?: number;
  expires?: Date;
  partitioned?: boolean;
  priority?: Priority;
}

export type CookieAction = "set" | "drop" | "error";

/** The attributes decided for a cookie (the `header` is their serialization). */
export interface CookieAttributes {
  secure: boolean;
  httpOnly: boolean;
  sameSite: SameSite | undefined;
  path: string | undefined;
  domain: string | undefined;
  maxAge: number | undefined;
  expires: Date | undefined;
  partitioned: boolean;
  priority: Priority | undefined;
}

export interface CookieDecision {
  readonly name: string;
  readonly action: CookieAction;
  /** Whether Secure is decided for this cookie, whatever the action. */
  readonly secure: boolean;
  /** The full Set-Cookie value emitted, or null (dropped / error). */
  readonly header: string | null;
  /** The decided attributes (null when the cookie could not be decided, e.g. an invalid name). */
  readonly attributes: CookieAttributes | null;
  readonly reasons: readonly ReasonCode[];
  /** True for clearCookie decisions. */
  readonly clearing: boolean;
  /** report-only: what enforce mode would have done. */
  readonly wouldBe?: {
    readonly action: CookieAction;
    readonly secure: boolean;
    readonly header: string | null;
  };
  /** Set when action is "error": throw it through the framework's error path. */
  readonly error?: CookiePolicyError;
}

/** The `explain --json` object (SPEC §3), also served by the demo's `/explain`. */
export interface ExplainResult {
  env: string;
  mode: Mode;
  transport: {
    protocol: "http" | "https";
    secure: boolean;
    source: TransportSource;
    clientAddress: string | null;
    host: string | null;
    trustedHops: number;
  };
  redirect: RedirectDecision | null;
  hsts: string | null;
  cookies: Array<{
    name: string;
    action: CookieAction;
    secure: boolean;
    header: string | null;
    reasons: ReasonCode[];
    wouldBe?: { action: CookieAction; secure: boolean; header: string | null };
  }>;
  diagnostics: Diagnostic[];
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/** A decision error (`action: "error"`): adapters pass it to the framework's error path. */
export class CookiePolicyError extends Error {
  override readonly name = "CookiePolicyError";
  /** The reason code, e.g. `INSECURE_TRANSPORT_ERROR`, `COOKIE_NAME_INVALID`. */
  readonly code: ReasonCode;
  /** The cookie concerned. */
  readonly cookie: string;
  /** HTTP status frameworks should answer with (500: it is the app's bug, not the client's). */
  readonly status = 500;
  readonly statusCode = 500;
  /** Not for clients' eyes (Koa/http-errors convention). */
  readonly expose = false;
  constructor(code: ReasonCode, cookie: string, message: string) {
    super(message);
    this.code = code;
    this.cookie = cookie;
  }
}

/** One problem found while loading a policy. `path` is a JSON pointer (`/profiles/production/proxy/trust/2`). */
export interface PolicyIssue {
  readonly path: string;
  readonly message: string;
}

/** A policy that cannot be loaded. `issues` has every error, each naming its JSON pointer. */
export class PolicyLoadError extends Error {
  override readonly name = "PolicyLoadError";
  readonly code = "POLICY_INVALID";
  readonly issues: readonly PolicyIssue[];
  constructor(issues: readonly PolicyIssue[], source?: string) {
    super(
      `${source ? `${source}: ` : ""}invalid cookie policy:\n${issues
        .map((i) => `  ${i.path || "/"}: ${i.message}`)
        .join("\n")}`,
    );
    this.issues = issues;
  }
}

// ---------------------------------------------------------------------------
// The policy file (validated against policy/schema.ts, whose description is
// checked at compile time to match exactly these types)
// ---------------------------------------------------------------------------

/** Attributes a policy layer (`defaults`, `sensitive`, a `cookies` rule) may set. */
export interface CookieSettings {
  secure?: SecureMode;
  httpOnly?: boolean;
  sameSite?: SameSite;
  path?: string;
  domain?: string;
  /** Seconds. */
  maxAge?: number;
  partitioned?: boolean;
  priority?: Priority;
  onInsecure?: OnInsecure;
}

export interface CookieRule extends CookieSettings {
  /** true: apply `sensitive`; false: never, whatever the name patterns say. */
  sensitive?: boolean;
}

export interface SensitiveSettings extends CookieSettings {
  /** Case-insensitive substrings of cookie names that make a cookie sensitive. */
  patterns?: string[];
}

export interface RedirectSettings {
  status?: 301 | 302 | 307 | 308;
  /** Allowed hosts: exact names or `*.example.com` (any depth of subdomain, not the apex). */
  hosts?: string[];
  /** Exact paths, or prefixes ending in `*`. */
  exclude?: string[];
  /** HTTPS port written into Location when not 443. */
  port?: number;
}

export interface HstsSettings {
  maxAge?: number;
  includeSubDomains?: boolean;
  preload?: boolean;
}

export interface ProfileSettings {
  /** Name of a profile of this file (or built in) to inherit from. */
  extends?: string;
  proxy?: { trust?: TrustSetting; headers?: ProxyHeader[] };
  https?: { redirect?: boolean | RedirectSettings; hsts?: boolean | HstsSettings };
  localhost?: LocalhostMode;
  mode?: Mode;
  defaults?: CookieSettings;
  sensitive?: SensitiveSettings;
  /** Exact names or globs (`*` any run of characters) → rule. */
  cookies?: Record<string, CookieRule>;
}

/** The whole `cookie-policy.json`. */
export interface PolicyFile extends Omit<ProfileSettings, "extends"> {
  $schema?: string;
  profiles?: Record<string, ProfileSettings>;
}

/**
 * A policy as TypeScript types an imported JSON file (`import policy from
 * "./cookie-policy.json"`): its strings are `string` and its numbers `number`, not the
 * literals PolicyFile names. `config` takes it without a cast; the engine validates it at
 * run time like any policy object. Hand-written policies keep `definePolicy`'s strict type.
 */
export type PolicyJson = Widened<PolicyFile>;

/** `T` with string and number literals widened, as TypeScript types a JSON file. */
type Widened<T> = T extends string
  ? string
  : T extends number
    ? number
    : T extends boolean | null | undefined
      ? T
      : T extends readonly (infer U)[]
        ? readonly Widened<U>[]
        : { [K in keyof T]?: Widened<T[K]> };

/** The active profile after merging (SPEC §2.1): every key present. */
export interface ResolvedProfile {
  proxy: { trust: TrustSetting; headers: ProxyHeader[] };
  https: {
    /** `true` in the file becomes `{ status: 308, hosts: [], exclude: [], port: 443 }`. */
    redirect:
      | false
      | { status: 301 | 302 | 307 | 308; hosts: string[]; exclude: string[]; port: number };
    /** `true` in the file becomes `{ maxAge: 31536000, includeSubDomains: false, preload: false }`. */
    hsts: false | { maxAge: number; includeSubDomains: boolean; preload: boolean };
  };
  localhost: LocalhostMode;
  mode: Mode;
  defaults: CookieSettings &
    Required<Pick<CookieSettings, "secure" | "httpOnly" | "sameSite" | "path" | "onInsecure">>;
  sensitive: SensitiveSettings &
    Required<Pick<SensitiveSettings, "secure" | "httpOnly" | "sameSite" | "patterns">>;
  cookies: Record<string, CookieRule>;
}

// ---------------------------------------------------------------------------
// The engine (engine.ts) as adapters use it
// ---------------------------------------------------------------------------

export interface EngineOptions {
  /** Profile name; else COOKIE_POLICY_ENV, NODE_ENV, "production". */
  env?: string;
  /** Overrides the profile's `mode`. */
  mode?: Mode;
  /** Receives every report; default: one console.warn per distinct code + cookie. */
  onReport?: OnReport;
}

/** The options every adapter takes (SPEC §4): the engine's, plus where the policy comes from. */
export interface AdapterOptions extends EngineOptions {
  /**
   * A path to the policy file (Node only; default `cookie-policy.json` in the cwd) or the
   * policy object, also as imported from JSON (validated when the policy is compiled).
   */
  config?: string | PolicyJson;
}

/** A compiled policy for one profile. Create once at start-up; share across requests. */
export interface CookiePolicy {
  /** The profile applied (production when the requested one is unknown). */
  readonly env: string;
  /** The profile asked for. */
  readonly requestedEnv: string;
  readonly mode: Mode;
  readonly profile: ResolvedProfile;
  /** Load-time diagnostics (ENV_UNKNOWN, ...). */
  readonly diagnostics: readonly Diagnostic[];
  /** Decide one request: transport, redirect/refusal, HSTS. Reports run-time misconfiguration. */
  decideRequest(req: PolicyRequest): RequestContext;
}

/** Meta a Node adapter may pass with a call site. */
export interface SetCookieMeta {
  /** Value encoder (default `encodeURIComponent`, as `cookie`, Express, Fastify and Hono do). */
  encode?: (value: string) => string;
}

/** One request's decisions. Adapters attach it to the request (`req.cookiePolicy`). */
export interface RequestContext {
  readonly policy: CookiePolicy;
  readonly transport: Transport;
  readonly redirect: RedirectDecision | null;
  /** Answer with this refusal instead of the app, or null. */
  readonly reject: Refusal | null;
  readonly hsts: string | null;
  /** Every cookie decided so far on this request, in order; frozen (copy it to change it). */
  readonly decisions: readonly CookieDecision[];
  /** Decide a cookie the app sets with these call-site options. */
  setCookie(
    name: string,
    value: string,
    options?: CookieOptions,
    meta?: SetCookieMeta,
  ): CookieDecision;
  /** Decide the clearing of a cookie (empty value, expired). */
  clearCookie(name: string, options?: CookieOptions): CookieDecision;
  /**
   * Re-decide a Set-Cookie line the app (or the framework) already wrote; attributes present
   * are the call-site options. A line this context itself decided comes back as that
   * decision, not decided or recorded again.
   */
  decideWrittenLine(header: string): CookieDecision;
  /** The `explain --json` object for this request and the cookies decided so far. */
  explain(): ExplainResult;
}
