import {
  type CookieAction,
  type CookieAttributes,
  type CookieDecision,
  type CookieOptions,
  CookiePolicyError,
  type Priority,
  type ReasonCode,
  type SameSite,
  type Transport,
} from "../types.js";
import type { CookiePlan, DecisionTemplate } from "./floor.js";
import {
  isCookieDomain,
  isCookiePath,
  isCookieValue,
  isUriEncodingIdentity,
  MAX_AGE_CAP,
  MAX_COOKIE_OCTETS,
  toCookieOctets,
  wholeSeconds,
} from "./invariants.js";
import { serializeCookie } from "./serialize.js";

/** The part of the transport a cookie decision reads. */
export type CookieTransport = Pick<Transport, "secure" | "secureContext">;

export type Encode = (value: string) => string;

const SAMESITE_RANK = { none: 1, lax: 2, strict: 3 } as const;
const DAY_MS = 86_400_000;
/** The encoder of a value that arrives already encoded (a written line, a template). */
const AS_IS: Encode = (value) => value;

/** `true` means Strict, `false` no attribute (as `cookie` reads them); anything else is invalid (null). */
function callSiteSameSite(value: SameSite | boolean): SameSite | undefined | null {
  if (value === true) return "strict";
  if (value === false) return undefined;
  const lower = typeof value === "string" ? value.toLowerCase() : "";
  return lower === "strict" || lower === "lax" || lower === "none" ? lower : null;
}

function callSitePriority(value: unknown): Priority | null {
  const lower = typeof value === "string" ? value.toLowerCase() : "";
  return lower === "low" || lower === "medium" || lower === "high" ? lower : null;
}

function isValidDate(value: unknown): value is Date {
  return value instanceof Date && Number.isFinite(value.getTime());
}

/** A call-site value as a message shows it: short, escaped, never the app's object itself. */
function show(value: unknown): string {
  if (typeof value === "string")
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return value === null || typeof value !== "object" ? String(value) : `a ${typeof value}`;
}

const BOOLEAN_OPTIONS = [
  ["secure", "Secure"],
  ["httpOnly", "HttpOnly"],
  ["partitioned", "Partitioned"],
] as const;

/**
 * Why the call-site options are invalid (SPEC §2.3), or null. Checked alike in every mode
 * and for every adapter, after the framework's own unit translation: the engine never
 * guesses what a wrong type meant. Path and Domain grammar is `attributeProblem`'s.
 */
function callSiteProblem(o: CookieOptions): string | null {
  for (const [key, label] of BOOLEAN_OPTIONS) {
    const value: unknown = o[key];
    if (value !== undefined && typeof value !== "boolean")
      return `${label} ${show(value)} is not a boolean`;
  }
  const maxAge: unknown = o.maxAge;
  if (maxAge !== undefined && (typeof maxAge !== "number" || !Number.isFinite(maxAge)))
    return `Max-Age ${show(maxAge)} is not a finite number of seconds`;
  const expires: unknown = o.expires;
  if (expires !== undefined && !isValidDate(expires))
    return `Expires ${show(expires instanceof Date ? "Invalid Date" : expires)} is not a valid date`;
  if (o.sameSite !== undefined && callSiteSameSite(o.sameSite) === null)
    return `SameSite ${show(o.sameSite)} is invalid`;
  if (o.priority !== undefined && callSitePriority(o.priority) === null)
    return `Priority ${show(o.priority)} is invalid`;
  const path: unknown = o.path;
  if (path !== undefined && typeof path !== "string") return `Path ${show(path)} is not a string`;
  const domain: unknown = o.domain;
  if (domain !== undefined && typeof domain !== "string")
    return `Domain ${show(domain)} is not a string`;
  return null;
}

/**
 * SPEC §2.3: a Max-Age of zero or less clears the cookie, and so does an Expires already
 * past (Express's `res.clearCookie`, a session library, a line written by hand): one rule
 * for call sites and written lines, so both spellings of a removal are decided alike.
 */
export function isClearing(options: CookieOptions | undefined): boolean {
  if (options === undefined) return false;
  if (typeof options.maxAge === "number" && options.maxAge <= 0) return true;
  const expires: unknown = options.expires;
  return expires instanceof Date && expires.getTime() <= Date.now();
}

function failure(
  name: string,
  code: ReasonCode,
  message: string,
  reasons: ReasonCode[],
  secure: boolean,
  attributes: CookieAttributes | null,
  clearing: boolean,
): CookieDecision {
  reasons.push(code);
  return {
    name,
    action: "error",
    secure,
    header: null,
    attributes,
    reasons,
    clearing,
    error: new CookiePolicyError(code, name, `cookie ${show(name)}: ${message}`),
  };
}

/**
 * Encodes the value, then percent-encodes whatever the encoder left that is not a
 * cookie-octet (SPEC §2.3: a value is encoded, never injected); null when the encoder
 * throws or returns no string, or the value holds a lone surrogate.
 */
function encodeValue(value: string, encode: Encode): string | null {
  if (encode === encodeURIComponent && typeof value === "string" && isUriEncodingIdentity(value))
    return value;
  try {
    const encoded: unknown = encode(String(value));
    return typeof encoded === "string" ? toCookieOctets(encoded) : null;
  } catch {
    return null;
  }
}

const VALUE_INVALID =
  "the value cannot be encoded (the encoder failed or returned no string, or a lone surrogate)";
const TOO_LARGE = `name and value exceed ${MAX_COOKIE_OCTETS} octets; browsers would drop it`;

/** Path and Domain may never carry anything that ends or splits the header. */
function attributeProblem(a: CookieAttributes): string | null {
  if (a.path !== undefined && !isCookiePath(a.path))
    return `Path ${JSON.stringify(a.path)} is invalid`;
  if (a.domain !== undefined && a.domain !== "" && !isCookieDomain(a.domain))
    return `Domain ${JSON.stringify(a.domain)} is invalid`;
  return null;
}

/** Serializes, or explains why it cannot be (a refusal by `cookie` is an attribute error). */
function emit(name: string, encoded: string, a: CookieAttributes): string | Error {
  try {
    return serializeCookie(name, encoded, a);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * Whether the call site changes anything the policy alone would decide. Adapters pass every
 * option key, most of them undefined: only a defined one counts, and a Path equal to the
 * policy's (Hono's and Express's default `/`) changes nothing.
 */
function hasCallSiteOptions(plan: CookiePlan, options: CookieOptions | undefined): boolean {
  if (options === undefined) return false;
  for (const key in options) {
    const value = options[key as keyof CookieOptions];
    if (value !== undefined && (key !== "path" || value !== plan.floor.path)) return true;
  }
  return false;
}

/** Which of a plan's three transport states a request is in (see `CookiePlan.templates`). */
function transportSlot(transport: CookieTransport): 0 | 1 | 2 {
  return transport.secure ? 1 : transport.secureContext ? 2 : 0;
}

/**
 * The enforce-mode decision for one cookie (SPEC §2.3): the policy floor raised by the
 * call site, the Secure requirement against the transport, then the invariants.
 * `clearing` decides the removal of the cookie instead.
 *
 * A cookie set without call-site options is decided by the policy and the transport
 * alone, so that decision is made once per name and transport state and kept on the plan
 * (its reasons and attributes frozen); a request then only encodes and checks its value.
 * The kept decision is made for the empty value written as is, so its tail depends on
 * nothing a caller passes (an encoder that changes "" cannot leak into later cookies).
 */
export function decideCookie(
  plan: CookiePlan,
  value: string,
  options: CookieOptions | undefined,
  encode: Encode,
  transport: CookieTransport,
  clearing: boolean,
): CookieDecision {
  if (clearing || hasCallSiteOptions(plan, options))
    return decideFully(plan, value, options, encode, transport, clearing);
  const slot = transportSlot(transport);
  let template = plan.templates[slot];
  if (template === undefined) {
    const made = decideFully(plan, "", undefined, AS_IS, transport, false);
    // Errors carry a per-call error object and are rare: they are never cached.
    if (made.action === "error")
      return decideFully(plan, value, undefined, encode, transport, false);
    template = templateOf(made, 0);
    plan.templates[slot] = template;
  }
  const encoded = encodeValue(value, encode);
  // A refused value is decided in full, so its error reads exactly as it always does.
  if (encoded === null || plan.name.length + encoded.length > MAX_COOKIE_OCTETS)
    return decideFully(plan, value, undefined, encode, transport, false);
  return fromTemplate(plan.name, encoded, template);
}

/** What a set or drop decision keeps beyond its value (`encodedLength`: the value's in its header). */
function templateOf(d: CookieDecision, encodedLength: number): DecisionTemplate {
  return {
    action: d.action as DecisionTemplate["action"],
    secure: d.secure,
    tail: d.header === null ? null : d.header.slice(d.name.length + 1 + encodedLength),
    attributes: Object.freeze(d.attributes),
    reasons: Object.freeze(d.reasons),
  };
}

function fromTemplate(name: string, encoded: string, t: DecisionTemplate): CookieDecision {
  return {
    name,
    action: t.action,
    secure: t.secure,
    header: t.tail === null ? null : `${name}=${encoded}${t.tail}`,
    attributes: t.attributes,
    reasons: t.reasons,
    clearing: false,
  };
}

/** A Set-Cookie line the app wrote itself, cut as `name=value` and its `; attributes`. */
export interface WrittenLine {
  readonly name: string;
  readonly value: string;
  readonly attributes: string;
}

/**
 * Cuts a line when the cut reads it exactly as the parser would (no whitespace or quote
 * around a valid value) and its decision depends on nothing but its name, attributes and
 * the transport: not with Expires, which is judged against the clock.
 */
export function cutWrittenLine(line: string): WrittenLine | null {
  const semi = line.indexOf(";");
  const eq = line.indexOf("=");
  if (eq <= 0 || (semi !== -1 && eq > semi)) return null;
  const value = line.slice(eq + 1, semi === -1 ? line.length : semi);
  if (!isCookieValue(value) || value.charCodeAt(0) === 0x22) return null;
  const attributes = semi === -1 ? "" : line.slice(semi);
  if (namesExpires(attributes)) return null;
  return { name: line.slice(0, eq), value, attributes };
}

const EXPIRES = "expires";

/** `attributes.toLowerCase().includes("expires")` without a lower-cased copy per line. */
function namesExpires(attributes: string): boolean {
  // Anchored on the x; `| 0x20` lower-cases an ASCII letter and maps nothing else onto one.
  for (let x = 1; x + 6 <= attributes.length; x++) {
    if ((attributes.charCodeAt(x) | 0x20) !== 0x78) continue;
    let i = 0;
    while (i < 7 && (attributes.charCodeAt(x - 1 + i) | 0x20) === EXPIRES.charCodeAt(i)) i++;
    if (i === 7) return true;
  }
  return false;
}

/**
 * The kept decision for a line the app wrote (`applySetCookie`), or undefined. Apps write
 * the same attributes on every request with a new value (Hono's `setCookie`,
 * express-session), so the decision for a plan, attributes and transport state is kept on
 * the plan (`keepWrittenLine`) and a later line only has its value checked, as an
 * option-less `setCookie` does.
 */
export function keptWrittenLine(
  plan: CookiePlan,
  line: WrittenLine,
  transport: CookieTransport,
): CookieDecision | undefined {
  if (!plan.validName || plan.name.length + line.value.length > MAX_COOKIE_OCTETS) return undefined;
  const template = plan.written[transportSlot(transport)].get(line.attributes);
  return template === undefined ? undefined : fromTemplate(plan.name, line.value, template);
}

/** Keeps the decision made in full for a written line, when later lines can reuse it. */
export function keepWrittenLine(
  plan: CookiePlan,
  line: WrittenLine,
  transport: CookieTransport,
  decision: CookieDecision,
): void {
  // A clearing (Max-Age=0) writes no value: its decision is never kept.
  const kept =
    plan.validName &&
    decision.action !== "error" &&
    !decision.clearing &&
    (decision.header === null || decision.header.startsWith(`${plan.name}=${line.value}`));
  if (kept)
    plan.written[transportSlot(transport)].set(
      line.attributes,
      templateOf(decision, line.value.length),
    );
}

function decideFully(
  plan: CookiePlan,
  value: string,
  options: CookieOptions | undefined,
  encode: Encode,
  transport: CookieTransport,
  clearing: boolean,
): CookieDecision {
  const name = plan.name;
  const reasons: ReasonCode[] = [];
  if (!plan.validName)
    return failure(
      name,
      "COOKIE_NAME_INVALID",
      "the name is not an RFC 6265 token",
      reasons,
      false,
      null,
      clearing,
    );
  if (plan.tooLarge)
    return failure(name, "COOKIE_TOO_LARGE", TOO_LARGE, reasons, false, null, clearing);
  const invalid = options === undefined ? null : callSiteProblem(options);
  if (invalid !== null)
    return failure(name, "COOKIE_ATTRIBUTE_INVALID", invalid, reasons, false, null, clearing);

  const f = plan.floor;
  const mode = f.secure;
  let httpOnly = f.httpOnly;
  let sameSite: SameSite | undefined = f.sameSite;
  let path: string | undefined = f.path;
  let domain = f.domain;
  let maxAge = f.maxAge;
  let expires: Date | undefined;
  let partitioned = f.partitioned;
  let priority = f.priority;
  let weakened = false;
  let callSiteSecure = false;

  if (options !== undefined) {
    // The floor: a call site may strengthen, never weaken (a weakening is ignored).
    if (options.secure === true) callSiteSecure = true;
    else if (options.secure === false && mode !== "never") weakened = true;
    if (options.httpOnly === true) httpOnly = true;
    else if (options.httpOnly === false && httpOnly) weakened = true;
    if (options.sameSite !== undefined) {
      // Validated above: null cannot come back.
      const asked = callSiteSameSite(options.sameSite) as SameSite | undefined;
      const askedRank = asked === undefined ? 0 : SAMESITE_RANK[asked];
      const floorRank = sameSite === undefined ? 0 : SAMESITE_RANK[sameSite];
      if (askedRank >= floorRank) sameSite = asked;
      else weakened = true;
    }
    if (options.partitioned === true) partitioned = true;
    else if (options.partitioned === false && partitioned) weakened = true;
    if (options.priority !== undefined) priority = callSitePriority(options.priority) as Priority;
    if (options.path !== undefined) path = options.path;
    if (options.domain !== undefined) {
      // A Domain written by the matching rule is fixed.
      if (plan.ruleDomain === undefined) domain = options.domain;
      else if (options.domain.toLowerCase() !== plan.ruleDomain.toLowerCase())
        reasons.push("DOMAIN_FIXED_BY_RULE");
    }
    if (!clearing) {
      if (options.maxAge !== undefined) {
        const asked = wholeSeconds(options.maxAge);
        if (f.maxAge !== undefined && asked > f.maxAge) weakened = true;
        else maxAge = asked;
      }
      if (options.expires !== undefined) {
        if (f.maxAge !== undefined && options.expires.getTime() - Date.now() > f.maxAge * 1000)
          weakened = true;
        else {
          expires = options.expires;
          // A shorter Expires is the call site's lifetime; the policy's longer Max-Age would override it.
          if (options.maxAge === undefined) maxAge = undefined;
        }
      }
    }
  }

  // Secure requirement (SPEC §2.3).
  const prefix = plan.prefix;
  if (mode === "always" || callSiteSecure) reasons.push("SECURE_REQUIRED_MODE");
  if (prefix.secure) reasons.push("SECURE_REQUIRED_PREFIX");
  if (sameSite === "none") reasons.push("SECURE_REQUIRED_SAMESITE_NONE");
  if (partitioned) reasons.push("SECURE_REQUIRED_PARTITIONED");
  const requires =
    mode === "always" || callSiteSecure || prefix.secure || sameSite === "none" || partitioned;

  let secure: boolean;
  let action: CookieAction = "set";
  if (clearing) {
    // Clearing mirrors the set so it matches, but is never dropped or refused for being
    // insecure: over HTTP a Secure cookie cannot be touched ("leave secure cookies alone"),
    // so the attempt is reported and emitted without Secure unless a prefix forces it.
    if (transport.secure || transport.secureContext) {
      secure = prefix.secure || (requires && mode !== "never") || mode === "auto";
      if (mode === "auto" && !requires) reasons.push("SECURE_AUTO");
    } else {
      secure = prefix.secure;
      if (requires) reasons.push("CLEAR_SECURE_ON_INSECURE");
      else if (mode === "auto") reasons.push("SECURE_AUTO");
    }
  } else if (requires) {
    if (mode === "never")
      return failure(
        name,
        "SECURE_NEVER_CONFLICT",
        'secure "never" conflicts with a cookie that requires Secure',
        reasons,
        false,
        null,
        clearing,
      );
    secure = true;
    if (!transport.secure) {
      if (transport.secureContext) reasons.push("SECURE_LOCALHOST_CONTEXT");
      else if (f.onInsecure === "drop") {
        action = "drop";
        reasons.push("INSECURE_TRANSPORT_DROPPED");
      } else if (f.onInsecure === "error") action = "error";
      else reasons.push("INSECURE_TRANSPORT_SET");
    }
  } else if (mode === "auto") {
    reasons.push("SECURE_AUTO");
    secure = transport.secure || transport.secureContext;
    if (!transport.secure && transport.secureContext) reasons.push("SECURE_LOCALHOST_CONTEXT");
  } else secure = false;

  // Invariants, whatever the policy says.
  if (prefix.host && (path !== "/" || (domain !== undefined && domain !== ""))) {
    path = "/";
    domain = undefined;
    reasons.push("HOST_PREFIX_CORRECTED");
  }
  if (prefix.httpOnly && !httpOnly) {
    httpOnly = true;
    reasons.push("HTTPONLY_REQUIRED_PREFIX");
  }
  if (clearing) {
    maxAge = 0;
    expires = new Date(0);
  } else {
    if (maxAge !== undefined && maxAge > MAX_AGE_CAP) {
      maxAge = MAX_AGE_CAP;
      reasons.push("MAXAGE_CAPPED");
    }
    if (expires !== undefined) {
      const cap = Date.now() + MAX_AGE_CAP * 1000;
      if (expires.getTime() > cap) {
        expires = new Date(Math.floor(cap / DAY_MS) * DAY_MS);
        if (!reasons.includes("MAXAGE_CAPPED")) reasons.push("MAXAGE_CAPPED");
      }
    }
  }
  if (weakened) reasons.push("CALLSITE_WEAKENING_IGNORED");

  const attributes: CookieAttributes = {
    secure,
    httpOnly,
    sameSite,
    path,
    domain: domain === "" ? undefined : domain,
    maxAge,
    expires,
    partitioned,
    priority,
  };
  const encoded = encodeValue(clearing ? "" : value, encode);
  if (encoded === null)
    return failure(
      name,
      "COOKIE_ATTRIBUTE_INVALID",
      VALUE_INVALID,
      reasons,
      secure,
      attributes,
      clearing,
    );
  if (name.length + encoded.length > MAX_COOKIE_OCTETS)
    return failure(name, "COOKIE_TOO_LARGE", TOO_LARGE, reasons, secure, attributes, clearing);
  const problem = attributeProblem(attributes);
  if (problem !== null)
    return failure(
      name,
      "COOKIE_ATTRIBUTE_INVALID",
      problem,
      reasons,
      secure,
      attributes,
      clearing,
    );
  if (action === "error")
    return failure(
      name,
      "INSECURE_TRANSPORT_ERROR",
      "requires Secure but the transport is not HTTPS (onInsecure: error)",
      reasons,
      secure,
      attributes,
      clearing,
    );
  if (action === "drop")
    return { name, action, secure, header: null, attributes, reasons, clearing };
  const header = emit(name, encoded, attributes);
  if (typeof header !== "string")
    return failure(
      name,
      "COOKIE_ATTRIBUTE_INVALID",
      header.message,
      reasons,
      secure,
      attributes,
      clearing,
    );
  return { name, action, secure, header, attributes, reasons, clearing };
}

/**
 * Report-only: the app's own attributes, serialized as written (no floor). Only what
 * cannot be serialized safely (an invalid name, anything that could inject) is refused.
 * `enforce` is the decision enforce mode would have made; it is kept in `wouldBe`.
 */
export function decideAsWritten(
  plan: CookiePlan,
  value: string,
  options: CookieOptions | undefined,
  encode: Encode,
  enforce: CookieDecision,
  clearing: boolean,
): CookieDecision {
  const name = plan.name;
  const reasons = enforce.reasons.slice() as ReasonCode[];
  reasons.push("REPORT_ONLY");
  const wouldBe = { action: enforce.action, secure: enforce.secure, header: enforce.header };
  const o = options ?? {};
  const invalid = callSiteProblem(o);
  const refuse = (code: ReasonCode, message: string, a: CookieAttributes | null) => ({
    ...failure(name, code, message, reasons, a?.secure ?? false, a, clearing),
    wouldBe,
  });
  if (!plan.validName)
    return refuse("COOKIE_NAME_INVALID", "the name is not an RFC 6265 token", null);
  // A wrong option has no "as written" form: refused as in enforce mode.
  if (invalid !== null) return refuse("COOKIE_ATTRIBUTE_INVALID", invalid, null);
  const attributes: CookieAttributes = {
    secure: o.secure === true,
    httpOnly: o.httpOnly === true,
    sameSite: o.sameSite === undefined ? undefined : (callSiteSameSite(o.sameSite) ?? undefined),
    path: o.path,
    domain: o.domain === "" ? undefined : o.domain,
    maxAge: clearing ? 0 : o.maxAge === undefined ? undefined : wholeSeconds(o.maxAge),
    expires: clearing ? new Date(0) : o.expires,
    partitioned: o.partitioned === true,
    priority: o.priority === undefined ? undefined : (callSitePriority(o.priority) ?? undefined),
  };
  const encoded = encodeValue(clearing ? "" : value, encode);
  if (encoded === null) return refuse("COOKIE_ATTRIBUTE_INVALID", VALUE_INVALID, attributes);
  const problem = attributeProblem(attributes);
  if (problem !== null) return refuse("COOKIE_ATTRIBUTE_INVALID", problem, attributes);
  // Too large is not an injection: the app's cookie goes out as written (the browser decides).
  const header = emit(name, encoded, attributes);
  if (typeof header !== "string")
    return refuse("COOKIE_ATTRIBUTE_INVALID", header.message, attributes);
  return {
    name,
    action: "set",
    secure: attributes.secure,
    header,
    attributes,
    reasons,
    clearing,
    wouldBe,
  };
}
