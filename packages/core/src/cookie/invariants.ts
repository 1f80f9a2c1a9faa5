/**
 * Rules no policy can switch off: cookie-name syntax, prefixes, lifetime cap, size and
 * the characters that could end or split a Set-Cookie header.
 */

/** RFC 6265 cookie-name = RFC 7230 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Path: printable ASCII without `;` (and `<`, as `cookie` refuses it); no CTL can end the header. */
const PATH_VALUE = /^[\u0020-\u003A\u003D-\u007E]*$/;

/** Browsers cap cookie lifetime at 400 days (RFC 6265bis). */
export const MAX_AGE_CAP = 400 * 24 * 60 * 60;
/** Name + value octets a browser is guaranteed to keep (the `=` not counted). */
export const MAX_COOKIE_OCTETS = 4096;

export function isCookieName(name: string): boolean {
  return TOKEN.test(name);
}

/** Per ASCII code: 1 = an RFC 6265 cookie-octet (no CTL, space, `"`, `,`, `;` or `\`);
 * 2 = also left as it is by `encodeURIComponent` (A–Z a–z 0–9 - _ . ! ~ * ' ( )). */
const OCTET = new Uint8Array(128);
for (let c = 0x21; c <= 0x7e; c++)
  if (c !== 0x22 && c !== 0x2c && c !== 0x3b && c !== 0x5c) OCTET[c] = 1;
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()")
  OCTET[c.charCodeAt(0)] = 2;

/** Every character's class is at least `min` (a loop, not a regex: this runs per cookie). */
function allAtLeast(value: string, min: 1 | 2): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || (OCTET[c] as number) < min) return false;
  }
  return true;
}

export function isCookieValue(encoded: string): boolean {
  return allAtLeast(encoded, 1);
}

/** Runs of characters that are not cookie-octets. */
const NOT_OCTETS = /[^\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+/g;

/**
 * The value with every character that is not a cookie-octet percent-encoded, as
 * `encodeURIComponent` encodes it; the octets are kept as they are. Throws a URIError for a
 * lone surrogate, which no encoding can carry.
 */
export function toCookieOctets(value: string): string {
  return isCookieValue(value) ? value : value.replace(NOT_OCTETS, encodeURIComponent);
}

/** `encodeURIComponent(value) === value`, without encoding (the common case for session ids). */
export function isUriEncodingIdentity(value: string): boolean {
  return allAtLeast(value, 2);
}

/**
 * A value encoder for frameworks that send values as written (Koa's `cookies`): a value
 * the header can already carry is kept, so readers that do not decode see it unchanged;
 * anything else is percent-encoded as `encodeURIComponent` does (SPEC §2.3: a value is
 * encoded, never refused for its characters). Pass it as `setCookie(..., { encode })`.
 */
export function encodeCookieValue(value: string): string {
  return isCookieValue(value) ? value : encodeURIComponent(value);
}

export function isCookiePath(path: string): boolean {
  return PATH_VALUE.test(path);
}

/** What a name's prefix demands, matched case-insensitively as browsers do. */
export interface PrefixRules {
  /** `__Secure-`, `__Host-`, `__Http-`, `__Host-Http-`: Secure required. */
  readonly secure: boolean;
  /** `__Host-` (incl. `__Host-Http-`): Path=/ and no Domain. */
  readonly host: boolean;
  /** `__Http-`, `__Host-Http-` (layered-cookies draft): HttpOnly required. */
  readonly httpOnly: boolean;
}

const NO_PREFIX: PrefixRules = { secure: false, host: false, httpOnly: false };

export function prefixRules(name: string): PrefixRules {
  if (name.charCodeAt(0) !== 95 || name.charCodeAt(1) !== 95) return NO_PREFIX; // "__"
  const lower = name.toLowerCase();
  if (lower.startsWith("__host-http-")) return { secure: true, host: true, httpOnly: true };
  if (lower.startsWith("__host-")) return { secure: true, host: true, httpOnly: false };
  if (lower.startsWith("__http-")) return { secure: true, host: false, httpOnly: true };
  if (lower.startsWith("__secure-")) return { secure: true, host: false, httpOnly: false };
  return NO_PREFIX;
}

/** RFC 1034/1123 host name, optional leading dot (as `cookie` 1.1.1 accepts Domain). */
const DOMAIN_VALUE =
  /^([.]?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)([.][a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function isCookieDomain(domain: string): boolean {
  return DOMAIN_VALUE.test(domain);
}

/**
 * Max-Age as a whole number of seconds a header can carry: fractions floored, a negative
 * value is 0 (both expire at once), huge values held to a plain integer (never `1e+21`).
 */
export function wholeSeconds(seconds: number): number {
  return Math.min(Math.max(0, Math.floor(seconds)), Number.MAX_SAFE_INTEGER);
}
