/**
 * `proxy.trust` compiled once into a matcher (SPEC §2.2). A request's addresses then cost
 * one cache lookup each: verdicts are cached per address as written.
 */

import { BoundedCache } from "../bounded-cache.js";
import type { TrustSetting } from "../types.js";
import {
  inRanges,
  PRESETS,
  parseAddress,
  parseRange,
  type Range,
  stripAddress,
} from "./address.js";

/** What the walk learns about one address: not an IP, an IP it may not trust, one it may. */
export const NOT_AN_ADDRESS = 0;
export const UNTRUSTED = 1;
export const TRUSTED = 2;
export type Verdict = typeof NOT_AN_ADDRESS | typeof UNTRUSTED | typeof TRUSTED;

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
  /** `isTrusted`, "is it an IP address at all" and its bare form, in one cached lookup. */
  classify(address: string): Classified;
}

export interface Classified {
  readonly verdict: Verdict;
  /** The address without port, brackets or zone id; the input as written when not an IP address. */
  readonly address: string;
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
  if (setting === false) return makeMatcher("none", 0, () => false);
  if (setting === true) return makeMatcher("all", Number.POSITIVE_INFINITY, () => true);
  if (typeof setting === "number") {
    if (!Number.isInteger(setting) || setting < 0) {
      throw new TypeError(`proxy.trust: ${setting} is not a whole number of hops`);
    }
    return makeMatcher("hops", setting, () => true);
  }
  if (!Array.isArray(setting))
    throw new TypeError("proxy.trust must be a boolean, a number or a list");
  const ranges: Range[] = [];
  for (const entry of setting) {
    const error = trustEntryError(entry);
    if (error !== null) throw new TypeError(`proxy.trust: ${error}`);
    const preset = PRESETS[entry];
    for (const text of preset ?? [entry]) ranges.push(parseRange(text) as Range);
  }
  return makeMatcher("list", Number.POSITIVE_INFINITY, (ip) => inRanges(ip, ranges));
}

function makeMatcher(
  kind: TrustMatcher["kind"],
  hops: number,
  matches: (ip: NonNullable<ReturnType<typeof parseAddress>>) => boolean,
): TrustMatcher {
  const cache = new BoundedCache<Classified>();
  const classify = (address: string): Classified => {
    const hit = cache.get(address);
    if (hit !== undefined) return hit;
    const ip = parseAddress(address);
    const verdict = ip === null ? NOT_AN_ADDRESS : matches(ip) ? TRUSTED : UNTRUSTED;
    return cache.set(address, { verdict, address: (ip && stripAddress(address)) ?? address });
  };
  return {
    kind,
    hops,
    classify,
    isTrusted: (address) => classify(address).verdict === TRUSTED,
  };
}
