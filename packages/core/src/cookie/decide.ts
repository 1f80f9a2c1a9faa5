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
import type { CookiePlan, DecisionTemplate } from "./plan.js";
import { serializeCookie } from "./serialize.js";

/** The part of the transport a cookie decision reads. */
export type CookieTransport = Pick<Transport, "secure" | "secureContext">;

export type Encode = (value: string) => string;

/** SameSite from weakest to strongest: a call site may raise it, a compliant response must not lower it. */
export const SAMESITE_RANK = { none: 1, lax: 2, strict: 3 } as const;
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

/** A decision under way: what a refusal reports beside its reason. */
interface Attempt {
  readonly plan: CookiePlan;
  readonly clearing: boolean;
  readonly reasons: ReasonCode[];
  /** The decided attributes, once decided (a refusal before then reports none). */
  attributes: CookieAttributes | null;
}

/** Why a cookie is refused: the reason code and the message its error carries. */
interface Refusal {
  readonly code: ReasonCode;
  readonly message: string;
}

/**
 * A decision's reasons and attributes, frozen once it is made: a request's record and the
 * plan's kept decisions share them with whoever holds the decision (an app reading
 * `ctx.decisions`), so nobody can change what a later call reads.
 */
function settled<D extends CookieDecision>(d: D): D {
  Object.freeze(d.reasons);
  if (d.attributes !== null) Object.freeze(d.attributes);
  return d;
}

function failure(attempt: Attempt, { code, message }: Refusal): CookieDecision {
  const { plan, reasons, attributes } = attempt;
  reasons.push(code);
  return settled({
    name: plan.name,
    action: "error",
    secure: attributes?.secure ?? false,
    header: null,
    attributes,
    reasons,
    clearing: attempt.clearing,
    error: new CookiePolicyError(code, plan.name, `cookie ${show(plan.name)}: ${message}`),
  });
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

const NAME_INVALID: Refusal = {
  code: "COOKIE_NAME_INVALID",
  message: "the name is not an RFC 6265 token",
};
const VALUE_INVALID: Refusal = {
  code: "COOKIE_ATTRIBUTE_INVALID",
  message:
    "the value cannot be encoded (the encoder failed or returned no string, or a lone surrogate)",
};
const TOO_LARGE: Refusal = {
  code: "COOKIE_TOO_LARGE",
  message: `name and value exceed ${MAX_COOKIE_OCTETS} octets; browsers would drop it`,
};
const NEVER_CONFLICT: Refusal = {
  code: "SECURE_NEVER_CONFLICT",
  message: 'secure "never" conflicts with a cookie that requires Secure',
};
const INSECURE_ERROR: Refusal = {
  code: "INSECURE_TRANSPORT_ERROR",
  message: "requires Secure but the transport is not HTTPS (onInsecure: error)",
};
const attributeInvalid = (message: string): Refusal => ({
  code: "COOKIE_ATTRIBUTE_INVALID",
  message,
});

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
    attributes: d.attributes,
    reasons: d.reasons,
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
 * The kept decision for a line the app wrote (`decideWrittenLine`), or undefined. Apps write
 * the same attributes on every request with a new value (Hono's `setCookie`,
 * express-session), so the decision for a plan, attributes and transport state is kept on
 * the plan (`rememberLineDecision`) and a later line only has its value checked, as an
 * option-less `setCookie` does.
 */
export function rememberedLineDecision(
  plan: CookiePlan,
  line: WrittenLine,
  transport: CookieTransport,
): CookieDecision | undefined {
  if (!plan.validName || plan.name.length + line.value.length > MAX_COOKIE_OCTETS) return undefined;
  const template = plan.written[transportSlot(transport)].get(line.attributes);
  return template === undefined ? undefined : fromTemplate(plan.name, line.value, template);
}

/** Keeps the decision made in full for a written line, when later lines can reuse it. */
export function rememberLineDecision(
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

/**
 * The decision in full, in the order SPEC §2.3 gives: the call site checked, the policy
 * floor raised by it, Secure against the transport, the invariants, then the header.
 */
function decideFully(
  plan: CookiePlan,
  value: string,
  options: CookieOptions | undefined,
  encode: Encode,
  transport: CookieTransport,
  clearing: boolean,
): CookieDecision {
  const attempt: Attempt = { plan, clearing, reasons: [], attributes: null };
  const refused = callSiteRefusal(plan, options);
  if (refused !== null) return failure(attempt, refused);
  const attributes = floorAttributes(plan.floor);
  const weakened = options !== undefined && raiseFloor(attempt, attributes, options);
  const action = decideSecure(attempt, attributes, options?.secure === true, transport);
  if (action === null) return failure(attempt, NEVER_CONFLICT);
  enforceInvariants(attempt, attributes);
  if (weakened) attempt.reasons.push("CALLSITE_WEAKENING_IGNORED");
  if (attributes.domain === "") attributes.domain = undefined;
  return serializeDecision(attempt, attributes, clearing ? "" : value, encode, action);
}

/** What makes a cookie undecidable before any attribute is: its name, its size, the call site. */
function callSiteRefusal(plan: CookiePlan, options: CookieOptions | undefined): Refusal | null {
  if (!plan.validName) return NAME_INVALID;
  if (plan.tooLarge) return TOO_LARGE;
  const invalid = options === undefined ? null : callSiteProblem(options);
  return invalid === null ? null : attributeInvalid(invalid);
}

/** The policy's attributes for the name, before the call site and the transport. */
function floorAttributes(floor: CookiePlan["floor"]): CookieAttributes {
  return {
    secure: false,
    httpOnly: floor.httpOnly,
    sameSite: floor.sameSite,
    path: floor.path,
    domain: floor.domain,
    maxAge: floor.maxAge,
    expires: undefined,
    partitioned: floor.partitioned,
    priority: floor.priority,
  };
}

/**
 * The floor: a call site may strengthen, never weaken. Takes what the call site raises (or
 * sets freely: Path, Priority, a Domain no rule fixed, a shorter lifetime); returns whether
 * it asked for a weakening, which is ignored.
 */
function raiseFloor(
  attempt: Attempt,
  attributes: CookieAttributes,
  options: CookieOptions,
): boolean {
  const { plan, clearing, reasons } = attempt;
  const floor = plan.floor;
  let weakened = options.secure === false && floor.secure !== "never";
  if (options.httpOnly === true) attributes.httpOnly = true;
  else if (options.httpOnly === false && attributes.httpOnly) weakened = true;
  if (options.sameSite !== undefined) {
    // Validated by `callSiteProblem`: null cannot come back.
    const asked = callSiteSameSite(options.sameSite) as SameSite | undefined;
    const askedRank = asked === undefined ? 0 : SAMESITE_RANK[asked];
    const floorRank = attributes.sameSite === undefined ? 0 : SAMESITE_RANK[attributes.sameSite];
    if (askedRank >= floorRank) attributes.sameSite = asked;
    else weakened = true;
  }
  if (options.partitioned === true) attributes.partitioned = true;
  else if (options.partitioned === false && attributes.partitioned) weakened = true;
  if (options.priority !== undefined)
    attributes.priority = callSitePriority(options.priority) as Priority;
  if (options.path !== undefined) attributes.path = options.path;
  if (options.domain !== undefined) {
    // A Domain written by the matching rule is fixed.
    if (plan.ruleDomain === undefined) attributes.domain = options.domain;
    else if (options.domain.toLowerCase() !== plan.ruleDomain.toLowerCase())
      reasons.push("DOMAIN_FIXED_BY_RULE");
  }
  if (clearing) return weakened;
  if (options.maxAge !== undefined) {
    const asked = wholeSeconds(options.maxAge);
    if (floor.maxAge !== undefined && asked > floor.maxAge) weakened = true;
    else attributes.maxAge = asked;
  }
  if (options.expires !== undefined) {
    if (floor.maxAge !== undefined && options.expires.getTime() - Date.now() > floor.maxAge * 1000)
      weakened = true;
    else {
      attributes.expires = options.expires;
      // A shorter Expires is the call site's lifetime; the policy's longer Max-Age would override it.
      if (options.maxAge === undefined) attributes.maxAge = undefined;
    }
  }
  return weakened;
}

/**
 * The Secure requirement against the transport (SPEC §2.3): sets `attributes.secure` and
 * returns what happens to the cookie, or null when the policy's `never` conflicts with it.
 */
function decideSecure(
  attempt: Attempt,
  attributes: CookieAttributes,
  callSiteSecure: boolean,
  transport: CookieTransport,
): CookieAction | null {
  const { plan, reasons } = attempt;
  const mode = plan.floor.secure;
  const prefix = plan.prefix;
  if (mode === "always" || callSiteSecure) reasons.push("SECURE_REQUIRED_MODE");
  if (prefix.secure) reasons.push("SECURE_REQUIRED_PREFIX");
  if (attributes.sameSite === "none") reasons.push("SECURE_REQUIRED_SAMESITE_NONE");
  if (attributes.partitioned) reasons.push("SECURE_REQUIRED_PARTITIONED");
  const requires =
    mode === "always" ||
    callSiteSecure ||
    prefix.secure ||
    attributes.sameSite === "none" ||
    attributes.partitioned;

  if (attempt.clearing) {
    // Clearing mirrors the set so it matches, but is never dropped or refused for being
    // insecure: over HTTP a Secure cookie cannot be touched ("leave secure cookies alone"),
    // so the attempt is reported and emitted without Secure unless a prefix forces it.
    if (transport.secure || transport.secureContext) {
      attributes.secure = prefix.secure || (requires && mode !== "never") || mode === "auto";
      if (mode === "auto" && !requires) reasons.push("SECURE_AUTO");
    } else {
      attributes.secure = prefix.secure;
      if (requires) reasons.push("CLEAR_SECURE_ON_INSECURE");
      else if (mode === "auto") reasons.push("SECURE_AUTO");
    }
    return "set";
  }
  if (requires) {
    if (mode === "never") return null;
    attributes.secure = true;
    if (transport.secure) return "set";
    if (transport.secureContext) reasons.push("SECURE_LOCALHOST_CONTEXT");
    else if (plan.floor.onInsecure === "drop") {
      reasons.push("INSECURE_TRANSPORT_DROPPED");
      return "drop";
    } else if (plan.floor.onInsecure === "error") return "error";
    else reasons.push("INSECURE_TRANSPORT_SET");
    return "set";
  }
  if (mode === "auto") {
    reasons.push("SECURE_AUTO");
    attributes.secure = transport.secure || transport.secureContext;
    if (!transport.secure && transport.secureContext) reasons.push("SECURE_LOCALHOST_CONTEXT");
  }
  return "set";
}

/** What holds whatever the policy says: the prefixes' demands, the lifetime cap, a clearing's past date. */
function enforceInvariants(attempt: Attempt, attributes: CookieAttributes): void {
  const { plan, reasons } = attempt;
  const prefix = plan.prefix;
  if (
    prefix.host &&
    (attributes.path !== "/" || (attributes.domain !== undefined && attributes.domain !== ""))
  ) {
    attributes.path = "/";
    attributes.domain = undefined;
    reasons.push("HOST_PREFIX_CORRECTED");
  }
  if (prefix.httpOnly && !attributes.httpOnly) {
    attributes.httpOnly = true;
    reasons.push("HTTPONLY_REQUIRED_PREFIX");
  }
  if (attempt.clearing) {
    attributes.maxAge = 0;
    attributes.expires = new Date(0);
    return;
  }
  if (attributes.maxAge !== undefined && attributes.maxAge > MAX_AGE_CAP) {
    attributes.maxAge = MAX_AGE_CAP;
    reasons.push("MAXAGE_CAPPED");
  }
  if (attributes.expires !== undefined) {
    const cap = Date.now() + MAX_AGE_CAP * 1000;
    if (attributes.expires.getTime() > cap) {
      attributes.expires = new Date(Math.floor(cap / DAY_MS) * DAY_MS);
      if (!reasons.includes("MAXAGE_CAPPED")) reasons.push("MAXAGE_CAPPED");
    }
  }
}

/**
 * The header for the decided attributes: the value encoded and sized, the attributes
 * checked, then the action (an `error` is refused here, after those checks, so their
 * reasons come first).
 */
function serializeDecision(
  attempt: Attempt,
  attributes: CookieAttributes,
  value: string,
  encode: Encode,
  action: CookieAction,
): CookieDecision {
  attempt.attributes = attributes;
  const { plan, reasons, clearing } = attempt;
  const name = plan.name;
  const encoded = encodeValue(value, encode);
  if (encoded === null) return failure(attempt, VALUE_INVALID);
  if (name.length + encoded.length > MAX_COOKIE_OCTETS) return failure(attempt, TOO_LARGE);
  const problem = attributeProblem(attributes);
  if (problem !== null) return failure(attempt, attributeInvalid(problem));
  if (action === "error") return failure(attempt, INSECURE_ERROR);
  const secure = attributes.secure;
  if (action === "drop")
    return settled({ name, action, secure, header: null, attributes, reasons, clearing });
  const header = emit(name, encoded, attributes);
  if (typeof header !== "string") return failure(attempt, attributeInvalid(header.message));
  return settled({ name, action, secure, header, attributes, reasons, clearing });
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
  const wouldBe = Object.freeze({
    action: enforce.action,
    secure: enforce.secure,
    header: enforce.header,
  });
  const o = options ?? {};
  const invalid = callSiteProblem(o);
  const refuse = (refusal: Refusal, attributes: CookieAttributes | null) => ({
    ...failure({ plan, clearing, reasons, attributes }, refusal),
    wouldBe,
  });
  if (!plan.validName) return refuse(NAME_INVALID, null);
  // A wrong option has no "as written" form: refused as in enforce mode.
  if (invalid !== null) return refuse(attributeInvalid(invalid), null);
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
  if (encoded === null) return refuse(VALUE_INVALID, attributes);
  const problem = attributeProblem(attributes);
  if (problem !== null) return refuse(attributeInvalid(problem), attributes);
  // Too large is not an injection: the app's cookie goes out as written (the browser decides).
  const header = emit(name, encoded, attributes);
  if (typeof header !== "string") return refuse(attributeInvalid(header.message), attributes);
  return settled({
    name,
    action: "set",
    secure: attributes.secure,
    header,
    attributes,
    reasons,
    clearing,
    wouldBe,
  });
}
