/**
 * IP addresses as sockets and forwarding headers write them: with or without a port,
 * IPv6 with or without brackets, with a zone id. Parsing is ipaddr.js's; this module
 * peels the decorations off, screens the shape (ipaddr.js throws, slowly, on garbage) and
 * caches the result, because the same few addresses arrive on every request.
 */
import ipaddr from "ipaddr.js";
import { BoundedCache } from "../bounded-cache.js";

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * `[2001:db8::1]:4711` → `2001:db8::1`, `192.0.2.1:80` → `192.0.2.1`, `fe80::1%eth0` → `fe80::1`.
 * Returns the input itself when there is nothing to strip (no allocation), or null when
 * the decorations are malformed (an unclosed bracket, a non-numeric port).
 */
export function stripAddress(raw: string): string | null {
  let end = raw.length;
  let start = 0;
  if (raw.charCodeAt(0) === 0x5b /* [ */) {
    const close = raw.indexOf("]");
    if (close < 0) return null;
    if (close + 1 < end) {
      if (raw.charCodeAt(close + 1) !== 0x3a /* : */ || !isPort(raw, close + 2, end)) return null;
    }
    start = 1;
    end = close;
  } else {
    const colon = raw.indexOf(":");
    // Exactly one colon: IPv4 (or a name) with a port. More: a bare IPv6 address.
    if (colon >= 0 && raw.indexOf(":", colon + 1) < 0) {
      if (!isPort(raw, colon + 1, end)) return null;
      end = colon;
    }
  }
  const zone = raw.indexOf("%", start);
  if (zone >= 0 && zone < end) end = zone;
  return start === 0 && end === raw.length ? raw : raw.slice(start, end);
}

function isPort(s: string, from: number, to: number): boolean {
  if (to <= from || to - from > 5) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/**
 * Could this bare string (no port, brackets or zone) be an IP address? A cheap shape test
 * that lets ipaddr.js see only plausible input (it throws, slowly, on the rest) and lets the
 * walk check entries it never uses without parsing them. Exact for IPv4 (four decimal parts,
 * no leading zeros, each at most 255); for IPv6, eight groups of 1-4 hex digits, or fewer
 * with one `::`, the last two optionally written as a dotted quad.
 */
export function hasAddressShape(s: string): boolean {
  const len = s.length;
  if (len < 2 || len > 45) return false;
  const lastColon = s.lastIndexOf(":");
  if (lastColon < 0) return isDottedQuad(s, 0, len);
  // A colon at either end must be half of a `::`.
  if (s.charCodeAt(0) === 0x3a && s.charCodeAt(1) !== 0x3a) return false;
  if (lastColon === len - 1 && s.charCodeAt(len - 2) !== 0x3a) return false;
  const tail = s.indexOf(".") >= 0;
  const hexEnd = tail ? lastColon + 1 : len;
  if (tail && !isDottedQuad(s, hexEnd, len)) return false;
  let groups = tail ? 2 : 0; // a dotted-quad tail stands for two groups
  let digits = 0;
  let doubles = 0;
  for (let i = 0; i < hexEnd; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3a) {
      if (i > 0 && s.charCodeAt(i - 1) === 0x3a) doubles++;
      if (digits > 0) groups++;
      digits = 0;
    } else if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)) {
      if (++digits > 4) return false;
    } else {
      return false;
    }
  }
  if (digits > 0) groups++;
  // Eight groups, or fewer with one `::` standing for at least one zero group.
  return doubles === 0 ? groups === 8 : doubles === 1 && groups <= 7;
}

function isDottedQuad(s: string, from: number, to: number): boolean {
  let parts = 0;
  let value = 0;
  let digits = 0;
  for (let i = from; i <= to; i++) {
    const c = i === to ? 0x2e : s.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || value > 255 || ++parts > 4) return false;
      value = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits === 1 && value === 0) return false; // leading zero: octal to some parsers
      value = value * 10 + (c - 0x30);
      if (++digits > 3) return false;
    } else {
      return false;
    }
  }
  return parts === 4;
}

/**
 * Strictly parse a bare address (no port, brackets or zone): IPv4 only as four decimal
 * parts (no `127.1`, no octal or hex), IPv6 per RFC 4291. IPv4-mapped IPv6 becomes IPv4,
 * so `::ffff:10.0.0.1` matches IPv4 ranges.
 */
function parseBare(bare: string, unmap = true): IpAddress | null {
  if (!hasAddressShape(bare)) return null;
  try {
    if (bare.indexOf(":") < 0) return ipaddr.IPv4.parse(bare);
    const v6 = ipaddr.IPv6.parse(bare);
    return unmap && v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
  } catch {
    return null;
  }
}

/** Is this, as written (port, brackets, zone allowed), shaped like an IP address? See `hasAddressShape`. */
export function looksLikeAddress(raw: string): boolean {
  const bare = stripAddress(raw);
  return bare !== null && hasAddressShape(bare);
}

const parsed = new BoundedCache<IpAddress | null>();

/** Parse an address as written (port, brackets, zone allowed); null when it is not an IP address. */
export function parseAddress(raw: string): IpAddress | null {
  const hit = parsed.get(raw);
  if (hit !== undefined) return hit;
  const bare = stripAddress(raw);
  return parsed.set(raw, bare === null ? null : parseBare(bare));
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

export type Range = readonly [IpAddress, number];

/**
 * Parse one IP address or CIDR range, strictly; IPv4-mapped IPv6 ranges of /96 or longer
 * become IPv4 ranges. Null when invalid.
 */
export function parseRange(entry: string): Range | null {
  const slash = entry.indexOf("/");
  const addrText = slash < 0 ? entry : entry.slice(0, slash);
  if (addrText.indexOf("%") >= 0 || addrText.indexOf("[") >= 0) return null;
  const ip = parseBare(addrText, false);
  if (ip === null) return null;
  const max = ip.kind() === "ipv6" ? 128 : 32;
  let bits = max;
  if (slash >= 0) {
    const digits = entry.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(digits)) return null;
    bits = Number(digits);
    if (bits > max) return null;
  }
  if (ip.kind() === "ipv6") {
    const v6 = ip as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress() && bits >= 96) return [v6.toIPv4Address(), bits - 96];
  }
  return [ip, bits];
}

/** Does the address fall in one of the ranges (IPv4 only against IPv4, IPv6 against IPv6)? */
export function inRanges(ip: IpAddress, ranges: readonly Range[]): boolean {
  const kind = ip.kind();
  for (const [net, bits] of ranges) {
    if (net.kind() === kind && ip.match(net as never, bits)) return true;
  }
  return false;
}

const LOOPBACK = LOOPBACK_RANGES.map((r) => parseRange(r) as Range);
const NOT_PUBLIC = [
  ...LINKLOCAL_RANGES,
  ...UNIQUELOCAL_RANGES,
  ...CGNAT_RANGES,
  ...LOOPBACK_RANGES,
  "0.0.0.0/8",
  "::/128",
].map((r) => parseRange(r) as Range);

const loopback = new BoundedCache<boolean>();

/** Is this (as written: port, brackets, zone allowed) a loopback address (127.0.0.0/8, ::1)? */
export function isLoopbackAddress(address: string): boolean {
  const hit = loopback.get(address);
  if (hit !== undefined) return hit;
  const ip = parseAddress(address);
  return loopback.set(address, ip !== null && inRanges(ip, LOOPBACK));
}

// trust: true checks every request's peer: remember the answers.
const publicity = new BoundedCache<boolean>();

/**
 * Is this a public address: an IP address outside loopback, link-local, unique-local,
 * CGNAT and unspecified? (Documentation ranges count as public: they stand for it.)
 */
export function isPublicAddress(address: string): boolean {
  const hit = publicity.get(address);
  if (hit !== undefined) return hit;
  const ip = parseAddress(address);
  return publicity.set(address, ip !== null && !inRanges(ip, NOT_PUBLIC));
}
