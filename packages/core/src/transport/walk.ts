/**
 * The transport decision (SPEC §2.2): who the client is, whether the request really
 * arrived over HTTPS, and which host it asked for, believing forwarding headers only as
 * far as the trusted hops go. Runs on every request: no regex, one Map lookup per address,
 * messages built only when something is reported.
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
import { isLoopbackAddress, isPublicAddress, looksLikeAddress, stripAddress } from "./address.js";
import { type ForwardedElement, parseForwarded } from "./forwarded.js";
import { isFetchHeaders, readHeader, readHeaderOf } from "./headers.js";
import { hostFacts } from "./host.js";
import { NOT_AN_ADDRESS, TRUSTED, type TrustMatcher } from "./trust.js";

export interface TransportConfig {
  readonly trust: TrustMatcher;
  /** `proxy.headers`: the only headers read, in priority order. */
  readonly headers: readonly ProxyHeader[];
  readonly localhost: LocalhostMode;
}

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
  const values = new Array<string | undefined>(cfg.headers.length);
  return walkTransport(req, cfg, readTransportHeaders(req.headers, cfg.headers, values), values);
}

/**
 * What the transport decision reads of the headers, each header once: the configured
 * forwarding headers into `values` (in `names` order), and the request host (Host, else
 * `:authority`) as the result.
 */
export function readTransportHeaders(
  view: HeadersView,
  names: readonly ProxyHeader[],
  values: (string | undefined)[],
): string | undefined {
  const fetchStyle = isFetchHeaders(view);
  for (let i = 0; i < names.length; i++)
    values[i] = readHeaderOf(view, names[i] as string, fetchStyle);
  return readHeaderOf(view, "host", fetchStyle) ?? readHeaderOf(view, ":authority", fetchStyle);
}

/** `decideTransport` on headers already read (`readTransportHeaders`). */
export function walkTransport(
  req: PolicyRequest,
  cfg: TransportConfig,
  hostHeader: string | undefined,
  values: readonly (string | undefined)[],
): Transport {
  const trust = cfg.trust;
  const configured = cfg.headers;
  let diagnostics: Diagnostics;

  let forwarded: string | undefined;
  let xff: string | undefined;
  let xfp: string | undefined;
  let xfh: string | undefined;
  let xssl: string | undefined;
  let feh: string | undefined;
  let cfv: string | undefined;
  let anyPresent = false;
  for (let i = 0; i < configured.length; i++) {
    const name = configured[i] as ProxyHeader;
    const value = values[i];
    if (value === undefined || isBlank(value)) continue;
    anyPresent = true;
    if (name === "x-forwarded-for") xff = value;
    else if (name === "x-forwarded-proto") xfp = value;
    else if (name === "forwarded") forwarded = value;
    else if (name === "x-forwarded-host") xfh = value;
    else if (name === "x-forwarded-ssl") xssl = value;
    else if (name === "front-end-https") feh = value;
    else if (name === "cf-visitor") cfv = value;
  }

  const socketProtocol: Protocol = req.encrypted ? "https" : "http";
  const peer = req.peer === undefined || req.peer === "" ? null : req.peer;

  if (trust.kind === "all" && peer !== null && isPublicAddress(peer)) {
    diagnostics = add(
      diagnostics,
      "TRANSPORT_TRUST_ALL_PUBLIC",
      `proxy.trust is true and ${describePeer(peer)} is a public address: any client can forge forwarding headers. List your proxies' addresses (or a hop count) in proxy.trust instead.`,
    );
  }

  // Step 2: an untrusted peer leaves the socket's own transport, whatever the headers say.
  const peerSeen = peer === null ? null : trust.classify(peer);
  const peerAddress = peerSeen === null ? null : peerSeen.address;
  const peerTrusted =
    trust.hops > 0 && (peerSeen === null ? trust.kind !== "list" : peerSeen.verdict === TRUSTED);
  if (!peerTrusted) {
    if (anyPresent)
      diagnostics = reportIgnored(diagnostics, cfg, req, peer, socketProtocol, hostHeader);
    const hops: Hop[] = [{ address: peerAddress, trusted: false, from: "socket" }];
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

  // The forwarding chain, nearest first: Forwarded `for=` when usable, else X-Forwarded-For.
  let elements: ForwardedElement[] | null = null;
  let chain: string[] | undefined;
  let fromXff = false;
  if (forwarded !== undefined) {
    elements = parseForwarded(forwarded);
    if (elements === null) {
      diagnostics = add(
        diagnostics,
        "TRANSPORT_FORWARDED_MALFORMED",
        `The Forwarded header from ${describePeer(peer)} does not parse (RFC 7239), so it is ignored: ${quote(forwarded)}.`,
      );
    } else {
      chain = new Array<string>(elements.length);
      for (let i = elements.length - 1, j = 0; i >= 0; i--, j++) {
        // An element without for= counts as for=unknown.
        chain[j] = (elements[i] as ForwardedElement).for ?? "unknown";
      }
    }
  }
  if (chain === undefined && xff !== undefined) {
    chain = splitListReversed(xff);
    fromXff = true;
  }

  // Step 1: the client is the first untrusted address, or the last one.
  const peerHop: Hop = { address: peerAddress, trusted: true, from: "socket" };
  let hops: Hop[] = [peerHop];
  const n = chain === undefined ? 0 : chain.length;
  const from = fromXff ? "x-forwarded-for" : "forwarded";
  let c = n;
  let malformed: string | undefined;
  for (let i = 1; i <= n; i++) {
    const seen = trust.classify((chain as string[])[i - 1] as string);
    if (seen.verdict === NOT_AN_ADDRESS && fromXff) {
      malformed = seen.address;
      break;
    }
    const trusted = i < trust.hops && seen.verdict === TRUSTED;
    hops.push({ address: seen.address, trusted, from });
    if (!trusted) {
      c = i;
      break;
    }
  }
  // Entries left of the client decide nothing: shown as written, their shape is enough to
  // tell a malformed X-Forwarded-For.
  for (let i = c + 1; malformed === undefined && i <= n; i++) {
    const entry = (chain as string[])[i - 1] as string;
    if (fromXff && !looksLikeAddress(entry)) malformed = entry;
    else hops.push({ address: display(entry), trusted: false, from });
  }
  if (malformed !== undefined) {
    diagnostics = add(
      diagnostics,
      "TRANSPORT_XFF_MALFORMED",
      `X-Forwarded-For from ${describePeer(peer)} has an entry that is not an IP address (${quote(malformed)}), so the header is ignored.`,
    );
    hops = [peerHop];
    c = 0;
  }
  const clientAddress = (hops[c] as Hop).address;

  // Step 3: the protocol (and step 6: the host) recorded by the outermost trusted proxy.
  const h = Math.max(c, 1);
  const record = elements === null ? undefined : elements[elements.length - h];
  let protocol: Protocol | undefined;
  let source: TransportSource = "socket";
  let hostValue = hostHeader;
  let hostFrom: ProxyHeader | undefined;
  for (let i = 0; i < configured.length; i++) {
    const name = configured[i] as ProxyHeader;
    let raw: string | undefined;
    let said: Statement;
    let host: string | undefined;
    if (name === "x-forwarded-proto") {
      if (xfp === undefined) continue;
      if (xfp.indexOf(",") < 0) raw = xfp;
      else {
        const values = splitList(xfp);
        if (values.length > 1 && values.length < h) {
          diagnostics = add(
            diagnostics,
            "TRANSPORT_XFP_MISALIGNED",
            `X-Forwarded-Proto from ${describePeer(peer)} has ${values.length} values for ${h} trusted proxies, so they cannot be aligned; the leftmost (${quote(values[0])}) was used. Make every trusted proxy append its own value, or overwrite the header at the first proxy.`,
          );
        }
        raw = aligned(values, h);
      }
      said = raw === undefined ? undefined : protocolOf(raw);
    } else if (name === "forwarded") {
      raw = record?.proto;
      said = raw === undefined ? undefined : protocolOf(raw);
      host = record?.host;
    } else if (name === "x-forwarded-host") {
      if (xfh !== undefined) host = xfh.indexOf(",") < 0 ? xfh.trim() : aligned(splitList(xfh), h);
    } else if (name === "x-forwarded-ssl" || name === "front-end-https") {
      raw = name === "x-forwarded-ssl" ? xssl : feh;
      said = raw === undefined ? undefined : onOff(raw);
    } else if (name === "cf-visitor") {
      raw = cfv;
      said = raw === undefined ? undefined : cfVisitorScheme(raw);
    }

    if (said === null) {
      diagnostics = add(
        diagnostics,
        "TRANSPORT_PROTO_INVALID",
        `${DISPLAY[name]} from ${describePeer(peer)} says ${quote(raw)}, which is not a valid protocol (http or https), so it is ignored.`,
      );
    } else if (said !== undefined) {
      if (protocol === undefined) {
        protocol = said;
        source = name as TransportSource;
      } else if (said !== protocol) {
        const first = DISPLAY[source as ProxyHeader];
        diagnostics = add(
          diagnostics,
          "TRANSPORT_HEADER_CONFLICT",
          `${first} says ${protocol} but ${DISPLAY[name]} says ${said}; ${first} wins (it comes first in proxy.headers).`,
        );
      }
    }

    if (host !== undefined) {
      if (hostFrom === undefined) {
        hostFrom = name;
        hostValue = host;
      } else if (host.toLowerCase() !== (hostValue as string).toLowerCase()) {
        diagnostics = add(
          diagnostics,
          "TRANSPORT_HEADER_CONFLICT",
          `${DISPLAY[hostFrom]} says the host is ${quote(hostValue)} but ${DISPLAY[name]} says ${quote(host)}; ${DISPLAY[hostFrom]} wins (it comes first in proxy.headers).`,
        );
      }
    }
  }

  const hostName = hostFrom === undefined ? "Host" : DISPLAY[hostFrom];
  return finish(
    cfg,
    protocol ?? socketProtocol,
    source,
    clientAddress,
    c,
    hops,
    hostValue,
    hostName,
    diagnostics,
  );
}

function finish(
  cfg: TransportConfig,
  protocol: Protocol,
  source: TransportSource,
  clientAddress: string | null,
  trustedHops: number,
  hops: readonly Hop[],
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
  const present = cfg.headers.filter((name) => {
    const value = readHeader(req.headers, name);
    if (value === undefined || isBlank(value)) return false;
    // Trust false believes nothing: a header the runtime itself may have written is no sign of a proxy.
    return !(kind === "none" && isRuntimeRecord(req, name, value, hostHeader));
  });
  if (present.length === 0) return diagnostics;
  const names = present.map((name) => DISPLAY[name]).join(", ");
  const they = present.length === 1 ? "it is" : "they are";
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
  if (name === "x-forwarded-for") return looksLikeAddress(value.trim());
  if (name === "x-forwarded-proto") return value === "http" || value === "https";
  return hostHeader !== undefined && value.trim().toLowerCase() === hostHeader.trim().toLowerCase();
}

function describePeer(peer: string | null): string {
  return peer === null ? "an unknown peer" : `peer ${peer}`;
}

/** `[2001:db8::1]:4711` → `2001:db8::1`; identifiers (`unknown`, `_hidden`) as written. */
function display(address: string): string {
  return stripAddress(address) ?? address;
}

function isBlank(value: string): boolean {
  if (value.length === 0) return true;
  if (value.charCodeAt(0) > 0x20 && value.charCodeAt(value.length - 1) > 0x20) return false;
  return value.trim().length === 0;
}

/** A comma-separated list, left to right, entries trimmed, empty entries dropped (RFC 9110 §5.6.1). */
function splitList(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const comma = value.indexOf(",", start);
    const entry = (comma < 0 ? value.slice(start) : value.slice(start, comma)).trim();
    if (entry.length > 0) out.push(entry);
    if (comma < 0) return out;
    start = comma + 1;
  }
}

/** The same list read right to left (nearest proxy first), as the walk consumes it. */
function splitListReversed(value: string): string[] {
  const out: string[] = [];
  let end = value.length;
  while (end >= 0) {
    const comma = end > 0 ? value.lastIndexOf(",", end - 1) : -1;
    // Trim by index: one slice per entry.
    let from = comma + 1;
    let to = end;
    while (from < to && isOws(value.charCodeAt(from))) from++;
    while (to > from && isOws(value.charCodeAt(to - 1))) to--;
    if (to > from) out.push(value.slice(from, to));
    end = comma;
  }
  return out;
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * The value written by the outermost of h trusted proxies in a list each one appends to:
 * a single value as it stands; else index k - h; the leftmost when there are fewer than h.
 */
function aligned(values: readonly string[], h: number): string | undefined {
  const k = values.length;
  return k <= 1 || k < h ? values[0] : values[k - h];
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
