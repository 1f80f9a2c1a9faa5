/**
 * The transport decision (SPEC §2.2): who the client is, whether the request really
 * arrived over HTTPS, and which host it asked for, believing forwarding headers only as
 * far as the trusted hops go. Lists are read right to left and only as far as the walk
 * goes, so a client's own entries (left of the first untrusted address) are never parsed,
 * and no header costs more than MAX_ENTRIES entries however long it is. Where headers are
 * unusable or disagree, the socket's own transport stands.
 */
import type {
  Diagnostic,
  Hop,
  LocalhostMode,
  PolicyRequest,
  ProxyHeader,
  ReasonCode,
  RuntimeFilledHeader,
  Transport,
  TransportSource,
} from "../types.js";
import { bareOf, isLoopbackAddress, isPublicAddress, NOT_IP, parseAddress } from "./address.js";
import { type ForwardedElement, forwardedElementStart, parseForwardedRange } from "./forwarded.js";
import { isFetchHeaders, readHeader, readHeaderOf } from "./headers.js";
import { hostFacts } from "./host.js";
import { NOT_AN_ADDRESS, TRUSTED, type TrustMatcher, type Verdict } from "./trust.js";

export interface TransportConfig {
  readonly trust: TrustMatcher;
  /** `proxy.headers`: the only headers read; order names the `source` when two agree. */
  readonly headers: readonly ProxyHeader[];
  readonly localhost: LocalhostMode;
}

/** The most entries of a forwarding list the walk reads (SPEC §2.2 step 1). */
export const MAX_ENTRIES = 32;
/** A list entry longer than this (spaces included) is not what a proxy writes: malformed. */
const MAX_ENTRY_LENGTH = 256;
/** Empty list entries are skipped, but reading them costs too: at most this many pieces. */
const MAX_PIECES = 2 * MAX_ENTRIES;

type Protocol = "http" | "https";
/** What a header says about the protocol: a protocol, nothing (undefined), or garbage (null). */
type Statement = Protocol | null | undefined;
type Diagnostics = Diagnostic[] | undefined;

const DISPLAY: Readonly<Record<ProxyHeader, string>> = {
  forwarded: "Forwarded",
  "x-forwarded-for": "X-Forwarded-For",
  "x-forwarded-host": "X-Forwarded-Host",
  "x-forwarded-proto": "X-Forwarded-Proto",
  "x-forwarded-ssl": "X-Forwarded-SSL",
  "front-end-https": "Front-End-Https",
  "cf-visitor": "CF-Visitor",
};
const NO_DIAGNOSTICS: readonly Diagnostic[] = Object.freeze([]);

/** Decide one request's transport. Never throws, whatever the headers hold. */
export function decideTransport(req: PolicyRequest, cfg: TransportConfig): Transport {
  return compileTransport(cfg)(req);
}

/**
 * `decideTransport` for one policy. Every decision is a fresh object, so an app holding one
 * cannot change what the engine decides for another; between requests it keeps only the
 * previous peer's verdict, a pure function of the peer string.
 */
export function compileTransport(cfg: TransportConfig): (req: PolicyRequest) => Transport {
  const names = cfg.headers;
  const listed = (name: ProxyHeader) => names.indexOf(name);
  const at = {
    forwarded: listed("forwarded"),
    xff: listed("x-forwarded-for"),
    xfp: listed("x-forwarded-proto"),
    xfh: listed("x-forwarded-host"),
    xssl: listed("x-forwarded-ssl"),
    feh: listed("front-end-https"),
    cfv: listed("cf-visitor"),
  };
  let lastPeer: string | null | undefined;
  let lastVerdict: Verdict = NOT_AN_ADDRESS;
  let lastAddress: string | null = null;
  return (req) => {
    const view = req.headers;
    const fetchStyle = isFetchHeaders(view);
    const host =
      readHeaderOf(view, "host", fetchStyle) ?? readHeaderOf(view, ":authority", fetchStyle);
    // Deciding is synchronous: one set of slots serves every request.
    const h = slots;
    h.forwarded =
      at.forwarded < 0 ? undefined : present(readHeaderOf(view, "forwarded", fetchStyle));
    h.xff = at.xff < 0 ? undefined : present(readHeaderOf(view, "x-forwarded-for", fetchStyle));
    h.xfp = at.xfp < 0 ? undefined : present(readHeaderOf(view, "x-forwarded-proto", fetchStyle));
    h.xfh = at.xfh < 0 ? undefined : present(readHeaderOf(view, "x-forwarded-host", fetchStyle));
    h.xssl = at.xssl < 0 ? undefined : present(readHeaderOf(view, "x-forwarded-ssl", fetchStyle));
    h.feh = at.feh < 0 ? undefined : present(readHeaderOf(view, "front-end-https", fetchStyle));
    h.cfv = at.cfv < 0 ? undefined : present(readHeaderOf(view, "cf-visitor", fetchStyle));
    // Requests through one proxy bring the same peer: its verdict is kept for the next one.
    const peer = req.peer === undefined || req.peer === "" ? null : req.peer;
    if (peer !== lastPeer) {
      lastPeer = peer;
      lastVerdict = peer === null ? NOT_AN_ADDRESS : cfg.trust.classifyAt(peer, 0, peer.length);
      lastAddress = peer === null || lastVerdict === NOT_AN_ADDRESS ? peer : bareOf(peer);
    }
    return walk(req, cfg, host, h, peer, lastVerdict, lastAddress);
  };
}

/** The listed forwarding headers of one request; undefined when absent or blank. */
interface Headers {
  forwarded: string | undefined;
  xff: string | undefined;
  xfp: string | undefined;
  xfh: string | undefined;
  xssl: string | undefined;
  feh: string | undefined;
  cfv: string | undefined;
}
const slots: Headers = {
  forwarded: undefined,
  xff: undefined,
  xfp: undefined,
  xfh: undefined,
  xssl: undefined,
  feh: undefined,
  cfv: undefined,
};

function present(value: string | undefined): string | undefined {
  return value === undefined || isBlank(value) ? undefined : value;
}

/** How a chain walk ended. */
const CLIENT = 0;
const MALFORMED = 1;
const TOO_LONG = 2;

/** The result of the last chain walk (walks are synchronous: one at a time). */
type Chain = typeof chain;
const chain = {
  end: CLIENT as typeof CLIENT | typeof MALFORMED | typeof TOO_LONG,
  /** c: how many entries the walk believed, i.e. the client's hop (the peer is hop 0). */
  c: 0,
  client: null as string | null,
  /** The entry that stopped the walk as malformed, for the message. */
  bad: "",
  /** Forwarded: the element of the outermost trusted proxy (the last one read). */
  record: null as ForwardedElement | null,
};

function walk(
  req: PolicyRequest,
  cfg: TransportConfig,
  hostHeader: string | undefined,
  h: Headers,
  peer: string | null,
  peerVerdict: Verdict,
  peerAddress: string | null,
): Transport {
  const trust = cfg.trust;
  let diagnostics: Diagnostics;
  const socketProtocol: Protocol = req.encrypted ? "https" : "http";

  if (trust.kind === "all" && peer !== null && isPublicAddress(peer)) {
    diagnostics = add(
      diagnostics,
      "TRANSPORT_TRUST_ALL_PUBLIC",
      `proxy.trust is true and ${describePeer(peer)} is a public address: any client can forge forwarding headers. List your proxies' addresses (or a hop count) in proxy.trust instead.`,
    );
  }

  // Step 2: an untrusted peer leaves the socket's own transport, whatever the headers say.
  const peerTrusted =
    trust.hops > 0 && (peer === null ? trust.kind !== "list" : peerVerdict === TRUSTED);
  const anyPresent =
    h.forwarded !== undefined ||
    h.xff !== undefined ||
    h.xfp !== undefined ||
    h.xfh !== undefined ||
    h.xssl !== undefined ||
    h.feh !== undefined ||
    h.cfv !== undefined;
  if (!peerTrusted) {
    if (anyPresent)
      diagnostics = reportIgnored(diagnostics, cfg, req, peer, socketProtocol, hostHeader);
    return atPeer(cfg, socketProtocol, peerAddress, false, hostHeader, diagnostics);
  }

  // Step 1: the chain, nearest first: Forwarded `for=` and/or X-Forwarded-For.
  const peerHop: Hop = { address: peerAddress, trusted: true, from: "socket" };
  const hops: Hop[] = [peerHop];
  let c = 0;
  let clientAddress = peerAddress;
  let record: ForwardedElement | null = null;
  let forwardedUsable = true;
  if (h.forwarded !== undefined) {
    walkForwarded(h.forwarded, trust, hops);
    c = chain.c;
    clientAddress = chain.client;
    record = chain.record;
    if (chain.end === MALFORMED) {
      forwardedUsable = false;
      diagnostics = add(
        diagnostics,
        "TRANSPORT_FORWARDED_MALFORMED",
        `The Forwarded header from ${describePeer(peer)} does not parse (RFC 7239) where the walk reads it (${quote(chain.bad)}), so its client address and protocol are not believed.`,
      );
    }
    diagnostics = reportTooLong(diagnostics, "Forwarded", peer);
  }
  if (h.xff !== undefined) {
    const xffHops: Hop[] | null = h.forwarded === undefined ? hops : null;
    walkXff(h.xff, trust, xffHops);
    if (chain.end === MALFORMED) {
      diagnostics = add(
        diagnostics,
        "TRANSPORT_XFF_MALFORMED",
        `X-Forwarded-For from ${describePeer(peer)} has an entry that is not an IP address (${quote(chain.bad)}) where the walk reads it, so the client address is unknown.`,
      );
    }
    diagnostics = reportTooLong(diagnostics, "X-Forwarded-For", peer);
    if (h.forwarded === undefined) {
      c = chain.c;
      clientAddress = chain.client;
    } else if (chain.c !== c || !sameAddress(chain.client, clientAddress)) {
      return conflict(
        cfg,
        socketProtocol,
        peerAddress,
        hostHeader,
        diagnostics,
        `Forwarded and X-Forwarded-For from ${describePeer(peer)} disagree about the client (${quote(clientAddress ?? "none")} after ${c} hops vs ${quote(chain.client ?? "none")} after ${chain.c})`,
      );
    }
  }

  // Step 3: the protocol (and step 6: the host) recorded by the outermost trusted proxy.
  const believed = Math.max(c, 1);
  let protocol: Protocol | undefined;
  let source: TransportSource = "socket";
  let unusable = !forwardedUsable;
  let hostValue = hostHeader;
  let hostFrom: ProxyHeader | undefined;
  for (const name of cfg.headers) {
    let said: Statement;
    let raw: string | undefined;
    let host: string | undefined;
    if (name === "forwarded") {
      if (record === null) continue;
      raw = record.proto;
      said = raw === undefined ? undefined : protocolOf(raw);
      host = record.host;
    } else if (name === "x-forwarded-proto") {
      if (h.xfp === undefined) continue;
      raw = alignedValue(h.xfp, believed);
      if (aligned.misaligned) {
        diagnostics = add(
          diagnostics,
          "TRANSPORT_XFP_MISALIGNED",
          `X-Forwarded-Proto from ${describePeer(peer)} has fewer values than the ${believed} trusted proxies, so they cannot be aligned; the leftmost (${quote(raw)}) was used. Make every trusted proxy append its own value, or overwrite the header at the first proxy.`,
        );
      }
      said = raw === undefined ? (aligned.overlong ? null : undefined) : protocolOf(raw);
    } else if (name === "x-forwarded-host") {
      if (h.xfh === undefined) continue;
      // A value longer than a proxy writes is kept whole: the host check refuses it.
      host = alignedValue(h.xfh, believed) ?? (aligned.overlong ? h.xfh : undefined);
    } else if (name === "x-forwarded-ssl" || name === "front-end-https") {
      raw = name === "x-forwarded-ssl" ? h.xssl : h.feh;
      said = raw === undefined ? undefined : onOff(raw);
    } else if (name === "cf-visitor") {
      raw = h.cfv;
      said = raw === undefined ? undefined : cfVisitorScheme(raw);
    }

    if (said === null) {
      unusable = true;
      diagnostics = add(
        diagnostics,
        "TRANSPORT_PROTO_INVALID",
        `${DISPLAY[name]} from ${describePeer(peer)} says ${quote(raw)}, which is not a valid protocol (http or https), so the socket's ${socketProtocol} stands.`,
      );
    } else if (said !== undefined) {
      if (protocol === undefined) {
        protocol = said;
        source = name as TransportSource;
      } else if (said !== protocol) {
        return conflict(
          cfg,
          socketProtocol,
          peerAddress,
          hostHeader,
          diagnostics,
          `${DISPLAY[source as ProxyHeader]} says ${protocol} but ${DISPLAY[name]} says ${said}`,
        );
      }
    }

    if (host !== undefined) {
      if (hostFrom === undefined) {
        hostFrom = name;
        hostValue = host;
      } else if (host.toLowerCase() !== (hostValue as string).toLowerCase()) {
        return conflict(
          cfg,
          socketProtocol,
          peerAddress,
          hostHeader,
          diagnostics,
          `${DISPLAY[hostFrom]} says the host is ${quote(hostValue)} but ${DISPLAY[name]} says ${quote(host)}`,
        );
      }
    }
  }

  // Step 4: doubt fails closed. A present but unusable header leaves the socket's protocol.
  if (unusable || protocol === undefined) {
    protocol = socketProtocol;
    source = "socket";
  }
  return finish(
    cfg,
    protocol,
    source,
    clientAddress,
    c,
    hops,
    hostValue,
    hostFrom === undefined ? "Host" : DISPLAY[hostFrom],
    diagnostics,
  );
}

/**
 * Walk X-Forwarded-For right to left from the trusted peer (its rightmost entry is hop 1):
 * stop at the first entry that is untrusted or not an address, or after MAX_ENTRIES. Leaves the outcome in `chain`; records hops when given a list.
 */
function walkXff(value: string, trust: TrustMatcher, hops: Hop[] | null): Chain {
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
function walkForwarded(value: string, trust: TrustMatcher, hops: Hop[]): Chain {
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
  chain.c = c;
  chain.client = client;
  return chain;
}

const XFF = "x-forwarded-for";
const FWD = "forwarded";

function stopMalformed(c: number, bad: string, hops: Hop[] | null, from: Hop["from"]): Chain {
  chain.end = MALFORMED;
  chain.c = c;
  chain.client = null;
  chain.bad = bad;
  chain.record = null;
  if (hops !== null) hops.push({ address: bad, trusted: false, from });
  return chain;
}

function stopTooLong(c: number): Chain {
  chain.end = TOO_LONG;
  chain.c = c;
  chain.client = null;
  return chain;
}

function reportTooLong(diagnostics: Diagnostics, header: string, peer: string | null): Diagnostics {
  if (chain.end !== TOO_LONG) return diagnostics;
  return add(
    diagnostics,
    "TRANSPORT_CHAIN_TOO_LONG",
    `${header} from ${describePeer(peer)} is still trusted after ${MAX_ENTRIES} entries, so the walk stops there and the client address is unknown.`,
  );
}

/** Two listed headers disagree: doubt fails closed at the peer (SPEC §2.2 step 4). */
function conflict(
  cfg: TransportConfig,
  socketProtocol: Protocol,
  peerAddress: string | null,
  hostHeader: string | undefined,
  diagnostics: Diagnostics,
  what: string,
): Transport {
  const list = add(
    diagnostics,
    "TRANSPORT_HEADER_CONFLICT",
    `${what}; the socket's ${socketProtocol} and the peer's address stand. List in proxy.headers only the headers your proxies write (and strip).`,
  );
  return atPeer(cfg, socketProtocol, peerAddress, true, hostHeader, list);
}

/** The socket's own transport: the peer is the client. */
function atPeer(
  cfg: TransportConfig,
  socketProtocol: Protocol,
  peerAddress: string | null,
  peerTrusted: boolean,
  hostHeader: string | undefined,
  diagnostics: Diagnostics,
): Transport {
  const hops: Hop[] = [{ address: peerAddress, trusted: peerTrusted, from: "socket" }];
  return finish(
    cfg,
    socketProtocol,
    "socket",
    peerAddress,
    0,
    hops,
    hostHeader,
    "Host",
    diagnostics,
  );
}

function finish(
  cfg: TransportConfig,
  protocol: Protocol,
  source: TransportSource,
  clientAddress: string | null,
  trustedHops: number,
  hops: Hop[],
  hostValue: string | undefined,
  hostFrom: string,
  diagnostics: Diagnostics,
): Transport {
  // Step 6: the request host; a value that is not a DNS name or IP literal gives no host.
  const given = hostValue !== undefined && hostValue !== "";
  const facts = given ? hostFacts(hostValue) : null;
  if (given && facts === null) {
    diagnostics = add(
      diagnostics,
      "TRANSPORT_HOST_INVALID",
      `The request host ${quote(hostValue)} (from ${hostFrom}) is not a valid host name or IP address, so the request is treated as having no host.`,
    );
  }
  const localhost = facts?.localhost === true;
  // A fresh object for each request (freezing it would cost more than the rest of the
  // object): no other request and no later decision of another request sees it.
  return {
    protocol,
    secure: protocol === "https",
    source,
    clientAddress,
    host: facts === null ? null : facts.host,
    port: facts === null ? null : facts.port,
    trustedHops,
    localhost,
    secureContext:
      localhost &&
      cfg.localhost === "secure-context" &&
      clientAddress !== null &&
      isLoopbackAddress(clientAddress),
    hops,
    diagnostics: diagnostics ?? NO_DIAGNOSTICS,
  };
}

function add(diagnostics: Diagnostics, code: ReasonCode, message: string): Diagnostic[] {
  const list = diagnostics ?? [];
  list.push({ code, message });
  return list;
}

/** Why the forwarding headers of an untrusted (or unknown) peer were not believed. */
function reportIgnored(
  diagnostics: Diagnostics,
  cfg: TransportConfig,
  req: PolicyRequest,
  peer: string | null,
  socketProtocol: Protocol,
  hostHeader: string | undefined,
): Diagnostics {
  const kind = cfg.trust.kind;
  const presentNames = cfg.headers.filter((name) => {
    const value = present(readHeader(req.headers, name));
    if (value === undefined) return false;
    // Trust false believes nothing: a header the runtime itself may have written is no sign of a proxy.
    return !(kind === "none" && isRuntimeRecord(req, name, value, hostHeader));
  });
  if (presentNames.length === 0) return diagnostics;
  const names = presentNames.map((name) => DISPLAY[name]).join(", ");
  const they = presentNames.length === 1 ? "it is" : "they are";
  if (kind === "none") {
    return add(
      diagnostics,
      "TRANSPORT_HEADERS_WITHOUT_TRUST",
      `${names} arrived from ${describePeer(peer)} but proxy.trust is false, so ${they} ignored and the socket's ${socketProtocol} stands. If the app runs behind a proxy, list the proxy's address (or a hop count) in proxy.trust.`,
    );
  }
  if (peer === null && kind === "list") {
    return add(
      diagnostics,
      "TRANSPORT_PEER_UNKNOWN",
      `${names} arrived but this runtime does not tell the peer's address, so the address list in proxy.trust cannot match and ${they} not believed. Use a hop count (e.g. "trust": 1) for the platform's proxy.`,
    );
  }
  return add(
    diagnostics,
    "TRANSPORT_UNTRUSTED_PEER",
    `${names} arrived from ${describePeer(peer)}, which proxy.trust does not trust, so ${they} ignored and the socket's ${socketProtocol} stands.`,
  );
}

/**
 * Whether a header is one the runtime may have filled in (`PolicyRequest.runtimeFilled`) and
 * holds exactly what a runtime writes for its own connection: one address, `http` or
 * `https`, the Host it received. A list or anything else was sent by someone.
 */
function isRuntimeRecord(
  req: PolicyRequest,
  name: ProxyHeader,
  value: string,
  hostHeader: string | undefined,
): boolean {
  const filled = req.runtimeFilled;
  if (filled === undefined || !filled.includes(name as RuntimeFilledHeader)) return false;
  if (value.indexOf(",") >= 0) return false;
  if (name === "x-forwarded-for") return parseAddress(value.trim()) !== NOT_IP;
  if (name === "x-forwarded-proto") return value === "http" || value === "https";
  return hostHeader !== undefined && value.trim().toLowerCase() === hostHeader.trim().toLowerCase();
}

function describePeer(peer: string | null): string {
  return peer === null ? "an unknown peer" : `peer ${peer}`;
}

/** Same client in both chains: addresses compare case-insensitively, identifiers as written. */
function sameAddress(a: string | null, b: string | null): boolean {
  return a === b || (a !== null && b !== null && a.toLowerCase() === b.toLowerCase());
}

/** Empty or only spaces; a value longer than a list entry never counts as blank (bounded cost). */
function isBlank(value: string): boolean {
  if (value.length === 0) return true;
  if (value.charCodeAt(value.length - 1) > 0x20 || value.length > MAX_ENTRY_LENGTH) return false;
  return value.trim().length === 0;
}

function isBlankRange(value: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isOws(value.charCodeAt(i))) return false;
  return true;
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** How the last `alignedValue` read went. */
const aligned = { misaligned: false, overlong: false };

/**
 * The value written by the outermost of h trusted proxies in a list each one appends to
 * (SPEC §2.2 step 3), read right to left: a single value as it stands; else index k - h;
 * the leftmost (misaligned) when there are fewer than h. Values left of index k - h are
 * client-supplied and never read. Undefined when the list holds no value or an entry the
 * read passes is longer than a proxy writes (`aligned.overlong`).
 */
function alignedValue(value: string, h: number): string | undefined {
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

function protocolOf(value: string): Statement {
  if (value === "https" || value === "http") return value;
  const v = value.trim().toLowerCase();
  return v === "https" || v === "http" ? v : null;
}

/** `X-Forwarded-SSL` / `Front-End-Https`: `on` means https, `off` http. */
function onOff(value: string): Statement {
  const v = value.trim().toLowerCase();
  return v === "on" ? "https" : v === "off" ? "http" : null;
}

/** Cloudflare's `CF-Visitor: {"scheme":"https"}`; anything else is garbage (never throws). */
function cfVisitorScheme(value: string): Statement {
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

/** A header value quoted for a message: escaped (no line breaks reach a log) and cut short. */
function quote(value: string | undefined): string {
  if (value === undefined) return "nothing";
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}
