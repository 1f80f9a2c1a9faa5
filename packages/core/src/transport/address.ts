/**
 * IP addresses as sockets and forwarding headers write them (SPEC §2.2): strict syntax,
 * parsed by hand into numbers in one pass, because the walk parses the addresses of every
 * request and matches them against ranges compiled once. IPv4 is four decimal parts
 * without leading zeros; IPv6 per RFC 4291; brackets and zone ids only around IPv6; a port
 * is 1-65535. `::ffff:a.b.c.d` (in any spelling) is the only IPv4 embedding: it parses as
 * IPv4, so it matches IPv4 ranges.
 *
 * Parsing is synchronous, so the result of the last parse is left in `IP` rather than in a
 * new object per address.
 */

export const NOT_IP = 0;
export const IPV4 = 4;
export const IPV6 = 6;
export type IpKind = typeof NOT_IP | typeof IPV4 | typeof IPV6;

/** The last parsed address: `v4` (unsigned 32-bit) for IPv4, `v6` (eight groups) for IPv6. */
export const IP = {
  v4: 0,
  v6: new Uint16Array(8),
  /** Bounds of the bare address (no port, brackets or zone) in the string parsed last. */
  from: 0,
  to: 0,
};

const groups = new Uint16Array(8);

/** `s[from, to)` as a dotted quad (unsigned 32-bit), or -1. */
function parseV4(s: string, from: number, to: number): number {
  return scanV4(s, from, to) === to ? IP.v4 : -1;
}

/**
 * Read a dotted quad from `s[from, ...)` into `IP.v4`, up to `to` or the first character
 * that cannot continue it: the index where it ends, or -1 when what precedes is not one.
 */
function scanV4(s: string, from: number, to: number): number {
  let value = 0;
  let i = from;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= to || s.charCodeAt(i) !== 0x2e /* . */) return -1;
      i++;
    }
    const start = i;
    let n = 0;
    while (i < to && i - start < 4) {
      const d = s.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
      i++;
    }
    const digits = i - start;
    // No leading zeros: octal to some parsers.
    if (digits === 0 || digits > 3 || n > 255 || (digits > 1 && s.charCodeAt(start) === 0x30))
      return -1;
    value = value * 256 + n;
  }
  IP.v4 = value;
  return i;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/** `s[from, to)` as IPv6 into `IP.v6`; false when it is not one. */
function parseV6(s: string, from: number, to: number): boolean {
  let n = 0;
  let gap = -1; // index in `groups` where `::` stands
  let i = from;
  if (i + 1 < to && s.charCodeAt(i) === 0x3a && s.charCodeAt(i + 1) === 0x3a) {
    gap = 0;
    i += 2;
  }
  while (i < to) {
    const start = i;
    let value = 0;
    for (; i < to; i++) {
      const h = hexValue(s.charCodeAt(i));
      if (h < 0) break;
      value = value * 16 + h;
    }
    if (i < to && s.charCodeAt(i) === 0x2e /* . */) {
      // A dotted quad stands for the last two groups.
      if (n > 6) return false;
      const v4 = parseV4(s, start, to);
      if (v4 < 0) return false;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      i = to;
      break;
    }
    const digits = i - start;
    if (digits === 0 || digits > 4 || n === 8) return false;
    groups[n++] = value;
    if (i === to) break;
    if (s.charCodeAt(i) !== 0x3a /* : */) return false;
    i++;
    if (i < to && s.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return false;
      gap = n;
      i++;
    } else if (i === to) {
      return false; // a single trailing colon
    }
  }
  const v6 = IP.v6;
  if (gap < 0) {
    if (n !== 8) return false;
    v6.set(groups);
    return true;
  }
  if (n > 7) return false; // `::` stands for at least one group
  const tail = n - gap;
  for (let g = 0; g < gap; g++) v6[g] = groups[g] as number;
  for (let g = gap; g < 8 - tail; g++) v6[g] = 0;
  for (let g = 0; g < tail; g++) v6[8 - tail + g] = groups[gap + g] as number;
  return true;
}

/** Is the parsed IPv6 address `::ffff:a.b.c.d`? */
function isMapped(v6: Uint16Array): boolean {
  return (
    v6[0] === 0 && v6[1] === 0 && v6[2] === 0 && v6[3] === 0 && v6[4] === 0 && v6[5] === 0xffff
  );
}

/**
 * Parse the bare address `s[from, to)` (no port, brackets or zone) into `IP`. With `unmap`,
 * an IPv4-mapped IPv6 address is IPv4.
 */
export function parseBareAt(s: string, from: number, to: number, unmap = true): IpKind {
  IP.from = from;
  IP.to = to;
  if (to - from < 2 || to - from > 45) return NOT_IP;
  let colon = false;
  for (let i = from; i < to; i++) {
    if (s.charCodeAt(i) === 0x3a) {
      colon = true;
      break;
    }
  }
  if (!colon) {
    const v4 = parseV4(s, from, to);
    if (v4 < 0) return NOT_IP;
    IP.v4 = v4;
    return IPV4;
  }
  if (!parseV6(s, from, to)) return NOT_IP;
  if (unmap && isMapped(IP.v6)) {
    IP.v4 = (IP.v6[6] as number) * 0x10000 + (IP.v6[7] as number);
    return IPV4;
  }
  return IPV6;
}

function isPort(s: string, from: number, to: number): boolean {
  if (to <= from || to - from > 5 || s.charCodeAt(from) === 0x30) return false;
  let port = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
    port = port * 10 + (c - 0x30);
  }
  return port <= 65535;
}

/** RFC 6874 zone id: one or more unreserved characters. */
function isZone(s: string, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    const ok =
      (c >= 0x30 && c <= 0x39) ||
      ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) ||
      c === 0x2e ||
      c === 0x5f ||
      c === 0x7e ||
      c === 0x2d;
    if (!ok) return false;
  }
  return true;
}

/** IPv6 `s[from, to)` with an optional `%zone`; sets `IP.to` to the end of the address. */
function parseV6WithZone(s: string, from: number, to: number): IpKind {
  let end = to;
  for (let i = from; i < to; i++) {
    if (s.charCodeAt(i) === 0x25 /* % */) {
      if (!isZone(s, i + 1, to)) return NOT_IP;
      end = i;
      break;
    }
  }
  // Brackets and zones are for IPv6 syntax only (`[10.0.0.3]`, `127.0.0.1%eth0` are malformed).
  let colon = false;
  for (let i = from; i < end; i++) {
    if (s.charCodeAt(i) === 0x3a) {
      colon = true;
      break;
    }
  }
  return colon ? parseBareAt(s, from, end) : NOT_IP;
}

/**
 * Parse an address as written in `s[from, to)`: `192.0.2.1`, `192.0.2.1:80`, `2001:db8::1`,
 * `[2001:db8::1]:4711`, `fe80::1%eth0`. On success `IP` holds the address and the bounds
 * of its bare form.
 */
export function parseAddressAt(s: string, from: number, to: number): IpKind {
  if (to - from > 256 || to <= from) return NOT_IP;
  if (s.charCodeAt(from) === 0x5b /* [ */) {
    let close = -1;
    for (let i = from + 1; i < to; i++) {
      if (s.charCodeAt(i) === 0x5d /* ] */) {
        close = i;
        break;
      }
    }
    if (close < 0) return NOT_IP;
    if (close + 1 < to && (s.charCodeAt(close + 1) !== 0x3a || !isPort(s, close + 2, to)))
      return NOT_IP;
    return parseV6WithZone(s, from + 1, close);
  }
  // IPv4, optionally with a port, in one pass; anything else must be IPv6.
  const end = scanV4(s, from, to);
  if (end === to || (end > 0 && s.charCodeAt(end) === 0x3a && isPort(s, end + 1, to))) {
    IP.from = from;
    IP.to = end;
    return IPV4;
  }
  return parseV6WithZone(s, from, to);
}

/** `parseAddressAt` over a whole string. */
export function parseAddress(s: string): IpKind {
  return parseAddressAt(s, 0, s.length);
}

/** The bare form of the address parsed last from `s` (`s` itself when nothing was stripped). */
export function bareOf(s: string): string {
  return IP.from === 0 && IP.to === s.length ? s : s.slice(IP.from, IP.to);
}

/**
 * IP ranges compiled for matching: IPv4 as (network, mask) pairs, IPv6 as network groups
 * with a prefix length.
 */
export interface Ranges {
  readonly v4: readonly number[];
  readonly v6: readonly { readonly net: Uint16Array; readonly bits: number }[];
}

interface Range {
  readonly kind: typeof IPV4 | typeof IPV6;
  readonly v4: number;
  readonly v6: Uint16Array;
  readonly bits: number;
}

/**
 * One IP address or CIDR range, strictly (no port, brackets or zone). IPv4-mapped IPv6
 * ranges of /96 or longer are IPv4 ranges. Null when invalid.
 */
export function parseRange(entry: string): Range | null {
  if (typeof entry !== "string") return null;
  const slash = entry.indexOf("/");
  const end = slash < 0 ? entry.length : slash;
  const kind = parseBareAt(entry, 0, end, false);
  if (kind === NOT_IP) return null;
  const max = kind === IPV6 ? 128 : 32;
  let bits = max;
  if (slash >= 0) {
    const digits = entry.length - slash - 1;
    if (digits < 1 || digits > 3 || (digits > 1 && entry.charCodeAt(slash + 1) === 0x30))
      return null;
    bits = 0;
    for (let i = slash + 1; i < entry.length; i++) {
      const c = entry.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return null;
      bits = bits * 10 + (c - 0x30);
    }
    if (bits > max) return null;
  }
  if (kind === IPV6 && isMapped(IP.v6) && bits >= 96) {
    return {
      kind: IPV4,
      v4: (IP.v6[6] as number) * 0x10000 + (IP.v6[7] as number),
      v6: IP.v6.slice(),
      bits: bits - 96,
    };
  }
  return { kind, v4: IP.v4, v6: IP.v6.slice(), bits };
}

/** Compile valid ranges (`parseRange` texts) once, for `inRanges`. */
export function compileRanges(entries: readonly string[]): Ranges {
  const v4: number[] = [];
  const v6: { net: Uint16Array; bits: number }[] = [];
  for (const entry of entries) {
    const range = parseRange(entry);
    if (range === null)
      throw new TypeError(`${JSON.stringify(entry)} is not an IP address or CIDR range`);
    if (range.kind === IPV4) {
      const mask = range.bits === 0 ? 0 : (0xffffffff << (32 - range.bits)) >>> 0;
      v4.push((range.v4 & mask) >>> 0, mask);
    } else {
      const net = range.v6.slice();
      for (let g = 0; g < 8; g++) net[g] = (net[g] as number) & groupMask(range.bits, g);
      v6.push({ net, bits: range.bits });
    }
  }
  return { v4, v6 };
}

function groupMask(bits: number, group: number): number {
  const inGroup = bits - group * 16;
  return inGroup >= 16 ? 0xffff : inGroup <= 0 ? 0 : (0xffff << (16 - inGroup)) & 0xffff;
}

/** Does the address parsed last (of `kind`) fall in one of the ranges? */
export function inRanges(kind: IpKind, ranges: Ranges): boolean {
  if (kind === IPV4) {
    const ip = IP.v4;
    const v4 = ranges.v4;
    for (let i = 0; i < v4.length; i += 2) {
      if ((ip & (v4[i + 1] as number)) >>> 0 === v4[i]) return true;
    }
    return false;
  }
  if (kind !== IPV6) return false;
  const ip = IP.v6;
  outer: for (const { net, bits } of ranges.v6) {
    for (let g = 0; g < 8 && g * 16 < bits; g++) {
      if (((ip[g] as number) & groupMask(bits, g)) !== net[g]) continue outer;
    }
    return true;
  }
  return false;
}

const LOOPBACK_RANGES = ["127.0.0.0/8", "::1/128"];
const LINKLOCAL_RANGES = ["169.254.0.0/16", "fe80::/10"];
const UNIQUELOCAL_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"];
const CGNAT_RANGES = ["100.64.0.0/10"];

/** Named ranges of the trust presets (SPEC §2.2). */
export const PRESETS: Readonly<Record<string, readonly string[]>> = {
  loopback: LOOPBACK_RANGES,
  linklocal: LINKLOCAL_RANGES,
  uniquelocal: UNIQUELOCAL_RANGES,
  cgnat: CGNAT_RANGES,
  private: [...LINKLOCAL_RANGES, ...UNIQUELOCAL_RANGES, ...CGNAT_RANGES],
};

const LOOPBACK = compileRanges(LOOPBACK_RANGES);
const NOT_PUBLIC = compileRanges([
  ...LINKLOCAL_RANGES,
  ...UNIQUELOCAL_RANGES,
  ...CGNAT_RANGES,
  ...LOOPBACK_RANGES,
  "0.0.0.0/8",
  "::/128",
]);

/** Is this (as written: port, brackets, zone allowed) a loopback address (127.0.0.0/8, ::1)? */
export function isLoopbackAddress(address: string): boolean {
  return inRanges(parseAddress(address), LOOPBACK);
}

/**
 * Is this a public address: an IP address outside loopback, link-local, unique-local,
 * CGNAT and unspecified? (Documentation ranges count as public: they stand for it.)
 */
export function isPublicAddress(address: string): boolean {
  const kind = parseAddress(address);
  return kind !== NOT_IP && !inRanges(kind, NOT_PUBLIC);
}
