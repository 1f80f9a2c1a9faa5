/**
 * RFC 7239 `Forwarded` parser. One pass over the string, no regex, never throws:
 * a header that does not follow the grammar yields null (the walk then treats it as
 * absent and reports TRANSPORT_FORWARDED_MALFORMED).
 */
import { hasAddressShape } from "./address.js";

/** One forwarded-element, values unquoted. Unknown extension parameters are dropped. */
export interface ForwardedElement {
  for?: string;
  by?: string;
  host?: string;
  proto?: string;
}

// RFC 9110 tchar: ALPHA / DIGIT / "!#$%&'*+-.^_`|~"
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TCHAR[c.charCodeAt(0)] = 1;
}
const isTchar = (c: number) => c < 128 && TCHAR[c] === 1;
const isOws = (c: number) => c === 0x20 || c === 0x09;

/** Parse a `Forwarded` header value. Null when it does not parse or holds no element. */
export function parseForwarded(value: string): ForwardedElement[] | null {
  if (typeof value !== "string") return null;
  const elements: ForwardedElement[] = [];
  const len = value.length;
  let current: ForwardedElement | null = null;
  let i = 0;
  for (;;) {
    while (i < len && isOws(value.charCodeAt(i))) i++;
    if (i >= len) break;
    let c = value.charCodeAt(i);
    if (c === 0x2c /* , */) {
      if (current !== null) elements.push(current);
      current = null;
      i++;
      continue;
    }
    if (c === 0x3b /* ; */) {
      i++;
      continue;
    }
    // forwarded-pair = token "=" value
    const nameStart = i;
    while (i < len && isTchar(value.charCodeAt(i))) i++;
    if (i === nameStart || i >= len || value.charCodeAt(i) !== 0x3d /* = */) return null;
    const name = knownParameter(value, nameStart, i);
    i++;
    let param: string;
    if (i < len && value.charCodeAt(i) === 0x22 /* " */) {
      i++;
      let out = "";
      let chunk = i;
      let closed = false;
      while (i < len) {
        c = value.charCodeAt(i);
        if (c === 0x22) {
          closed = true;
          break;
        }
        if (c === 0x5c /* \ */) {
          out += value.slice(chunk, i);
          i++;
          if (i >= len || !isQuotedPairChar(value.charCodeAt(i))) return null;
          chunk = i;
          i++;
          continue;
        }
        if (!isQdtext(c)) return null;
        i++;
      }
      if (!closed) return null;
      param = out + value.slice(chunk, i);
      i++;
    } else {
      const start = i;
      while (i < len && isTchar(value.charCodeAt(i))) i++;
      if (i === start) return null;
      param = value.slice(start, i);
    }
    current ??= {};
    if (!assign(current, name, param)) return null;
    while (i < len && isOws(value.charCodeAt(i))) i++;
    if (i < len) {
      c = value.charCodeAt(i);
      if (c !== 0x3b && c !== 0x2c) return null;
    }
  }
  if (current !== null) elements.push(current);
  return elements.length > 0 ? elements : null;
}

// qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
function isQdtext(c: number): boolean {
  return (
    c === 0x09 ||
    c === 0x20 ||
    c === 0x21 ||
    (c >= 0x23 && c <= 0x7e && c !== 0x5c) ||
    (c >= 0x80 && c <= 0xff)
  );
}
// quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
function isQuotedPairChar(c: number): boolean {
  return c === 0x09 || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff);
}

type Parameter = keyof ForwardedElement;
const PARAMETERS: readonly Parameter[] = ["for", "by", "host", "proto"];

/** The parameter named by value[start, end), case-insensitively, or null for an extension. */
function knownParameter(value: string, start: number, end: number): Parameter | null {
  outer: for (const name of PARAMETERS) {
    if (name.length !== end - start) continue;
    for (let j = 0; j < name.length; j++) {
      if ((value.charCodeAt(start + j) | 0x20) !== name.charCodeAt(j)) continue outer;
    }
    return name;
  }
  return null;
}

/** Store a known parameter; false for a repeated one or a malformed node (RFC 7239 §4, §6). */
function assign(element: ForwardedElement, name: Parameter | null, value: string): boolean {
  if (name === null) return true;
  if (element[name] !== undefined) return false;
  if ((name === "for" || name === "by") && !isNode(value)) return false;
  element[name] = value;
  return true;
}

/**
 * node = nodename [ ":" node-port ]; nodename = IPv4address / "[" IPv6address "]" /
 * "unknown" / obfnode. A bare IPv6 address (no brackets, no port) is accepted too: some
 * proxies write it, and it cannot be mistaken for anything else. Addresses are checked for
 * shape here; the walk parses those it uses (an unparsable one is never trusted).
 */
function isNode(node: string): boolean {
  let name = node;
  let port: string | null = null;
  if (node.charCodeAt(0) === 0x5b /* [ */) {
    const close = node.indexOf("]");
    if (close < 0) return false;
    if (close + 1 < node.length) {
      if (node.charCodeAt(close + 1) !== 0x3a) return false;
      port = node.slice(close + 2);
    }
    name = node.slice(1, close);
    if (name.indexOf(":") < 0) return false;
  } else {
    const colon = node.indexOf(":");
    if (colon >= 0 && node.indexOf(":", colon + 1) < 0) {
      name = node.slice(0, colon);
      port = node.slice(colon + 1);
    }
  }
  if (port !== null && !isNodePort(port)) return false;
  if (name.toLowerCase() === "unknown") return true;
  if (name.charCodeAt(0) === 0x5f /* _ */) return isObfuscated(name);
  return hasAddressShape(name);
}

function isNodePort(port: string): boolean {
  if (port.charCodeAt(0) === 0x5f) return isObfuscated(port);
  if (port.length === 0 || port.length > 5) return false;
  for (let i = 0; i < port.length; i++) {
    const c = port.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

// obfnode / obfport = "_" 1*( ALPHA / DIGIT / "." / "_" / "-" )
function isObfuscated(s: string): boolean {
  if (s.length < 2) return false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok =
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x2e ||
      c === 0x5f ||
      c === 0x2d;
    if (!ok) return false;
  }
  return true;
}
