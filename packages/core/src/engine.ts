import {
  type CookieTransport,
  cutWrittenLine,
  decideAsWritten,
  decideCookie,
  type Encode,
  isClearing,
  rememberedLineDecision,
  rememberLineDecision,
} from "./cookie/decide.js";
import { parseSetCookie } from "./cookie/parse.js";
import { compilePlans, type PlanLookup } from "./cookie/plan.js";
import { resolveProfile, validatePolicy } from "./policy/index.js";
import { chosenEnvName } from "./policy/resolve.js";
import {
  anyNotable,
  defaultReporter,
  describeReason,
  envDefaulted,
  NOTABLE_REASONS,
  reportEvent,
} from "./report.js";
import { compileHsts, type HstsRule } from "./request/hsts.js";
import { compileRedirect, type RedirectRule } from "./request/redirect.js";
import { compileTrust } from "./transport/index.js";
import { compileTransport } from "./transport/walk.js";
import type {
  CookieDecision,
  CookieOptions,
  CookiePolicy,
  Diagnostic,
  EngineOptions,
  ExplainResult,
  Mode,
  OnReport,
  PolicyFile,
  PolicyRequest,
  RedirectDecision,
  Refusal,
  RequestContext,
  ResolvedProfile,
  SetCookieMeta,
  Transport,
} from "./types.js";

/** What one compiled policy shares with every request. */
interface Compiled {
  readonly policy: CookiePolicy;
  readonly env: string;
  readonly reportOnly: boolean;
  readonly onReport: OnReport;
  readonly planFor: PlanLookup;
  readonly transportFor: (req: PolicyRequest) => Transport;
  readonly redirect: RedirectRule | null;
  readonly hsts: HstsRule | null;
}

const NO_DECISIONS: readonly CookieDecision[] = Object.freeze([]);

/**
 * The three transport states a cookie decision reads (`CookieTransport`), frozen and shared:
 * the app gets the request's transport to read, and nothing it writes there reaches a cookie.
 */
const INSECURE: CookieTransport = Object.freeze({ secure: false, secureContext: false });
const SECURE: CookieTransport = Object.freeze({ secure: true, secureContext: false });
const SECURE_CONTEXT: CookieTransport = Object.freeze({ secure: false, secureContext: true });
const AS_WRITTEN: Encode = (value) => value;

/** Freezes a tree of plain objects and arrays (the policy's own copy: nothing else holds it). */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

class Context implements RequestContext {
  readonly policy: CookiePolicy;
  readonly transport: Transport;
  readonly redirect: RedirectDecision | null;
  readonly reject: Refusal | null;
  readonly hsts: string | null;
  readonly #c: Compiled;
  /** What this request's cookie decisions read of its transport. */
  readonly #cookieTransport: CookieTransport;
  /**
   * The record, in order; later calls read it (a line this request wrote comes back as its
   * decision, `explain` lists it). Once `decisions` hands it out it is frozen, and the next
   * decision goes into a copy: an app reads the record, never changes it, and a request
   * that never reads it pays nothing.
   */
  #decisions: CookieDecision[] | null = null;
  #handedOut = false;

  constructor(c: Compiled, req: PolicyRequest) {
    this.#c = c;
    this.policy = c.policy;
    const transport = c.transportFor(req);
    this.transport = transport;
    this.#cookieTransport = transport.secure
      ? SECURE
      : transport.secureContext
        ? SECURE_CONTEXT
        : INSECURE;
    if (transport.diagnostics.length > 0)
      for (const d of transport.diagnostics) c.onReport(reportEvent(d.code, d.message, c.env));
    const outcome = c.redirect === null ? null : c.redirect(transport, req.method, req.url);
    const hsts = c.hsts === null ? null : c.hsts(transport);
    if (c.reportOnly) {
      // Report-only never changes a response: no redirect, refusal or HSTS, only reports.
      this.redirect = null;
      this.reject = null;
      this.hsts = null;
      if (outcome?.redirect)
        c.onReport(
          reportEvent(
            "REPORT_ONLY",
            `would redirect (${outcome.redirect.status}) to ${outcome.redirect.location}`,
            c.env,
          ),
        );
      if (outcome?.reject)
        c.onReport(reportEvent("REPORT_ONLY", "would refuse the request: invalid Host", c.env));
      if (hsts !== null)
        c.onReport(
          reportEvent("REPORT_ONLY", `would send Strict-Transport-Security: ${hsts}`, c.env),
        );
    } else {
      this.redirect = outcome === null ? null : outcome.redirect;
      this.reject = outcome === null ? null : outcome.reject;
      this.hsts = hsts;
    }
  }

  get decisions(): readonly CookieDecision[] {
    const decisions = this.#decisions;
    if (decisions === null) return NO_DECISIONS;
    if (!this.#handedOut) {
      Object.freeze(decisions);
      this.#handedOut = true;
    }
    return decisions;
  }

  setCookie(
    name: string,
    value: string,
    options?: CookieOptions,
    meta?: SetCookieMeta,
  ): CookieDecision {
    const encode = meta?.encode ?? encodeURIComponent;
    return this.#record(this.#decide(name, value, options, encode, isClearing(options)));
  }

  clearCookie(name: string, options?: CookieOptions): CookieDecision {
    return this.#record(this.#decide(name, "", options, encodeURIComponent, true));
  }

  decideWrittenLine(header: string): CookieDecision {
    // A line this request's policy wrote is its own decision: never decided (or recorded) twice.
    const own = this.#wrote(header);
    if (own !== undefined) return own;
    const c = this.#c;
    const line = c.reportOnly || typeof header !== "string" ? null : cutWrittenLine(header);
    if (line === null) return this.#record(this.#decideLine(header));
    const plan = c.planFor(line.name);
    let decision = rememberedLineDecision(plan, line, this.#cookieTransport);
    if (decision === undefined) {
      decision = this.#decideLine(header);
      rememberLineDecision(plan, line, this.#cookieTransport, decision);
    }
    return this.#record(decision);
  }

  #wrote(header: string): CookieDecision | undefined {
    const decisions = this.#decisions;
    if (decisions !== null) for (const d of decisions) if (d.header === header) return d;
    return undefined;
  }

  /** A line's attributes read as call-site options; its value is already encoded. */
  #decideLine(header: string): CookieDecision {
    const parsed = parseSetCookie(header);
    if (parsed === null) return this.#decide("", "", undefined, AS_WRITTEN, false);
    const { name, value, options } = parsed;
    return this.#decide(name, value, options, AS_WRITTEN, isClearing(options));
  }

  explain(): ExplainResult {
    const t = this.transport;
    return {
      env: this.policy.env,
      mode: this.policy.mode,
      transport: {
        protocol: t.protocol,
        secure: t.secure,
        source: t.source,
        clientAddress: t.clientAddress,
        host: t.host,
        trustedHops: t.trustedHops,
      },
      redirect: this.redirect === null ? null : { ...this.redirect },
      hsts: this.hsts,
      cookies: this.decisions.map((d) => {
        const cookie: ExplainResult["cookies"][number] = {
          name: d.name,
          action: d.action,
          secure: d.secure,
          header: d.header,
          reasons: [...d.reasons],
        };
        if (d.wouldBe !== undefined) cookie.wouldBe = { ...d.wouldBe };
        return cookie;
      }),
      diagnostics: [...this.policy.diagnostics, ...t.diagnostics].map((d) => ({
        code: d.code,
        message: d.message,
      })),
    };
  }

  #decide(
    name: string,
    value: string,
    options: CookieOptions | undefined,
    encode: Encode,
    clearing: boolean,
  ): CookieDecision {
    const c = this.#c;
    const plan = c.planFor(String(name));
    let decision = decideCookie(plan, value, options, encode, this.#cookieTransport, clearing);
    if (c.reportOnly) decision = decideAsWritten(plan, value, options, encode, decision, clearing);
    return decision;
  }

  #record(decision: CookieDecision): CookieDecision {
    const decisions = this.#decisions;
    if (decisions === null) this.#decisions = [decision];
    else if (this.#handedOut) {
      this.#decisions = [...decisions, decision];
      this.#handedOut = false;
    } else decisions.push(decision);
    this.#report(decision);
    return decision;
  }

  /** Only notable reasons reach `onReport`: a routine decision costs nothing here. */
  #report(d: CookieDecision): void {
    const c = this.#c;
    if (anyNotable(d.reasons))
      for (const code of d.reasons) {
        if (!NOTABLE_REASONS.has(code)) continue;
        const message = code === d.error?.code ? d.error.message : describeReason(code);
        c.onReport(
          reportEvent(code, c.reportOnly ? `report-only: ${message}` : message, c.env, d.name),
        );
      }
    if (d.wouldBe !== undefined && (d.wouldBe.header !== d.header || d.wouldBe.action !== d.action))
      c.onReport(
        reportEvent(
          "REPORT_ONLY",
          `emitted as the app wrote it; enforce mode would ${d.wouldBe.action} ${d.wouldBe.header ?? ""}`.trim(),
          c.env,
          d.name,
        ),
      );
  }
}

/**
 * Validates and resolves a policy for one profile, then compiles everything a request
 * needs (trust matcher, cookie rules, redirect hosts, HSTS value) once. Create it at
 * start-up and share it; `decideRequest(req)` decides one request.
 */
export function createCookiePolicy(
  input: PolicyFile | unknown,
  options: EngineOptions = {},
): CookiePolicy {
  const file = validatePolicy(input);
  const resolved = resolveProfile(file, options.env);
  // SPEC §2.5: what the policy exposes is frozen, so no app can change a later decision.
  const profile: ResolvedProfile = deepFreeze(resolved.profile);
  const mode: Mode = options.mode ?? profile.mode;
  const onReport = options.onReport ?? defaultReporter();
  const env = resolved.env;
  const diagnostics: readonly Diagnostic[] = deepFreeze(
    resolved.diagnostics.map((d) => ({ ...d })),
  );

  const policy: CookiePolicy = {
    env,
    requestedEnv: resolved.requestedEnv,
    mode,
    profile,
    diagnostics,
    decideRequest: (req) => new Context(compiled, req),
  };
  const compiled: Compiled = {
    policy,
    env,
    reportOnly: mode === "report-only",
    onReport,
    planFor: compilePlans(profile),
    transportFor: compileTransport({
      trust: compileTrust(profile.proxy.trust),
      headers: profile.proxy.headers,
      localhost: profile.localhost,
    }),
    redirect: compileRedirect(profile.https.redirect),
    hsts: compileHsts(profile.https.hsts),
  };
  for (const d of diagnostics) onReport(reportEvent(d.code, d.message, env));
  if (chosenEnvName(options.env) === undefined) onReport(envDefaulted(env));
  return policy;
}
