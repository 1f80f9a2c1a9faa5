/**
 * IP addresses as sockets and forwarding headers write them: with or without a port,
 * IPv6 with or without brackets, with a zone id. Parsing is ipaddr.js's; this module only
 * peels the decorations off and caches the result, because the same few addresses
 * arrive on every request.
 */
import ipaddr from "ipaddr.js";

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
 * Strictly parse a bare address (no port, brackets or zone): IPv4 only as four decimal
 * parts (no `127.1`, no octal or hex), IPv6 per RFC 4291. IPv4-mapped IPv6 becomes IPv4,
 * so `::ffff:10.0.0.1` matches IPv4 ranges.
 */
function parseBare(bare: string): IpAddress | null {
  if (bare.indexOf(":") >= 0) {
    if (!ipaddr.IPv6.isValid(bare)) return null;
    const v6 = ipaddr.IPv6.parse(bare);
    return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
  }
  return ipaddr.IPv4.isValidFourPartDecimal(bare) ? ipaddr.IPv4.parse(bare) : null;
}

/** A bounded cache: cleared when full, so a flood of distinct addresses costs memory once. */
export class BoundedCache<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly limit = 1024) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, value: V): V {
    if (this.map.size >= this.limit) this.map.clear();
    this.map.set(key, value);
    return value;
  }
}

const parsed = new BoundedCache<IpAddress | null>();

/** Parse an address as written (port, brackets, zone allowed); null when it is not an IP address. */
export function parseAddress(raw: string): IpAddress | null {
  const hit = parsed.get(raw);
  if (hit !== undefined) return hit;
  const bare = stripAddress(raw);
  let ip: IpAddress | null = null;
  if (bare !== null && bare.length > 0 && bare.length <= 64) {
    // ipaddr.js reports errors by throwing on some inputs; an address that throws is no address.
    try {
      ip = parseBare(bare);
    } catch {
      ip = null;
    }
  }
  return parsed.set(raw, ip);
}

/** Named ranges of the trust presets (SPEC §2.2). */
export const PRESETS: Readonly<Record<string, readonly string[]>> = {
  loopback: ["127.0.0.0/8", "::1/128"],
  linklocal: ["169.254.0.0/16", "fe80::/10"],
  uniquelocal: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
  cgnat: ["100.64.0.0/10"],
  private: [
    "169.254.0.0/16",
    "fe80::/10",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "fc00::/7",
    "100.64.0.0/10",
  ],
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
  let ip: IpAddress | null;
  try {
    ip =
      addrText.indexOf(":") >= 0
        ? ipaddr.IPv6.isValid(addrText)
          ? ipaddr.IPv6.parse(addrText)
          : null
        : ipaddr.IPv4.isValidFourPartDecimal(addrText)
          ? ipaddr.IPv4.parse(addrText)
          : null;
  } catch {
    ip = null;
  }
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

const LOOPBACK = PRESETS.loopback?.map((r) => parseRange(r) as Range) ?? [];
const NOT_PUBLIC = [
  ...(PRESETS.private ?? []),
  ...(PRESETS.loopback ?? []),
  "0.0.0.0/8",
  "::/128",
].map((r) => parseRange(r) as Range);

/** Is this (as written: port, brackets, zone allowed) a loopback address (127.0.0.0/8, ::1)? */
export function isLoopbackAddress(address: string): boolean {
  const ip = parseAddress(address);
  return ip !== null && inRanges(ip, LOOPBACK);
}

/**
 * Is this a public address: an IP address outside loopback, link-local, unique-local,
 * CGNAT and unspecified? (Documentation ranges count as public: they stand for it.)
 */
export function isPublicAddress(address: string): boolean {
  const ip = parseAddress(address);
  return ip !== null && !inRanges(ip, NOT_PUBLIC);
}
