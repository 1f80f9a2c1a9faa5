/**
 * The transport decision (SPEC §2.2): who the client is, whether the request really
 * arrived over HTTPS, and which host it asked for, believing forwarding headers only as
 * far as the trusted hops go (./chain.ts) and what the outermost trusted proxy recorded
 * (./records.ts). Where headers are unusable or disagree, the socket's own transport stands.
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
import {
  chain,
  MALFORMED,
  MAX_ENTRIES,
  MAX_ENTRY_LENGTH,
  TOO_LONG,
  walkForwarded,
  walkXff,
} from "./chain.js";
import type { ForwardedElement } from "./forwarded.js";
import { isFetchHeaders, readHeaderOf } from "./headers.js";
import { hostFacts } from "./host.js";
import {
  aligned,
  alignedValue,
  cfVisitorScheme,
  onOff,
  type Protocol,
  protocolOf,
  type Statement,
} from "./records.js";
import { type AddressTrust, NOT_AN_ADDRESS, TRUSTED, type TrustMatcher } from "./trust.js";

export interface TransportConfig {
  readonly trust: TrustMatcher;
  /** `proxy.headers`: the only headers read; order names the `source` when two agree. */
  readonly headers: readonly ProxyHeader[];
  readonly localhost: LocalhostMode;
}

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
 * cannot change what the engine decides for another; between requests the walk keeps only
 * the previous peer's trust, a pure function of the peer string.
 */
export function compileTransport(cfg: TransportConfig): (req: PolicyRequest) => Transport {
  const walk = new TransportWalk(cfg);
  return (req) => walk.decide(req);
}

/**
 * One policy's walk, step by step (SPEC §2.2). Deciding is synchronous, so the fields carry
 * one request's state from step to step; `decide` sets them all before a step reads them.
 */
class TransportWalk {
  private readonly cfg: TransportConfig;
  private readonly trust: TrustMatcher;
  /** `proxy.headers`: the only forwarding headers read. */
  private readonly names: readonly ProxyHeader[];
  /** Where `names` lists the two chains, or -1. */
  private readonly forwardedAt: number;
  private readonly xffAt: number;
  // The previous request's peer and what trust makes of it.
  private lastPeer: string | null | undefined = undefined;
  private peerTrust: AddressTrust = NOT_AN_ADDRESS;
  /** The peer without port, brackets or zone; as written when it is not an address. */
  private peerAddress: string | null = null;

  // The request: its peer, how it arrived, its Host and its forwarding headers.
  private peer: string | null = null;
  private socketProtocol: Protocol = "http";
  private hostHeader: string | undefined = undefined;
  private anyPresent = false;
  /** The value of each header in `names`, in that order; undefined when absent or blank. */
  private readonly values: (string | undefined)[];

  // What the steps decide.
  private diagnostics: Diagnostics = undefined;
  private hops: Hop[] = [];
  private clientAddress: string | null = null;
  private trustedHops = 0;
  /** Forwarded's element of the outermost trusted proxy: its proto= and host=. */
  private record: ForwardedElement | null = null;
  /** Present headers that said no protocol (malformed Forwarded, a garbage value). */
  private unusable = false;
  private protocol: Protocol | undefined = undefined;
  private source: TransportSource = "socket";
  private host: string | undefined = undefined;
  /** The header that named the host; undefined for the Host header. */
  private hostFrom: ProxyHeader | undefined = undefined;
  /** The value the last `protocolIn` read, for a message. */
  private raw: string | undefined = undefined;

  constructor(cfg: TransportConfig) {
    this.cfg = cfg;
    this.trust = cfg.trust;
    this.names = cfg.headers;
    this.forwardedAt = cfg.headers.indexOf("forwarded");
    this.xffAt = cfg.headers.indexOf("x-forwarded-for");
    this.values = cfg.headers.map(() => undefined);
  }

  decide(req: PolicyRequest): Transport {
    this.readHeaders(req.headers);
    this.meetPeer(req.peer === undefined || req.peer === "" ? null : req.peer);
    this.socketProtocol = req.encrypted ? "https" : "http";
    this.diagnostics = undefined;
    this.warnIfTrustAllPublic();
    if (!this.peerIsTrusted()) {
      if (this.anyPresent) this.reportIgnoredHeaders(req);
      return this.atPeer(false);
    }
    const clientsDisagree = this.findClient();
    if (clientsDisagree !== undefined) return this.conflict(clientsDisagree);
    const recordsDisagree = this.readOutermostRecords();
    if (recordsDisagree !== undefined) return this.conflict(recordsDisagree);
    // Step 4: doubt fails closed. A present but unusable header leaves the socket's protocol.
    if (this.unusable || this.protocol === undefined) {
      this.protocol = this.socketProtocol;
      this.source = "socket";
    }
    return this.finish(this.protocol);
  }

  /** Reads Host and each listed forwarding header once (a Fetch `get` may cost). */
  private readHeaders(view: HeadersView): void {
    const fetchStyle = isFetchHeaders(view);
    this.hostHeader =
      readHeaderOf(view, "host", fetchStyle) ?? readHeaderOf(view, ":authority", fetchStyle);
    const names = this.names;
    const values = this.values;
    let any = false;
    for (let i = 0; i < names.length; i++) {
      const value = readHeaderOf(view, names[i] as ProxyHeader, fetchStyle);
      if (value === undefined || isBlank(value)) values[i] = undefined;
      else {
        values[i] = value;
        any = true;
      }
    }
    this.anyPresent = any;
  }

  /** Requests through one proxy bring the same peer: its trust is kept for the next one. */
  private meetPeer(peer: string | null): void {
    this.peer = peer;
    if (peer === this.lastPeer) return;
    this.lastPeer = peer;
    this.peerTrust = peer === null ? NOT_AN_ADDRESS : this.trust.classifyAt(peer, 0, peer.length);
    this.peerAddress = peer === null || this.peerTrust === NOT_AN_ADDRESS ? peer : bareOf(peer);
  }

  private warnIfTrustAllPublic(): void {
    const peer = this.peer;
    if (this.trust.kind === "all" && peer !== null && isPublicAddress(peer))
      this.report("TRANSPORT_TRUST_ALL_PUBLIC", trustAllPublicMessage(peer));
  }

  /**
   * Step 2: whether the peer's headers are believed at all. An unknown peer can match a hop
   * count or `true`, never an address list (step 5).
   */
  private peerIsTrusted(): boolean {
    const trust = this.trust;
    if (trust.hops === 0) return false;
    return this.peer === null ? trust.kind !== "list" : this.peerTrust === TRUSTED;
  }

  /**
   * Step 1: where the walk stops, i.e. who the client is and how many hops are trusted, from
   * Forwarded `for=` and/or X-Forwarded-For, nearest first. Returns why the two chains
   * disagree, if they do.
   */
  private findClient(): string | undefined {
    this.hops = [{ address: this.peerAddress, trusted: true, from: "socket" }];
    this.clientAddress = this.peerAddress;
    this.trustedHops = 0;
    this.record = null;
    this.unusable = false;
    const forwarded = this.forwardedAt < 0 ? undefined : this.values[this.forwardedAt];
    const xff = this.xffAt < 0 ? undefined : this.values[this.xffAt];
    if (forwarded !== undefined) this.followForwarded(forwarded);
    return xff === undefined ? undefined : this.followXff(xff, forwarded === undefined);
  }

  private followForwarded(value: string): void {
    walkForwarded(value, this.trust, this.hops);
    this.clientAddress = chain.client;
    this.trustedHops = chain.clientIndex;
    this.record = chain.record;
    if (chain.end === MALFORMED) {
      // Its protocol is not believed either, nor another header's instead (step 4).
      this.unusable = true;
      this.report("TRANSPORT_FORWARDED_MALFORMED", forwardedMalformedMessage(this.peer));
    }
    if (chain.end === TOO_LONG)
      this.report("TRANSPORT_CHAIN_TOO_LONG", tooLongMessage("Forwarded", this.peer));
  }

  /** With Forwarded present, X-Forwarded-For only has to agree with it: the hops are Forwarded's. */
  private followXff(value: string, alone: boolean): string | undefined {
    walkXff(value, this.trust, alone ? this.hops : null);
    if (chain.end === MALFORMED)
      this.report("TRANSPORT_XFF_MALFORMED", xffMalformedMessage(this.peer));
    if (chain.end === TOO_LONG)
      this.report("TRANSPORT_CHAIN_TOO_LONG", tooLongMessage("X-Forwarded-For", this.peer));
    if (alone) {
      this.clientAddress = chain.client;
      this.trustedHops = chain.clientIndex;
      return undefined;
    }
    if (chain.clientIndex === this.trustedHops && sameAddress(chain.client, this.clientAddress))
      return undefined;
    return clientConflictMessage(this.peer, this.clientAddress, this.trustedHops);
  }

  /**
   * Steps 3 and 6: the protocol and the host recorded by the outermost trusted proxy, read
   * from each listed header in `proxy.headers` order (the first to speak is the `source`).
   * Returns why two headers disagree, if they do.
   */
  private readOutermostRecords(): string | undefined {
    const believed = Math.max(this.trustedHops, 1);
    this.protocol = undefined;
    this.source = "socket";
    this.host = this.hostHeader;
    this.hostFrom = undefined;
    const names = this.names;
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as ProxyHeader;
      const value = this.values[i];
      if (value === undefined) continue;
      const disagreement =
        this.believeProtocol(name, this.protocolIn(name, value, believed)) ??
        this.believeHost(name, this.hostIn(name, value, believed));
      if (disagreement !== undefined) return disagreement;
    }
    return undefined;
  }

  /** The protocol a header's `value` says the outermost of `believed` proxies saw; sets `raw`. */
  private protocolIn(name: ProxyHeader, value: string, believed: number): Statement {
    let raw: string | undefined;
    let said: Statement;
    if (name === "forwarded") {
      // The element the chain walk stopped at; none when it did not parse.
      raw = this.record === null ? undefined : this.record.proto;
      said = raw === undefined ? undefined : protocolOf(raw);
    } else if (name === "x-forwarded-proto") {
      raw = alignedValue(value, believed);
      if (aligned.misaligned)
        this.report("TRANSPORT_XFP_MISALIGNED", misalignedMessage(this.peer, believed, raw));
      said = raw === undefined ? (aligned.overlong ? null : undefined) : protocolOf(raw);
    } else if (name === "x-forwarded-ssl" || name === "front-end-https") {
      raw = value;
      said = onOff(value);
    } else if (name === "cf-visitor") {
      raw = value;
      said = cfVisitorScheme(value);
    }
    this.raw = raw;
    return said;
  }

  /** The host a header's `value` says the outermost of `believed` proxies was asked for. */
  private hostIn(name: ProxyHeader, value: string, believed: number): string | undefined {
    if (name === "forwarded") return this.record === null ? undefined : this.record.host;
    if (name !== "x-forwarded-host") return undefined;
    // A value longer than a proxy writes is kept whole: the host check refuses it.
    return alignedValue(value, believed) ?? (aligned.overlong ? value : undefined);
  }

  /** The first protocol said is believed; returns why a later header disagrees with it. */
  private believeProtocol(name: ProxyHeader, said: Statement): string | undefined {
    if (said === undefined) return undefined;
    if (said === null) {
      this.unusable = true;
      this.report(
        "TRANSPORT_PROTO_INVALID",
        invalidProtocolMessage(name, this.peer, this.raw, this.socketProtocol),
      );
      return undefined;
    }
    if (this.protocol === undefined) {
      this.protocol = said;
      this.source = name as TransportSource;
      return undefined;
    }
    if (said === this.protocol) return undefined;
    return protocolConflictMessage(this.source as ProxyHeader, this.protocol, name, said);
  }

  /** The first forwarded host said is believed; returns why a later header disagrees with it. */
  private believeHost(name: ProxyHeader, host: string | undefined): string | undefined {
    if (host === undefined) return undefined;
    if (this.hostFrom === undefined) {
      this.hostFrom = name;
      this.host = host;
      return undefined;
    }
    if (host.toLowerCase() === (this.host as string).toLowerCase()) return undefined;
    return hostConflictMessage(this.hostFrom, this.host as string, name, host);
  }

  /** Two listed headers disagree: doubt fails closed at the peer (SPEC §2.2 step 4). */
  private conflict(what: string): Transport {
    this.report(
      "TRANSPORT_HEADER_CONFLICT",
      `${what}; the socket's ${this.socketProtocol} and the peer's address stand. List in proxy.headers only the headers your proxies write (and strip).`,
    );
    return this.atPeer(true);
  }

  /** The socket's own transport: the peer is the client. */
  private atPeer(peerTrusted: boolean): Transport {
    this.hops = [{ address: this.peerAddress, trusted: peerTrusted, from: "socket" }];
    this.clientAddress = this.peerAddress;
    this.trustedHops = 0;
    this.source = "socket";
    this.host = this.hostHeader;
    this.hostFrom = undefined;
    return this.finish(this.socketProtocol);
  }

  private finish(protocol: Protocol): Transport {
    // Step 6: the request host; a value that is not a DNS name or IP literal gives no host.
    const hostValue = this.host;
    const given = hostValue !== undefined && hostValue !== "";
    const facts = given ? hostFacts(hostValue) : null;
    if (given && facts === null)
      this.report("TRANSPORT_HOST_INVALID", hostInvalidMessage(hostValue, this.hostFrom));
    const localhost = facts?.localhost === true;
    const clientAddress = this.clientAddress;
    // A fresh object for each request, not frozen (that would cost more than the rest of
    // the object): no other request and no later decision of another request sees it.
    return {
      protocol,
      secure: protocol === "https",
      source: this.source,
      clientAddress,
      host: facts === null ? null : facts.host,
      port: facts === null ? null : facts.port,
      trustedHops: this.trustedHops,
      localhost,
      secureContext:
        localhost &&
        this.cfg.localhost === "secure-context" &&
        clientAddress !== null &&
        isLoopbackAddress(clientAddress),
      hops: this.hops,
      diagnostics: this.diagnostics ?? NO_DIAGNOSTICS,
    };
  }

  private report(code: ReasonCode, message: string): void {
    if (this.diagnostics === undefined) this.diagnostics = [];
    this.diagnostics.push({ code, message });
  }

  /** Why the forwarding headers of an untrusted (or unknown) peer were not believed. */
  private reportIgnoredHeaders(req: PolicyRequest): void {
    const kind = this.trust.kind;
    let names: string[] | undefined;
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i] as ProxyHeader;
      const value = this.values[i];
      // Trust false believes nothing: a header the runtime itself may have written is no sign of a proxy.
      if (value === undefined || (kind === "none" && this.isRuntimeRecord(req, name, value)))
        continue;
      if (names === undefined) names = [];
      names.push(DISPLAY[name]);
    }
    if (names === undefined) return;
    const listed = names.join(", ");
    const they = names.length === 1 ? "it is" : "they are";
    const peer = describePeer(this.peer);
    if (kind === "none") {
      this.report(
        "TRANSPORT_HEADERS_WITHOUT_TRUST",
        `${listed} arrived from ${peer} but proxy.trust is false, so ${they} ignored and the socket's ${this.socketProtocol} stands. If the app runs behind a proxy, list the proxy's address (or a hop count) in proxy.trust.`,
      );
    } else if (this.peer === null && kind === "list") {
      this.report(
        "TRANSPORT_PEER_UNKNOWN",
        `${listed} arrived but this runtime does not tell the peer's address, so the address list in proxy.trust cannot match and ${they} not believed. Use a hop count (e.g. "trust": 1) for the platform's proxy.`,
      );
    } else {
      this.report(
        "TRANSPORT_UNTRUSTED_PEER",
        `${listed} arrived from ${peer}, which proxy.trust does not trust, so ${they} ignored and the socket's ${this.socketProtocol} stands.`,
      );
    }
  }

  /**
   * Whether a header is one the runtime may have filled in (`PolicyRequest.runtimeFilled`) and
   * holds exactly what a runtime writes for its own connection: one address, `http` or
   * `https`, the Host it received. A list or anything else was sent by someone.
   */
  private isRuntimeRecord(req: PolicyRequest, name: ProxyHeader, value: string): boolean {
    const filled = req.runtimeFilled;
    if (filled === undefined || !filled.includes(name as RuntimeFilledHeader)) return false;
    if (value.indexOf(",") >= 0) return false;
    if (name === "x-forwarded-for") return parseAddress(value.trim()) !== NOT_IP;
    if (name === "x-forwarded-proto") return value === "http" || value === "https";
    const host = this.hostHeader;
    return host !== undefined && value.trim().toLowerCase() === host.trim().toLowerCase();
  }
}

// The messages, each one what a reader of the report needs to fix the setup.

function trustAllPublicMessage(peer: string): string {
  return `proxy.trust is true and ${describePeer(peer)} is a public address: any client can forge forwarding headers. List your proxies' addresses (or a hop count) in proxy.trust instead.`;
}

function forwardedMalformedMessage(peer: string | null): string {
  return `The Forwarded header from ${describePeer(peer)} does not parse (RFC 7239) where the walk reads it (${quote(chain.bad)}), so its client address and protocol are not believed.`;
}

function xffMalformedMessage(peer: string | null): string {
  return `X-Forwarded-For from ${describePeer(peer)} has an entry that is not an IP address (${quote(chain.bad)}) where the walk reads it, so the client address is unknown.`;
}

function tooLongMessage(header: string, peer: string | null): string {
  return `${header} from ${describePeer(peer)} is still trusted after ${MAX_ENTRIES} entries, so the walk stops there and the client address is unknown.`;
}

/** Forwarded's client and hops against X-Forwarded-For's, the last chain walked. */
function clientConflictMessage(peer: string | null, client: string | null, hops: number): string {
  return `Forwarded and X-Forwarded-For from ${describePeer(peer)} disagree about the client (${quote(client ?? "none")} after ${hops} hops vs ${quote(chain.client ?? "none")} after ${chain.clientIndex})`;
}

function misalignedMessage(
  peer: string | null,
  believed: number,
  used: string | undefined,
): string {
  return `X-Forwarded-Proto from ${describePeer(peer)} has fewer values than the ${believed} trusted proxies, so they cannot be aligned; the leftmost (${quote(used)}) was used. Make every trusted proxy append its own value, or overwrite the header at the first proxy.`;
}

function invalidProtocolMessage(
  name: ProxyHeader,
  peer: string | null,
  raw: string | undefined,
  socketProtocol: Protocol,
): string {
  return `${DISPLAY[name]} from ${describePeer(peer)} says ${quote(raw)}, which is not a valid protocol (http or https), so the socket's ${socketProtocol} stands.`;
}

function protocolConflictMessage(
  first: ProxyHeader,
  protocol: Protocol,
  name: ProxyHeader,
  said: Protocol,
): string {
  return `${DISPLAY[first]} says ${protocol} but ${DISPLAY[name]} says ${said}`;
}

function hostConflictMessage(
  first: ProxyHeader,
  host: string,
  name: ProxyHeader,
  said: string,
): string {
  return `${DISPLAY[first]} says the host is ${quote(host)} but ${DISPLAY[name]} says ${quote(said)}`;
}

function hostInvalidMessage(host: string, from: ProxyHeader | undefined): string {
  return `The request host ${quote(host)} (from ${from === undefined ? "Host" : DISPLAY[from]}) is not a valid host name or IP address, so the request is treated as having no host.`;
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

/** A header value quoted for a message: escaped (no line breaks reach a log) and cut short. */
function quote(value: string | undefined): string {
  if (value === undefined) return "nothing";
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}
