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
  HeadersView,
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
import { isFetchHeaders, readHeaderOf } from "./headers.js";
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
  const listed = {} as Record<ProxyHeader, boolean>;
  for (const name of Object.keys(DISPLAY) as ProxyHeader[])
    listed[name] = cfg.headers.includes(name);
  let lastPeer: string | null | undefined;
  let lastVerdict: Verdict = NOT_AN_ADDRESS;
  let lastAddress: string | null = null;
  return (req) => {
    const view = req.headers;
    const fetchStyle = isFetchHeaders(view);
    const hostHeader =
      readHeaderOf(view, "host", fetchStyle) ?? readHeaderOf(view, ":authority", fetchStyle);
    const headers = readForwardingHeaders(view, fetchStyle, listed);
    // Requests through one proxy bring the same peer: its verdict is kept for the next one.
    const peer = req.peer === undefined || req.peer === "" ? null : req.peer;
    if (peer !== lastPeer) {
      lastPeer = peer;
      lastVerdict = peer === null ? NOT_AN_ADDRESS : cfg.trust.classifyAt(peer, 0, peer.length);
      lastAddress = peer === null || lastVerdict === NOT_AN_ADDRESS ? peer : bareOf(peer);
    }
    const walk = current;
    walk.cfg = cfg;
    walk.runtimeFilled = req.runtimeFilled;
    walk.headers = headers;
    walk.hostHeader = hostHeader;
    walk.peer = peer;
    walk.peerAddress = lastAddress;
    walk.socketProtocol = req.encrypted ? "https" : "http";
    walk.diagnostics = undefined;
    return decide(walk, lastVerdict);
  };
}

/** The listed forwarding headers of one request by name; undefined when unlisted, absent or blank. */
type ForwardingHeaders = Record<ProxyHeader, string | undefined>;

/** Deciding is synchronous: one set of slots serves every request. */
const slots: ForwardingHeaders = {
  forwarded: undefined,
  "x-forwarded-for": undefined,
  "x-forwarded-host": undefined,
  "x-forwarded-proto": undefined,
  "x-forwarded-ssl": undefined,
  "front-end-https": undefined,
  "cf-visitor": undefined,
};

/** Reads each listed header once (a Fetch `get` may cost, and must not answer twice). */
function readForwardingHeaders(
  view: HeadersView,
  fetchStyle: boolean,
  listed: Readonly<Record<ProxyHeader, boolean>>,
): ForwardingHeaders {
  slots.forwarded = readListed(view, fetchStyle, listed.forwarded, "forwarded");
  slots["x-forwarded-for"] = readListed(
    view,
    fetchStyle,
    listed["x-forwarded-for"],
    "x-forwarded-for",
  );
  slots["x-forwarded-host"] = readListed(
    view,
    fetchStyle,
    listed["x-forwarded-host"],
    "x-forwarded-host",
  );
  slots["x-forwarded-proto"] = readListed(
    view,
    fetchStyle,
    listed["x-forwarded-proto"],
    "x-forwarded-proto",
  );
  slots["x-forwarded-ssl"] = readListed(
    view,
    fetchStyle,
    listed["x-forwarded-ssl"],
    "x-forwarded-ssl",
  );
  slots["front-end-https"] = readListed(
    view,
    fetchStyle,
    listed["front-end-https"],
    "front-end-https",
  );
  slots["cf-visitor"] = readListed(view, fetchStyle, listed["cf-visitor"], "cf-visitor");
  return slots;
}

function readListed(
  view: HeadersView,
  fetchStyle: boolean,
  listed: boolean,
  name: ProxyHeader,
): string | undefined {
  return listed ? present(readHeaderOf(view, name, fetchStyle)) : undefined;
}

/** Whether any listed forwarding header came with the request. */
function anyPresent(headers: ForwardingHeaders): boolean {
  return (
    headers.forwarded !== undefined ||
    headers["x-forwarded-for"] !== undefined ||
    headers["x-forwarded-host"] !== undefined ||
    headers["x-forwarded-proto"] !== undefined ||
    headers["x-forwarded-ssl"] !== undefined ||
    headers["front-end-https"] !== undefined ||
    headers["cf-visitor"] !== undefined
  );
}

function present(value: string | undefined): string | undefined {
  return value === undefined || isBlank(value) ? undefined : value;
}

/** One request's walk: what its steps read, and the diagnostics they add to the transport. */
interface Walk {
  cfg: TransportConfig;
  /** Headers the runtime may have filled in (`PolicyRequest.runtimeFilled`). */
  runtimeFilled: PolicyRequest["runtimeFilled"];
  headers: ForwardingHeaders;
  hostHeader: string | undefined;
  peer: string | null;
  peerAddress: string | null;
  socketProtocol: Protocol;
  diagnostics: Diagnostics;
}

/**
 * The walk under way, its client and what its headers said: deciding is synchronous and
 * calls nothing of the app's, so one of each serves every request (set at its start).
 */
const current = {} as Walk;
const client = {} as Client;
const said = {} as Statements;

/** How a chain walk ended. */
const CLIENT = 0;
const MALFORMED = 1;
const TOO_LONG = 2;

/** The result of the last chain walk (walks are synchronous: one at a time). */
type Chain = typeof chain;
const chain = {
  end: CLIENT as typeof CLIENT | typeof MALFORMED | typeof TOO_LONG,
  /** How many entries the walk believed: the client's index, the peer being 0. */
  clientIndex: 0,
  client: null as string | null,
  /** The entry that stopped the walk as malformed, for the message. */
  bad: "",
  /** Forwarded: the element of the outermost trusted proxy (the last one read). */
  record: null as ForwardedElement | null,
};

/** Who the client is, as the forwarding chains tell it (SPEC §2.2 step 1). */
interface Client {
  address: string | null;
  trustedHops: number;
  hops: Hop[];
  /** Forwarded's element of the outermost trusted proxy: its proto= and host=. */
  record: ForwardedElement | null;
  /** False when Forwarded is present but malformed: its protocol is not believed either. */
  forwardedUsable: boolean;
}

/** What the headers say about the protocol and the host (SPEC §2.2 steps 3 and 6). */
interface Statements {
  protocol: Protocol | undefined;
  source: TransportSource;
  /** A present header said something that is not a protocol: the socket's stands. */
  unusable: boolean;
  host: string | undefined;
  hostFrom: ProxyHeader | undefined;
}

/** The steps of SPEC §2.2 for one request; a conflict between headers ends at the peer. */
function decide(walk: Walk, peerVerdict: Verdict): Transport {
  warnTrustAllPublic(walk);
  if (!isPeerTrusted(walk, peerVerdict)) {
    if (anyPresent(walk.headers)) reportIgnored(walk);
    return atPeer(walk, false);
  }
  const client = walkChains(walk);
  if (typeof client === "string") return conflict(walk, client);
  const said = readStatements(walk, client);
  if (typeof said === "string") return conflict(walk, said);
  // Step 4: doubt fails closed. A present but unusable header leaves the socket's protocol.
  const believed = !said.unusable && said.protocol !== undefined;
  return finish(
    walk,
    believed ? (said.protocol as Protocol) : walk.socketProtocol,
    believed ? said.source : "socket",
    client,
    said.host,
    said.hostFrom === undefined ? "Host" : DISPLAY[said.hostFrom],
  );
}

function warnTrustAllPublic(walk: Walk): void {
  const peer = walk.peer;
  if (walk.cfg.trust.kind !== "all" || peer === null || !isPublicAddress(peer)) return;
  add(
    walk,
    "TRANSPORT_TRUST_ALL_PUBLIC",
    `proxy.trust is true and ${describePeer(peer)} is a public address: any client can forge forwarding headers. List your proxies' addresses (or a hop count) in proxy.trust instead.`,
  );
}

/** Step 2: an untrusted peer leaves the socket's own transport, whatever the headers say. */
function isPeerTrusted(walk: Walk, peerVerdict: Verdict): boolean {
  const trust = walk.cfg.trust;
  return trust.hops > 0 && (walk.peer === null ? trust.kind !== "list" : peerVerdict === TRUSTED);
}

/**
 * Step 1: the chain, nearest first: Forwarded `for=` and/or X-Forwarded-For. Returns the
 * client, or why the two chains disagree.
 */
function walkChains(walk: Walk): Client | string {
  const { headers, peer } = walk;
  const trust = walk.cfg.trust;
  const forwarded = headers.forwarded;
  const xff = headers["x-forwarded-for"];
  client.address = walk.peerAddress;
  client.trustedHops = 0;
  client.hops = [{ address: walk.peerAddress, trusted: true, from: "socket" }];
  client.record = null;
  client.forwardedUsable = true;
  if (forwarded !== undefined) {
    walkForwarded(forwarded, trust, client.hops);
    client.trustedHops = chain.clientIndex;
    client.address = chain.client;
    client.record = chain.record;
    if (chain.end === MALFORMED) {
      client.forwardedUsable = false;
      add(
        walk,
        "TRANSPORT_FORWARDED_MALFORMED",
        `The Forwarded header from ${describePeer(peer)} does not parse (RFC 7239) where the walk reads it (${quote(chain.bad)}), so its client address and protocol are not believed.`,
      );
    }
    reportTooLong(walk, "Forwarded");
  }
  if (xff === undefined) return client;
  // With Forwarded present, X-Forwarded-For only has to agree: the hops are Forwarded's.
  walkXff(xff, trust, forwarded === undefined ? client.hops : null);
  if (chain.end === MALFORMED) {
    add(
      walk,
      "TRANSPORT_XFF_MALFORMED",
      `X-Forwarded-For from ${describePeer(peer)} has an entry that is not an IP address (${quote(chain.bad)}) where the walk reads it, so the client address is unknown.`,
    );
  }
  reportTooLong(walk, "X-Forwarded-For");
  if (forwarded === undefined) {
    client.trustedHops = chain.clientIndex;
    client.address = chain.client;
  } else if (chain.clientIndex !== client.trustedHops || !sameAddress(chain.client, client.address))
    return `Forwarded and X-Forwarded-For from ${describePeer(peer)} disagree about the client (${quote(client.address ?? "none")} after ${client.trustedHops} hops vs ${quote(chain.client ?? "none")} after ${chain.clientIndex})`;
  return client;
}

/**
 * Step 3: the protocol (and step 6: the host) recorded by the outermost trusted proxy, from
 * each listed header in `proxy.headers` order. Returns them, or why two headers disagree.
 */
function readStatements(walk: Walk, client: Client): Statements | string {
  const { headers, peer } = walk;
  const believed = Math.max(client.trustedHops, 1);
  said.protocol = undefined;
  said.source = "socket";
  said.unusable = !client.forwardedUsable;
  said.host = walk.hostHeader;
  said.hostFrom = undefined;
  for (const name of walk.cfg.headers) {
    let statement: Statement;
    let raw: string | undefined;
    let host: string | undefined;
    if (name === "forwarded") {
      if (client.record === null) continue;
      raw = client.record.proto;
      statement = raw === undefined ? undefined : protocolOf(raw);
      host = client.record.host;
    } else if (name === "x-forwarded-proto") {
      const value = headers["x-forwarded-proto"];
      if (value === undefined) continue;
      raw = alignedValue(value, believed);
      if (aligned.misaligned) {
        add(
          walk,
          "TRANSPORT_XFP_MISALIGNED",
          `X-Forwarded-Proto from ${describePeer(peer)} has fewer values than the ${believed} trusted proxies, so they cannot be aligned; the leftmost (${quote(raw)}) was used. Make every trusted proxy append its own value, or overwrite the header at the first proxy.`,
        );
      }
      statement = raw === undefined ? (aligned.overlong ? null : undefined) : protocolOf(raw);
    } else if (name === "x-forwarded-host") {
      const value = headers["x-forwarded-host"];
      if (value === undefined) continue;
      // A value longer than a proxy writes is kept whole: the host check refuses it.
      host = alignedValue(value, believed) ?? (aligned.overlong ? value : undefined);
    } else if (name === "x-forwarded-ssl" || name === "front-end-https") {
      raw = name === "x-forwarded-ssl" ? headers["x-forwarded-ssl"] : headers["front-end-https"];
      statement = raw === undefined ? undefined : onOff(raw);
    } else if (name === "cf-visitor") {
      raw = headers["cf-visitor"];
      statement = raw === undefined ? undefined : cfVisitorScheme(raw);
    }

    if (statement === null) {
      said.unusable = true;
      add(
        walk,
        "TRANSPORT_PROTO_INVALID",
        `${DISPLAY[name]} from ${describePeer(peer)} says ${quote(raw)}, which is not a valid protocol (http or https), so the socket's ${walk.socketProtocol} stands.`,
      );
    } else if (statement !== undefined) {
      if (said.protocol === undefined) {
        said.protocol = statement;
        said.source = name as TransportSource;
      } else if (statement !== said.protocol)
        return `${DISPLAY[said.source as ProxyHeader]} says ${said.protocol} but ${DISPLAY[name]} says ${statement}`;
    }

    if (host !== undefined) {
      if (said.hostFrom === undefined) {
        said.hostFrom = name;
        said.host = host;
      } else if (host.toLowerCase() !== (said.host as string).toLowerCase())
        return `${DISPLAY[said.hostFrom]} says the host is ${quote(said.host)} but ${DISPLAY[name]} says ${quote(host)}`;
    }
  }
  return said;
}

/**
 * Walk X-Forwarded-For right to left from the trusted peer (its rightmost entry is hop 1):
 * stop at the first entry that is untrusted or not an address, or after MAX_ENTRIES.
 * Leaves the outcome in `chain`; records hops when given a list.
 */
function walkXff(value: string, trust: TrustMatcher, hops: Hop[] | null): Chain {
  chain.record = null;
  let end = value.length;
  let entry = 0;
  let pieces = 0;
  let last: string | null = null;
  while (end >= 0) {
    // The piece [start, end) ends at `end`; `comma` is the comma before it, or -1.
    let comma = end - 1;
    while (comma >= 0 && value.charCodeAt(comma) !== 0x2c) {
      if (end - comma > MAX_ENTRY_LENGTH)
        return stopMalformed(entry + 1, value.slice(comma, end), hops, XFF);
      comma--;
    }
    if (++pieces > MAX_PIECES) return stopTooLong(entry);
    let from = comma + 1;
    let to = end;
    while (from < to && isOws(value.charCodeAt(from))) from++;
    while (to > from && isOws(value.charCodeAt(to - 1))) to--;
    end = comma;
    if (from === to) continue; // an empty list entry (RFC 9110 §5.6.1)
    if (++entry > MAX_ENTRIES) return stopTooLong(MAX_ENTRIES);
    const verdict = trust.classifyAt(value, from, to);
    if (verdict === NOT_AN_ADDRESS) return stopMalformed(entry, value.slice(from, to), hops, XFF);
    const bare = bareOf(value);
    const trusted = entry < trust.hops && verdict === TRUSTED;
    if (hops !== null) hops.push({ address: bare, trusted, from: "x-forwarded-for" });
    last = bare;
    if (!trusted) return stopAt(entry, bare);
  }
  // Every entry was trusted: the last one is the client.
  return stopAt(entry, entry === 0 ? null : last);
}

/** Walk Forwarded's elements right to left, as `walkXff`; the client's element is `chain.record`. */
function walkForwarded(value: string, trust: TrustMatcher, hops: Hop[]): Chain {
  chain.record = null;
  let end = value.length;
  let entry = 0;
  let pieces = 0;
  let last: string | null = null;
  while (end >= 0) {
    const comma = forwardedElementStart(value, end);
    if (comma === -2)
      return stopMalformed(entry + 1, value.slice(Math.max(0, end - 80), end), hops, FWD);
    if (++pieces > MAX_PIECES) return stopTooLong(entry);
    const from = comma + 1;
    const to = end;
    end = comma;
    if (isBlankRange(value, from, to)) continue;
    if (++entry > MAX_ENTRIES) return stopTooLong(MAX_ENTRIES);
    const parsed = parseForwardedRange(value, from, to);
    if (parsed === null || parsed.length !== 1) {
      return stopMalformed(entry, value.slice(from, to).trim(), hops, FWD);
    }
    const element = parsed[0] as ForwardedElement;
    chain.record = element;
    // An element without for= counts as for=unknown.
    const node = element.for ?? "unknown";
    const verdict = trust.classifyAt(node, 0, node.length);
    const address = verdict === NOT_AN_ADDRESS ? node : bareOf(node);
    const trusted = entry < trust.hops && verdict === TRUSTED;
    hops.push({ address, trusted, from: "forwarded" });
    last = address;
    if (!trusted) return stopAt(entry, address);
  }
  // Nothing but separators: present, yet unusable.
  return entry === 0 ? stopMalformed(1, value, hops, FWD) : stopAt(entry, last);
}

function stopAt(clientIndex: number, client: string | null): Chain {
  chain.end = CLIENT;
  chain.clientIndex = clientIndex;
  chain.client = client;
  return chain;
}

const XFF = "x-forwarded-for";
const FWD = "forwarded";

function stopMalformed(
  clientIndex: number,
  bad: string,
  hops: Hop[] | null,
  from: Hop["from"],
): Chain {
  chain.end = MALFORMED;
  chain.clientIndex = clientIndex;
  chain.client = null;
  chain.bad = bad;
  chain.record = null;
  if (hops !== null) hops.push({ address: bad, trusted: false, from });
  return chain;
}

function stopTooLong(clientIndex: number): Chain {
  chain.end = TOO_LONG;
  chain.clientIndex = clientIndex;
  chain.client = null;
  return chain;
}

function reportTooLong(walk: Walk, header: string): void {
  if (chain.end !== TOO_LONG) return;
  add(
    walk,
    "TRANSPORT_CHAIN_TOO_LONG",
    `${header} from ${describePeer(walk.peer)} is still trusted after ${MAX_ENTRIES} entries, so the walk stops there and the client address is unknown.`,
  );
}

/** Two listed headers disagree: doubt fails closed at the peer (SPEC §2.2 step 4). */
function conflict(walk: Walk, what: string): Transport {
  add(
    walk,
    "TRANSPORT_HEADER_CONFLICT",
    `${what}; the socket's ${walk.socketProtocol} and the peer's address stand. List in proxy.headers only the headers your proxies write (and strip).`,
  );
  return atPeer(walk, true);
}

/** The socket's own transport: the peer is the client. */
function atPeer(walk: Walk, peerTrusted: boolean): Transport {
  client.address = walk.peerAddress;
  client.trustedHops = 0;
  client.hops = [{ address: walk.peerAddress, trusted: peerTrusted, from: "socket" }];
  return finish(walk, walk.socketProtocol, "socket", client, walk.hostHeader, "Host");
}

function finish(
  walk: Walk,
  protocol: Protocol,
  source: TransportSource,
  client: Client,
  hostValue: string | undefined,
  hostFrom: string,
): Transport {
  // Step 6: the request host; a value that is not a DNS name or IP literal gives no host.
  const given = hostValue !== undefined && hostValue !== "";
  const facts = given ? hostFacts(hostValue) : null;
  if (given && facts === null) {
    add(
      walk,
      "TRANSPORT_HOST_INVALID",
      `The request host ${quote(hostValue)} (from ${hostFrom}) is not a valid host name or IP address, so the request is treated as having no host.`,
    );
  }
  const localhost = facts?.localhost === true;
  const clientAddress = client.address;
  // A fresh object for each request (freezing it would cost more than the rest of the
  // object): no other request and no later decision of another request sees it.
  return {
    protocol,
    secure: protocol === "https",
    source,
    clientAddress,
    host: facts === null ? null : facts.host,
    port: facts === null ? null : facts.port,
    trustedHops: client.trustedHops,
    localhost,
    secureContext:
      localhost &&
      walk.cfg.localhost === "secure-context" &&
      clientAddress !== null &&
      isLoopbackAddress(clientAddress),
    hops: client.hops,
    diagnostics: walk.diagnostics ?? NO_DIAGNOSTICS,
  };
}

function add(walk: Walk, code: ReasonCode, message: string): void {
  if (walk.diagnostics === undefined) walk.diagnostics = [];
  walk.diagnostics.push({ code, message });
}

/** Why the forwarding headers of an untrusted (or unknown) peer were not believed. */
function reportIgnored(walk: Walk): void {
  const { cfg, headers, peer, socketProtocol } = walk;
  const kind = cfg.trust.kind;
  const presentNames = cfg.headers.filter((name) => {
    const value = headers[name];
    if (value === undefined) return false;
    // Trust false believes nothing: a header the runtime itself may have written is no sign of a proxy.
    return !(kind === "none" && isRuntimeRecord(walk.runtimeFilled, name, value, walk.hostHeader));
  });
  if (presentNames.length === 0) return;
  const names = presentNames.map((name) => DISPLAY[name]).join(", ");
  const they = presentNames.length === 1 ? "it is" : "they are";
  if (kind === "none") {
    add(
      walk,
      "TRANSPORT_HEADERS_WITHOUT_TRUST",
      `${names} arrived from ${describePeer(peer)} but proxy.trust is false, so ${they} ignored and the socket's ${socketProtocol} stands. If the app runs behind a proxy, list the proxy's address (or a hop count) in proxy.trust.`,
    );
  } else if (peer === null && kind === "list") {
    add(
      walk,
      "TRANSPORT_PEER_UNKNOWN",
      `${names} arrived but this runtime does not tell the peer's address, so the address list in proxy.trust cannot match and ${they} not believed. Use a hop count (e.g. "trust": 1) for the platform's proxy.`,
    );
  } else {
    add(
      walk,
      "TRANSPORT_UNTRUSTED_PEER",
      `${names} arrived from ${describePeer(peer)}, which proxy.trust does not trust, so ${they} ignored and the socket's ${socketProtocol} stands.`,
    );
  }
}

/**
 * Whether a header is one the runtime may have filled in (`PolicyRequest.runtimeFilled`) and
 * holds exactly what a runtime writes for its own connection: one address, `http` or
 * `https`, the Host it received. A list or anything else was sent by someone.
 */
function isRuntimeRecord(
  filled: PolicyRequest["runtimeFilled"],
  name: ProxyHeader,
  value: string,
  hostHeader: string | undefined,
): boolean {
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
function sameAddress(left: string | null, right: string | null): boolean {
  return (
    left === right ||
    (left !== null && right !== null && left.toLowerCase() === right.toLowerCase())
  );
}

/** Empty or only spaces; a value longer than a list entry never counts as blank (bounded cost). */
function isBlank(value: string): boolean {
  if (value.length === 0) return true;
  if (value.charCodeAt(value.length - 1) > 0x20 || value.length > MAX_ENTRY_LENGTH) return false;
  return value.trim().length === 0;
}

function isBlankRange(value: string, from: number, to: number): boolean {
  for (let at = from; at < to; at++) if (!isOws(value.charCodeAt(at))) return false;
  return true;
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** How the last `alignedValue` read went. */
const aligned = { misaligned: false, overlong: false };

/**
 * The value written by the outermost of `proxies` trusted proxies in a list each one
 * appends to (SPEC §2.2 step 3), read right to left: a single value as it stands; else the
 * `proxies`-th from the right; the leftmost (misaligned) when there are fewer. Values left
 * of it are client-supplied and never read. Undefined when the list holds no value or an
 * entry the read passes is longer than a proxy writes (`aligned.overlong`).
 */
function alignedValue(value: string, proxies: number): string | undefined {
  aligned.misaligned = false;
  aligned.overlong = false;
  let end = value.length;
  let found = 0;
  let pieces = 0;
  let from = 0;
  let to = 0;
  while (end >= 0 && found < proxies) {
    let comma = end - 1;
    while (comma >= 0 && value.charCodeAt(comma) !== 0x2c) comma--;
    if (end - comma > MAX_ENTRY_LENGTH || ++pieces > MAX_PIECES) {
      aligned.overlong = true;
      return undefined;
    }
    let start = comma + 1;
    let stop = end;
    while (start < stop && isOws(value.charCodeAt(start))) start++;
    while (stop > start && isOws(value.charCodeAt(stop - 1))) stop--;
    end = comma;
    if (start === stop) continue;
    found++;
    from = start;
    to = stop;
  }
  if (found === 0) return undefined;
  if (found < proxies && found > 1) aligned.misaligned = true;
  return from === 0 && to === value.length ? value : value.slice(from, to);
}

function protocolOf(value: string): Statement {
  if (value === "https" || value === "http") return value;
  const lower = value.trim().toLowerCase();
  return lower === "https" || lower === "http" ? lower : null;
}

/** `X-Forwarded-SSL` / `Front-End-Https`: `on` means https, `off` http. */
function onOff(value: string): Statement {
  const lower = value.trim().toLowerCase();
  return lower === "on" ? "https" : lower === "off" ? "http" : null;
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
