/**
 * `proxy.trust` compiled once into a matcher (SPEC §2.2): address lists become numeric
 * ranges, so a request's addresses are parsed and matched without a cache or an allocation.
 */
import type { TrustSetting } from "../types.js";
import {
  compileRanges,
  inRanges,
  NOT_IP,
  PRESETS,
  parseAddressAt,
  parseRange,
  type Ranges,
} from "./address.js";

/** What trust makes of one address: not an IP, an IP it may not trust, one it may. */
export const NOT_AN_ADDRESS = 0;
export const UNTRUSTED = 1;
export const TRUSTED = 2;
export type AddressTrust = typeof NOT_AN_ADDRESS | typeof UNTRUSTED | typeof TRUSTED;

export interface TrustMatcher {
  /** `false` → none, `true` → all, a number → hops, a list → list. */
  readonly kind: "none" | "all" | "hops" | "list";
  /**
   * How many hops, nearest first, may be trusted at most: 0 for none, N for a hop count,
   * Infinity for all and lists. The walk trusts hop i only if `i < hops` and the address
   * is trusted.
   */
  readonly hops: number;
  /**
   * May this address (port, brackets, zone allowed) be a trusted hop? Never for strings
   * that are not IP addresses (`unknown`, `_hidden`). A hop count also limits position:
   * see `hops`.
   */
  isTrusted(address: string): boolean;
  /**
   * What trust makes of the address written in `s[from, to)`. On an address, `IP.from`/`IP.to`
   * (./address.ts) then bound its bare form.
   */
  classifyAt(s: string, from: number, to: number): AddressTrust;
}

/** Null when a `proxy.trust` list entry is a valid address, CIDR range or preset, else why not. */
export function trustEntryError(entry: unknown): string | null {
  if (typeof entry !== "string")
    return `${describe(entry)} is not an IP address, CIDR range or preset`;
  if (Object.hasOwn(PRESETS, entry)) return null;
  if (parseRange(entry) !== null) return null;
  const message = `${JSON.stringify(entry)} is not an IP address or CIDR range`;
  // A word is most likely a misspelt preset: name them.
  return /^[a-z]+$/i.test(entry)
    ? `${message} (presets: ${Object.keys(PRESETS).join(", ")})`
    : message;
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Compile a `proxy.trust` setting. Throws a TypeError on an invalid setting (validate first). */
export function compileTrust(setting: TrustSetting): TrustMatcher {
  if (setting === false) return makeMatcher("none", 0, null);
  if (setting === true) return makeMatcher("all", Number.POSITIVE_INFINITY, null);
  if (typeof setting === "number") {
    if (!Number.isInteger(setting) || setting < 0) {
      throw new TypeError(`proxy.trust: ${setting} is not a whole number of hops`);
    }
    return makeMatcher("hops", setting, null);
  }
  if (!Array.isArray(setting))
    throw new TypeError("proxy.trust must be a boolean, a number or a list");
  const texts: string[] = [];
  for (const entry of setting) {
    const error = trustEntryError(entry);
    if (error !== null) throw new TypeError(`proxy.trust: ${error}`);
    texts.push(...(PRESETS[entry] ?? [entry]));
  }
  return makeMatcher("list", Number.POSITIVE_INFINITY, compileRanges(texts));
}

/** `ranges` null: every IP address may be trusted (none, all, hop counts limit by position). */
function makeMatcher(
  kind: TrustMatcher["kind"],
  hops: number,
  ranges: Ranges | null,
): TrustMatcher {
  const classifyAt = (s: string, from: number, to: number): AddressTrust => {
    const ip = parseAddressAt(s, from, to);
    if (ip === NOT_IP) return NOT_AN_ADDRESS;
    if (kind === "none") return UNTRUSTED;
    return ranges === null || inRanges(ip, ranges) ? TRUSTED : UNTRUSTED;
  };
  return Object.freeze({
    kind,
    hops,
    classifyAt,
    isTrusted: (address: string) =>
      typeof address === "string" && classifyAt(address, 0, address.length) === TRUSTED,
  });
}
