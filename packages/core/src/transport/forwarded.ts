/**
 * RFC 7239 `Forwarded` parser. One pass over the string, no regex, never throws:
 * a header that does not follow the grammar yields null. The walk parses only the
 * elements it reaches (`forwardedElementStart` finds them from the right), so a client's
 * broken element left of them decides nothing.
 */
import { NOT_IP, parseAddress } from "./address.js";

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
  return parseForwardedRange(value, 0, value.length);
}

/** `parseForwarded` over `value[from, to)`. */
export function parseForwardedRange(
  value: string,
  from: number,
  len: number,
): ForwardedElement[] | null {
  const elements: ForwardedElement[] = [];
  let current: ForwardedElement | null = null;
  let i = from;
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

/** Elements longer than this are not what a proxy writes: the walk treats them as malformed. */
export const MAX_ELEMENT_LENGTH = 1024;

/**
 * Where the element ending at `end` (exclusive) starts, read right to left: the index of
 * the comma before it (-1 at the start of the value), skipping commas inside quoted
 * strings; -2 when the element is longer than MAX_ELEMENT_LENGTH. Quoting that does not
 * balance makes `parseForwardedRange` of the element fail, so a mis-split is never believed.
 */
export function forwardedElementStart(value: string, end: number): number {
  let quoted = false;
  for (let j = end - 1; j >= 0; j--) {
    if (end - j > MAX_ELEMENT_LENGTH) return -2;
    const c = value.charCodeAt(j);
    if (c === 0x22 /* " */) {
      // Inside a quoted string, a quote after an odd run of backslashes is escaped.
      let run = 0;
      while (j - 1 - run >= 0 && value.charCodeAt(j - 1 - run) === 0x5c) run++;
      if (run % 2 === 0) quoted = !quoted;
    } else if (c === 0x2c /* , */ && !quoted) {
      return j;
    }
  }
  return -1;
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
 * proxies write it, and it cannot be mistaken for anything else.
 */
function isNode(node: string): boolean {
  if (node.indexOf("%") >= 0) return false; // no zone ids in RFC 7239
  if (parseAddress(node) !== NOT_IP) return true;
  // An identifier, or an address with an obfuscated port.
  let name = node;
  let port: string | null = null;
  if (node.charCodeAt(0) === 0x5b /* [ */) {
    const close = node.indexOf("]");
    if (close < 0 || close + 1 >= node.length || node.charCodeAt(close + 1) !== 0x3a) return false;
    name = node.slice(0, close + 1);
    port = node.slice(close + 2);
  } else {
    const colon = node.indexOf(":");
    if (colon >= 0) {
      if (node.indexOf(":", colon + 1) >= 0) return false;
      name = node.slice(0, colon);
      port = node.slice(colon + 1);
    }
  }
  if (port !== null && !isNodePort(port)) return false;
  if (name.toLowerCase() === "unknown") return true;
  if (name.charCodeAt(0) === 0x5f /* _ */) return isObfuscated(name);
  return port !== null && port.charCodeAt(0) === 0x5f && parseAddress(name) !== NOT_IP;
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
