/**
 * What a trusted proxy's record says (SPEC §2.2 step 3): the value the outermost trusted
 * proxy wrote in a list each proxy appends to, and what a value says about the protocol.
 */
import { isOws, MAX_ENTRY_LENGTH, MAX_PIECES } from "./chain.js";

export type Protocol = "http" | "https";
/** What a header says about the protocol: a protocol, nothing (undefined), or garbage (null). */
export type Statement = Protocol | null | undefined;

/** How the last `alignedValue` read went. */
export const aligned = { misaligned: false, overlong: false };

/**
 * The value written by the outermost of h trusted proxies in a list each one appends to
 * (SPEC §2.2 step 3), read right to left: a single value as it stands; else index k - h;
 * the leftmost (misaligned) when there are fewer than h. Values left of index k - h are
 * client-supplied and never read. Undefined when the list holds no value or an entry the
 * read passes is longer than a proxy writes (`aligned.overlong`).
 */
export function alignedValue(value: string, h: number): string | undefined {
  aligned.misaligned = false;
  aligned.overlong = false;
  let end = value.length;
  let found = 0;
  let pieces = 0;
  let from = 0;
  let to = 0;
  while (end >= 0 && found < h) {
    let comma = end - 1;
    while (comma >= 0 && value.charCodeAt(comma) !== 0x2c) comma--;
    if (end - comma > MAX_ENTRY_LENGTH || ++pieces > MAX_PIECES) {
      aligned.overlong = true;
      return undefined;
    }
    let a = comma + 1;
    let b = end;
    while (a < b && isOws(value.charCodeAt(a))) a++;
    while (b > a && isOws(value.charCodeAt(b - 1))) b--;
    end = comma;
    if (a === b) continue;
    found++;
    from = a;
    to = b;
  }
  if (found === 0) return undefined;
  if (found < h && found > 1) aligned.misaligned = true;
  return from === 0 && to === value.length ? value : value.slice(from, to);
}

export function protocolOf(value: string): Statement {
  if (value === "https" || value === "http") return value;
  const v = value.trim().toLowerCase();
  return v === "https" || v === "http" ? v : null;
}

/** `X-Forwarded-SSL` / `Front-End-Https`: `on` means https, `off` http. */
export function onOff(value: string): Statement {
  const v = value.trim().toLowerCase();
  return v === "on" ? "https" : v === "off" ? "http" : null;
}

/** Cloudflare's `CF-Visitor: {"scheme":"https"}`; anything else is garbage (never throws). */
export function cfVisitorScheme(value: string): Statement {
  if (value.length > MAX_ENTRY_LENGTH) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null) return null;
  const scheme = (parsed as { scheme?: unknown }).scheme;
  return typeof scheme === "string" ? protocolOf(scheme) : null;
}
