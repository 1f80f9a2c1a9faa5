/**
 * Does a response comply with the policy? Each Set-Cookie line is re-decided by the engine
 * for the same request, the app's attributes taken as call-site options: a compliant
 * cookie comes back unchanged, anything the engine would add, tighten or refuse is a
 * finding. HSTS and the HTTPS redirect are judged the same way. Used by
 * `expectPolicyCompliance` (testing entry) and `cookie-policy audit` (CLI).
 */
import { SAMESITE_RANK } from "../cookie/decide.js";
import { type ParsedSetCookie, parseSetCookie } from "../cookie/parse.js";
import { createCookiePolicy } from "../engine.js";
import { readPolicyFile } from "../policy/file.js";
import type {
  CookieDecision,
  CookiePolicy,
  PolicyFile,
  PolicyRequest,
  ReasonCode,
  RedirectDecision,
  SameSite,
} from "../types.js";
import type { Finding, FindingCode } from "./findings.js";
import { judgeHsts } from "./hsts.js";
import { type ResponseLike, responseHeader, responseStatus, setCookieLines } from "./response.js";
import { RuleNames } from "./rule-names.js";

/** The request the response answered, as the policy should see it. */
export interface JudgedRequest {
  /** Full URL: its scheme is the socket's (http/https), its host the Host header. */
  readonly url: string | URL;
  /** Default GET. */
  readonly method?: string;
  /** The socket peer address; default unknown (as `cookie-policy explain`). */
  readonly peer?: string;
  /** Extra request headers (e.g. `x-forwarded-proto` when simulating a proxy). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** What was observed on the response. */
export interface ObservedResponse {
  readonly status?: number;
  readonly setCookie: readonly string[];
  /** The Strict-Transport-Security value; null when absent, undefined when not observed (raw lines). */
  readonly hsts?: string | null;
  readonly location?: string;
}

export interface ComplianceReport {
  /** The profile applied. */
  readonly env: string;
  readonly method: string;
  readonly url: string;
  readonly transport: {
    readonly protocol: "http" | "https";
    readonly secure: boolean;
    readonly host: string | null;
  };
  readonly hsts: { readonly expected: string | null; readonly actual: string | null };
  readonly redirect: RedirectDecision | null;
  readonly cookies: ReadonlyArray<{
    readonly name: string;
    /** The Set-Cookie line the response sent. */
    readonly header: string;
    /** What the policy emits for it, or null (dropped / refused). */
    readonly expected: string | null;
    readonly findings: number;
  }>;
  readonly findings: readonly Finding[];
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const LABEL: Record<SameSite, string> = { strict: "Strict", lax: "Lax", none: "None" };

/** The engine's request view for a URL (no socket: the scheme stands for it). */
function policyRequest(request: JudgedRequest): { req: PolicyRequest; url: URL } {
  const url = new URL(String(request.url));
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new TypeError(`url must be http: or https:, got ${url.protocol}`);
  const headers: Record<string, string> = { host: url.host };
  for (const [name, value] of Object.entries(request.headers ?? {}))
    headers[name.toLowerCase()] = value;
  return {
    url,
    req: {
      encrypted: url.protocol === "https:",
      peer: request.peer,
      headers,
      method: (request.method ?? "GET").toUpperCase(),
      url: `${url.pathname}${url.search}`,
    },
  };
}

function firstReason(d: CookieDecision, candidates: readonly ReasonCode[]): ReasonCode | null {
  return candidates.find((c) => d.reasons.includes(c)) ?? null;
}

function lifetime(o: ParsedSetCookie["options"]): string {
  if (o.maxAge !== undefined) return `Max-Age=${o.maxAge}`;
  if (o.expires !== undefined) return `Expires=${o.expires.toUTCString()}`;
  return "none (a session cookie)";
}

function sameDomain(a: string | undefined, b: string | undefined): boolean {
  const norm = (d: string | undefined) =>
    d === undefined || d === "" ? "" : d.replace(/^\./, "").toLowerCase();
  return norm(a) === norm(b);
}

/** Every difference between what the app sent and what the engine decides for it. */
function compareCookie(
  parsed: ParsedSetCookie,
  line: string,
  d: CookieDecision,
  rules: RuleNames,
): Finding[] {
  const findings: Finding[] = [];
  const add = (
    code: FindingCode,
    attribute: string | null,
    expected: string,
    rule: string | null,
    actual: string,
    reason: ReasonCode | null,
  ) =>
    findings.push({
      code,
      cookie: d.name,
      attribute,
      expected,
      actual,
      rule,
      reason,
      message: `cookie ${JSON.stringify(d.name)}: expected ${expected}${rule === null ? "" : ` (${rule})`}, got ${actual}`,
    });
  /** An attribute the app wrote as `Label=actual` (or not at all) where the policy decides `Label=expected`. */
  const differs = (
    code: FindingCode,
    label: string,
    key: "sameSite" | "path" | "priority",
    expected: string,
    actual: string | undefined,
    reason: ReasonCode | null,
  ) =>
    add(
      code,
      label,
      `${label}=${expected}`,
      rules.attribute(d, key),
      actual === undefined ? "none" : `${label}=${actual}`,
      reason,
    );

  if (d.action === "drop" || d.reasons.includes("INSECURE_TRANSPORT_ERROR")) {
    add(
      "COOKIE_NOT_ALLOWED",
      "Secure",
      "no Set-Cookie on an insecure request",
      rules.insecure(d),
      line,
      firstReason(d, ["INSECURE_TRANSPORT_DROPPED", "INSECURE_TRANSPORT_ERROR"]),
    );
    return findings;
  }
  if (d.action === "error" || d.attributes === null) {
    const why = d.error?.message.replace(/^cookie "[^"]*": /, "") ?? "refused by the engine";
    add(
      "COOKIE_INVALID",
      null,
      "a cookie the engine accepts",
      `invariant: ${why}`,
      line,
      d.error?.code ?? null,
    );
    return findings;
  }

  const a = d.attributes;
  const o = parsed.options;
  // A clearing only has to name the same cookie (Path, Domain, Partitioned): the attributes
  // that protect a value protect nothing on an empty one that expires at once.
  if (!d.clearing) {
    if (a.secure && o.secure !== true)
      add(
        "SECURE_MISSING",
        "Secure",
        "Secure",
        rules.secure(d),
        "none",
        firstReason(d, [
          "SECURE_REQUIRED_MODE",
          "SECURE_REQUIRED_PREFIX",
          "SECURE_REQUIRED_SAMESITE_NONE",
          "SECURE_REQUIRED_PARTITIONED",
          "SECURE_AUTO",
        ]),
      );
    if (a.httpOnly && o.httpOnly !== true)
      add(
        "HTTPONLY_MISSING",
        "HttpOnly",
        "HttpOnly",
        rules.httpOnly(d),
        "none",
        firstReason(d, ["HTTPONLY_REQUIRED_PREFIX"]),
      );
    const actualSameSite = typeof o.sameSite === "string" ? o.sameSite : undefined;
    if (
      a.sameSite !== undefined &&
      SAMESITE_RANK[a.sameSite] > (actualSameSite ? SAMESITE_RANK[actualSameSite] : 0)
    )
      differs(
        "SAMESITE_WEAK",
        "SameSite",
        "sameSite",
        LABEL[a.sameSite],
        actualSameSite && LABEL[actualSameSite],
        firstReason(d, ["CALLSITE_WEAKENING_IGNORED"]),
      );
  }
  if (a.path !== undefined && a.path !== o.path)
    differs(
      "PATH_MISMATCH",
      "Path",
      "path",
      a.path,
      o.path,
      firstReason(d, ["HOST_PREFIX_CORRECTED"]),
    );
  if (!sameDomain(a.domain, o.domain))
    add(
      "DOMAIN_MISMATCH",
      "Domain",
      a.domain === undefined ? "no Domain" : `Domain=${a.domain}`,
      rules.attribute(d, "domain"),
      o.domain === undefined ? "none" : `Domain=${o.domain}`,
      firstReason(d, ["HOST_PREFIX_CORRECTED", "DOMAIN_FIXED_BY_RULE"]),
    );
  if (!d.clearing) {
    const reason = firstReason(d, ["MAXAGE_CAPPED", "CALLSITE_WEAKENING_IGNORED"]);
    if (a.maxAge !== undefined && o.maxAge !== a.maxAge)
      add(
        "LIFETIME_TOO_LONG",
        "Max-Age",
        `Max-Age=${a.maxAge} at most`,
        rules.attribute(d, "maxAge"),
        lifetime(o),
        reason,
      );
    else if (
      a.expires !== undefined &&
      (o.expires === undefined || Math.abs(o.expires.getTime() - a.expires.getTime()) > 1000)
    )
      add(
        "LIFETIME_TOO_LONG",
        "Expires",
        `Expires=${a.expires.toUTCString()} at the latest`,
        rules.attribute(d, "maxAge"),
        lifetime(o),
        reason,
      );
    if (a.priority !== undefined && a.priority !== o.priority?.toLowerCase())
      differs("PRIORITY_MISMATCH", "Priority", "priority", a.priority, o.priority, null);
  }
  if (a.partitioned && o.partitioned !== true)
    add(
      "PARTITIONED_MISSING",
      "Partitioned",
      "Partitioned",
      rules.attribute(d, "partitioned"),
      "none",
      null,
    );
  return findings;
}

/**
 * Judges an observed response against a compiled policy, for the request it answered.
 * The policy should be compiled in enforce mode (report-only would accept anything).
 */
export function judgeResponse(
  policy: CookiePolicy,
  request: JudgedRequest,
  response: ObservedResponse,
): ComplianceReport {
  const { req, url } = policyRequest(request);
  const ctx = policy.decideRequest(req);
  const rules = new RuleNames(policy.profile);
  const findings: Finding[] = [];
  const cookies: Array<ComplianceReport["cookies"][number]> = [];

  for (const line of response.setCookie) {
    const parsed = parseSetCookie(line);
    if (parsed === null) {
      findings.push({
        code: "SET_COOKIE_UNPARSEABLE",
        cookie: null,
        attribute: null,
        expected: "name=value",
        actual: line,
        rule: "RFC 6265",
        reason: null,
        message: `Set-Cookie: expected name=value (RFC 6265), got ${JSON.stringify(line)}`,
      });
      continue;
    }
    const d = ctx.decideWrittenLine(line);
    const found = compareCookie(parsed, line, d, rules);
    findings.push(...found);
    cookies.push({ name: parsed.name, header: line, expected: d.header, findings: found.length });
  }

  if (ctx.redirect !== null && response.status !== undefined) {
    const location = response.location;
    if (!REDIRECT_STATUSES.has(response.status) || !/^https:\/\//i.test(location ?? "")) {
      const expected = `${ctx.redirect.status} to ${ctx.redirect.location}`;
      const actual = `${response.status}${location ? ` to ${location}` : ""}`;
      findings.push({
        code: "REDIRECT_MISSING",
        cookie: null,
        attribute: "Location",
        expected,
        actual,
        rule: "policy https.redirect",
        reason: null,
        message: `redirect: expected ${expected} (policy https.redirect), got ${actual}`,
      });
    }
  }
  if (response.hsts !== undefined)
    findings.push(...judgeHsts(ctx.hsts, response.hsts ?? undefined, ctx.transport));

  return {
    env: policy.env,
    method: req.method,
    url: url.href,
    transport: {
      protocol: ctx.transport.protocol,
      secure: ctx.transport.secure,
      host: ctx.transport.host,
    },
    hsts: { expected: ctx.hsts, actual: response.hsts ?? null },
    redirect: ctx.redirect,
    cookies,
    findings,
  };
}

// ---------------------------------------------------------------------------
// The testing entry's API
// ---------------------------------------------------------------------------

export interface ComplianceOptions extends JudgedRequest {
  /**
   * The policy: an object (the parsed `cookie-policy.json`, or `definePolicy({...})`) or a
   * path to the file. A path is read synchronously through `process.getBuiltinModule`
   * (Node ≥ 20.16) without importing `node:` modules; elsewhere pass the object.
   * Default: `cookie-policy.json` in the working directory, as the adapters do.
   */
  readonly config?: string | PolicyFile;
  /** Profile name; else COOKIE_POLICY_ENV, NODE_ENV, production (as the adapters). */
  readonly env?: string;
}

type Builtins = {
  "node:fs": { readFileSync(path: string): Uint8Array };
  "node:path": { resolve(path: string): string };
};

/** Core's policy-file reader, on the file system Node offers without importing `node:`. */
function loadPolicyFile(path: string): PolicyFile {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const builtin = <K extends keyof Builtins>(id: K) =>
    proc?.getBuiltinModule?.(id) as Builtins[K] | undefined;
  const fs = builtin("node:fs");
  const paths = builtin("node:path");
  if (fs === undefined || paths === undefined)
    throw new Error(
      `cookie policy "${path}": a path can only be read on Node >= 20.16; pass the policy object as \`config\``,
    );
  return readPolicyFile(paths.resolve(path), (file) => fs.readFileSync(file));
}

function compile(options: ComplianceOptions): CookiePolicy {
  const config = options.config ?? "cookie-policy.json";
  const file = typeof config === "string" ? loadPolicyFile(config) : config;
  // Enforce mode: the question is what the policy demands, whatever the app runs in.
  return createCookiePolicy(file, { env: options.env, mode: "enforce", onReport: () => {} });
}

/** Checks every cookie (and HSTS / redirect) of `response` against the policy; never throws on findings. */
export function checkPolicyCompliance(
  response: ResponseLike,
  options: ComplianceOptions,
): ComplianceReport {
  if (options === null || typeof options !== "object" || options.url === undefined)
    throw new TypeError("checkPolicyCompliance(response, { url, config? }): `url` is required");
  const location = responseHeader(response, "location");
  // Raw Set-Cookie lines carry no other header: HSTS and the redirect are then not judged.
  const raw = typeof response === "string" || Array.isArray(response);
  return judgeResponse(compile(options), options, {
    status: responseStatus(response),
    setCookie: setCookieLines(response),
    ...(raw ? {} : { hsts: responseHeader(response, "strict-transport-security") ?? null }),
    ...(location === undefined ? {} : { location }),
  });
}

/**
 * Throws a plain `Error` listing every finding when `response` does not comply with the
 * policy for a request to `url`; returns the report otherwise.
 *
 * ```ts
 * expectPolicyCompliance(res, { config: "cookie-policy.json", url: "https://example.com/login" });
 * ```
 */
export function expectPolicyCompliance(
  response: ResponseLike,
  options: ComplianceOptions,
): ComplianceReport {
  const report = checkPolicyCompliance(response, options);
  if (report.findings.length > 0)
    throw new Error(
      `response to ${report.method} ${report.url} does not comply with the cookie policy (profile "${report.env}"):\n${report.findings
        .map((f) => `  ${f.message}`)
        .join("\n")}`,
    );
  return report;
}
