/**
 * Strict request-host syntax (SPEC §2.2 step 6, §2.4): a DNS name or an IP literal with an
 * optional port, nothing else. What passes here can be written into a Location header.
 */
import { IP, IPV4, IPV6, parseBareAt } from "./address.js";

export interface ParsedHost {
  /** Lower-cased name, IPv4 dotted quad, or IPv6 in brackets. */
  readonly host: string;
  readonly port: number | null;
}

/**
 * Parse a Host / `:authority` / X-Forwarded-Host value. Null for anything but
 * `name[:port]` or `ip[:port]` (userinfo, paths, spaces, control characters, zone ids,
 * ports outside 1-65535, `127.1`-style numbers).
 */
export function parseHost(value: string): ParsedHost | null {
  const facts = hostFacts(value);
  return facts === null ? null : { host: facts.host, port: facts.port };
}

/** `parseHost` plus whether the host is localhost: what the walk needs per request. */
export interface HostFacts extends ParsedHost {
  readonly localhost: boolean;
}

export function hostFacts(value: string): HostFacts | null {
  if (typeof value !== "string" || value.length === 0 || value.length > 262) return null;
  // One site's requests bring the same Host: the previous answer (a pure function of the
  // string, never handed out) is kept for the next request.
  if (value !== lastHost) {
    lastHost = value;
    lastFacts = parse(value);
  }
  return lastFacts;
}
let lastHost: string | undefined;
let lastFacts: HostFacts | null = null;

/** `hostFacts` without the previous answer (for tests). */
export function hostFactsFresh(value: string): HostFacts | null {
  if (typeof value !== "string" || value.length === 0 || value.length > 262) return null;
  return parse(value);
}

function parse(value: string): HostFacts | null {
  let host: string;
  let rest: number;
  let localhost: boolean;
  if (value.charCodeAt(0) === 0x5b /* [ */) {
    const close = value.indexOf("]");
    if (close < 0) return null;
    const inner = value.slice(1, close);
    if (!isIpv6(inner)) return null;
    host = `[${inner.toLowerCase()}]`;
    localhost = isV6Loopback();
    rest = close + 1;
  } else {
    const colon = value.indexOf(":");
    const name = colon < 0 ? value : value.slice(0, colon);
    // Validate before lower-casing: Unicode case mapping turns some non-ASCII letters into ASCII.
    if (isValidHostName(name)) {
      host = name.toLowerCase();
      localhost = host === "localhost" || host.endsWith(".localhost");
    } else if (isIpv4(name)) {
      host = name;
      localhost = IP.v4 >>> 24 === 127;
    } else {
      return null;
    }
    rest = colon < 0 ? value.length : colon;
  }
  if (rest === value.length) return { host, port: null, localhost };
  if (value.charCodeAt(rest) !== 0x3a /* : */) return null;
  const port = parsePort(value, rest + 1);
  return port === null ? null : { host, port, localhost };
}

function parsePort(s: string, from: number): number | null {
  if (from >= s.length || s.length - from > 5) return null;
  let port = 0;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return null;
    port = port * 10 + (c - 0x30);
  }
  return port >= 1 && port <= 65535 ? port : null;
}

/**
 * A DNS name: labels of 1-63 letters, digits and hyphens (not at a label's start or end,
 * RFC 1123), 253 characters at most, no trailing dot. A name whose last label is all digits
 * is refused: URL parsers read it as an IPv4 number (`127.1`), so it is either a valid
 * dotted quad (see `isIpLiteral`) or nothing.
 */
export function isValidHostName(name: string): boolean {
  if (typeof name !== "string" || name.length === 0 || name.length > 253) return false;
  let labelStart = 0;
  let digitsOnly = true;
  for (let i = 0; i <= name.length; i++) {
    const c = i === name.length ? 0x2e : name.charCodeAt(i);
    if (c === 0x2e /* . */) {
      const size = i - labelStart;
      if (size < 1 || size > 63) return false;
      if (name.charCodeAt(labelStart) === 0x2d || name.charCodeAt(i - 1) === 0x2d) return false;
      if (i === name.length && digitsOnly) return false;
      labelStart = i + 1;
      digitsOnly = true;
      continue;
    }
    if (c >= 0x30 && c <= 0x39) continue;
    digitsOnly = false;
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x2d) continue;
    return false;
  }
  return true;
}

function isIpv4(s: string): boolean {
  return s.indexOf(":") < 0 && parseBareAt(s, 0, s.length) === IPV4;
}

/** IPv6 without brackets or zone id (`::ffff:` addresses included: IPv6 syntax). */
function isIpv6(s: string): boolean {
  return s.indexOf(":") >= 0 && parseBareAt(s, 0, s.length, false) === IPV6;
}

/** An IP literal as a host: a dotted quad, or IPv6 with or without brackets (no zone id). */
export function isIpLiteral(host: string): boolean {
  if (typeof host !== "string") return false;
  if (host.charCodeAt(0) === 0x5b) {
    return host.charCodeAt(host.length - 1) === 0x5d && isIpv6(host.slice(1, -1));
  }
  return host.indexOf(":") >= 0 ? isIpv6(host) : isIpv4(host);
}

/** `localhost`, `*.localhost`, 127.0.0.0/8 or `::1` (host without port; brackets allowed). */
export function isLocalhostHost(host: string): boolean {
  if (typeof host !== "string") return false;
  const name = host.toLowerCase();
  if (name === "localhost" || (name.endsWith(".localhost") && isValidHostName(host))) return true;
  if (!isIpLiteral(name)) return false;
  if (name.indexOf(":") < 0) return name.startsWith("127.");
  const bare = name.charCodeAt(0) === 0x5b ? name.slice(1, -1) : name;
  return parseBareAt(bare, 0, bare.length, false) === IPV6 && isV6Loopback();
}

/** Is the IPv6 address parsed last `::1`? */
function isV6Loopback(): boolean {
  const v6 = IP.v6;
  for (let g = 0; g < 7; g++) if (v6[g] !== 0) return false;
  return v6[7] === 1;
}
