/**
 * Where the walk stops (SPEC §2.2 step 1): a forwarding chain is read right to left from
 * the trusted peer and only as far as trust goes, so a client's own entries (left of the
 * first untrusted address) are never parsed, and no header costs more than MAX_ENTRIES
 * entries however long it is.
 */
import type { Hop } from "../types.js";
import { bareOf } from "./address.js";
import { type ForwardedElement, forwardedElementStart, parseForwardedRange } from "./forwarded.js";
import { NOT_AN_ADDRESS, TRUSTED, type TrustMatcher } from "./trust.js";

/** The most entries of a forwarding list the walk reads (SPEC §2.2 step 1). */
export const MAX_ENTRIES = 32;
/** A list entry longer than this (spaces included) is not what a proxy writes: malformed. */
export const MAX_ENTRY_LENGTH = 256;
/** Empty list entries are skipped, but reading them costs too: at most this many pieces. */
export const MAX_PIECES = 2 * MAX_ENTRIES;

/** How a chain walk ended. */
const CLIENT = 0;
export const MALFORMED = 1;
export const TOO_LONG = 2;

/** The result of the last chain walk (walks are synchronous: one at a time). */
type Chain = typeof chain;
export const chain = {
  end: CLIENT as typeof CLIENT | typeof MALFORMED | typeof TOO_LONG,
  /** How many entries the walk believed: the client's index, the peer being 0. */
  clientIndex: 0,
  client: null as string | null,
  /** The entry that stopped the walk as malformed, for the message. */
  bad: "",
  /** Forwarded: the element of the outermost trusted proxy (the last one read). */
  record: null as ForwardedElement | null,
};

/**
 * Walk X-Forwarded-For right to left from the trusted peer (its rightmost entry is hop 1):
 * stop at the first entry that is untrusted or not an address, or after MAX_ENTRIES. Leaves
 * the outcome in `chain`; records hops when given a list.
 */
export function walkXff(value: string, trust: TrustMatcher, hops: Hop[] | null): Chain {
  chain.record = null;
  let end = value.length;
  let i = 0;
  let pieces = 0;
  let last: string | null = null;
  while (end >= 0) {
    // The piece [start, end) ends at `end`; `comma` is the comma before it, or -1.
    let comma = end - 1;
    while (comma >= 0 && value.charCodeAt(comma) !== 0x2c) {
      if (end - comma > MAX_ENTRY_LENGTH)
        return stopMalformed(i + 1, value.slice(comma, end), hops, XFF);
      comma--;
    }
    if (++pieces > MAX_PIECES) return stopTooLong(i);
    let from = comma + 1;
    let to = end;
    while (from < to && isOws(value.charCodeAt(from))) from++;
    while (to > from && isOws(value.charCodeAt(to - 1))) to--;
    end = comma;
    if (from === to) continue; // an empty list entry (RFC 9110 §5.6.1)
    if (++i > MAX_ENTRIES) return stopTooLong(MAX_ENTRIES);
    const verdict = trust.classifyAt(value, from, to);
    if (verdict === NOT_AN_ADDRESS) return stopMalformed(i, value.slice(from, to), hops, XFF);
    const bare = bareOf(value);
    const trusted = i < trust.hops && verdict === TRUSTED;
    if (hops !== null) hops.push({ address: bare, trusted, from: "x-forwarded-for" });
    last = bare;
    if (!trusted) return stopAt(i, bare);
  }
  // Every entry was trusted: the last one is the client.
  return stopAt(i, i === 0 ? null : last);
}

/** Walk Forwarded's elements right to left, as `walkXff`; the client's element is `chain.record`. */
export function walkForwarded(value: string, trust: TrustMatcher, hops: Hop[]): Chain {
  chain.record = null;
  let end = value.length;
  let i = 0;
  let pieces = 0;
  let last: string | null = null;
  while (end >= 0) {
    const comma = forwardedElementStart(value, end);
    if (comma === -2)
      return stopMalformed(i + 1, value.slice(Math.max(0, end - 80), end), hops, FWD);
    if (++pieces > MAX_PIECES) return stopTooLong(i);
    const from = comma + 1;
    const to = end;
    end = comma;
    if (isBlankRange(value, from, to)) continue;
    if (++i > MAX_ENTRIES) return stopTooLong(MAX_ENTRIES);
    const parsed = parseForwardedRange(value, from, to);
    if (parsed === null || parsed.length !== 1) {
      return stopMalformed(i, value.slice(from, to).trim(), hops, FWD);
    }
    const element = parsed[0] as ForwardedElement;
    chain.record = element;
    // An element without for= counts as for=unknown.
    const node = element.for ?? "unknown";
    const verdict = trust.classifyAt(node, 0, node.length);
    const address = verdict === NOT_AN_ADDRESS ? node : bareOf(node);
    const trusted = i < trust.hops && verdict === TRUSTED;
    hops.push({ address, trusted, from: "forwarded" });
    last = address;
    if (!trusted) return stopAt(i, address);
  }
  // Nothing but separators: present, yet unusable.
  return i === 0 ? stopMalformed(1, value, hops, FWD) : stopAt(i, last);
}

function stopAt(c: number, client: string | null): Chain {
  chain.end = CLIENT;
  chain.clientIndex = c;
  chain.client = client;
  return chain;
}

const XFF = "x-forwarded-for";
const FWD = "forwarded";

function stopMalformed(c: number, bad: string, hops: Hop[] | null, from: Hop["from"]): Chain {
  chain.end = MALFORMED;
  chain.clientIndex = c;
  chain.client = null;
  chain.bad = bad;
  chain.record = null;
  if (hops !== null) hops.push({ address: bad, trusted: false, from });
  return chain;
}

function stopTooLong(c: number): Chain {
  chain.end = TOO_LONG;
  chain.clientIndex = c;
  chain.client = null;
  return chain;
}

function isBlankRange(value: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isOws(value.charCodeAt(i))) return false;
  return true;
}

/** Optional white space (RFC 9110 §5.6.3). */
export function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}
