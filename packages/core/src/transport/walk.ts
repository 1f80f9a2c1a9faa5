/**
 * The transport decision (SPEC §2.2): who the client is, whether the request really
 * arrived over HTTPS, and which host it asked for, believing forwarding headers only as
 * far as the trusted hops go. Runs on every request: no regex, one Map lookup per address.
 */
import type {
  Diagnostic,
  Hop,
  LocalhostMode,
  PolicyRequest,
  ProxyHeader,
  ReasonCode,
  Transport,
  TransportSource,
} from "../types.js";
import { isLoopbackAddress, isPublicAddress, looksLikeAddress, stripAddress } from "./address.js";
import { type ForwardedElement, parseForwarded } from "./forwarded.js";
import { readHeader } from "./headers.js";
import { isLocalhostHost, parseHost } from "./host.js";
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

const DISPLAY: Readonly<Record<ProxyHeader, string>> = {
  forwarded: "Forwarded",
  "x-forwarded-for": "X-Forwarded-For",
  "x-forwarded-host": "X-Forwarded-Host",
  "x-forwarded-proto": "X-Forwarded-Proto",
  "x-forwarded-ssl": "X-Forwarded-SSL",
  "front-end-https": "Front-End-Https",
  "cf-visitor": "CF-Visitor",
};

/** Decide one request's transport. Never throws, whatever the headers hold. */
export function decideTransport(req: PolicyRequest, cfg: TransportConfig): Transport {
  const { trust, headers: configured } = cfg;
  const view = req.headers;
  const diagnostics: Diagnostic[] = [];
  const report = (code: ReasonCode, message: string) => {
    diagnostics.push({ code, message });
  };

  // Read only the configured headers, each once.
  let forwarded: string | undefined;
  let xff: string | undefined;
  let xfp: string | undefined;
  let xfh: string | undefined;
  let xssl: string | undefined;
  let feh: string | undefined;
  let cfv: string | undefined;
  let present: ProxyHeader[] | undefined;
  for (const name of configured) {
    const value = readHeader(view, name);
    if (value === undefined || isBlank(value)) continue;
    if (present === undefined) present = [name];
    else present.push(name);
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
  const peerName = peer === null ? "an unknown peer" : `peer ${peer}`;
  const hostHeader = readHeader(view, "host") ?? readHeader(view, ":authority");

  if (trust.kind === "all" && peer !== null && isPublicAddress(peer)) {
    report(
      "TRANSPORT_TRUST_ALL_PUBLIC",
      `proxy.trust is true and ${peerName} is a public address: any client can forge forwarding headers. List your proxies' addresses (or a hop count) in proxy.trust instead.`,
    );
  }

  // Step 2: an untrusted peer leaves the socket's own transport, whatever the headers say.
  const peerTrusted =
    peer === null
      ? trust.hops > 0 && (trust.kind === "all" || trust.kind === "hops")
      : trust.hops > 0 && trust.verdict(peer) === TRUSTED;
  if (!peerTrusted) {
    if (present !== undefined)
      reportIgnored(report, trust, present, peer, peerName, socketProtocol);
    const clientAddress = peer === null ? null : display(peer);
    const hops: Hop[] = [{ address: clientAddress, trusted: false, from: "socket" }];
    return finish(
      cfg,
      socketProtocol,
      "socket",
      clientAddress,
      0,
      hops,
      hostHeader,
      "Host",
      diagnostics,
    );
  }

  // The forwarding chain, nearest first: Forwarded `for=` when usable, else X-Forwarded-For.
  let elements: ForwardedElement[] | null = null;
  let chain: string[] = [];
  let chainFrom: Hop["from"] = "forwarded";
  if (forwarded !== undefined) {
    elements = parseForwarded(forwarded);
    if (elements === null) {
      report(
        "TRANSPORT_FORWARDED_MALFORMED",
        `The Forwarded header from ${peerName} does not parse (RFC 7239), so it is ignored: ${quote(forwarded)}.`,
      );
    } else {
      chain = new Array<string>(elements.length);
      for (let i = elements.length - 1, j = 0; i >= 0; i--, j++) {
        // An element without for= counts as for=unknown.
        chain[j] = (elements[i] as ForwardedElement).for ?? "unknown";
      }
    }
  }
  if (elements === null && xff !== undefined) {
    chainFrom = "x-forwarded-for";
    chain = splitList(xff);
    chain.reverse();
  }

  // Step 1: the client is the first untrusted address, or the last one.
  let n = chain.length;
  let c = n;
  let allTrusted = true;
  let malformed: string | undefined;
  for (let i = 1; i <= n; i++) {
    const entry = chain[i - 1] as string;
    const verdict = trust.verdict(entry);
    if (verdict === NOT_AN_ADDRESS && chainFrom === "x-forwarded-for") {
      malformed = entry;
      break;
    }
    if (i >= trust.hops || verdict !== TRUSTED) {
      c = i;
      allTrusted = false;
      break;
    }
  }
  if (chainFrom === "x-forwarded-for") {
    // Entries left of the client decide nothing: their shape is enough to tell a malformed header.
    for (let i = c + 1; malformed === undefined && i <= n; i++) {
      const entry = chain[i - 1] as string;
      if (!looksLikeAddress(entry)) malformed = entry;
    }
    if (malformed !== undefined) {
      report(
        "TRANSPORT_XFF_MALFORMED",
        `X-Forwarded-For from ${peerName} has an entry that is not an IP address (${quote(malformed)}), so the header is ignored.`,
      );
      chain = [];
      n = 0;
      c = 0;
      allTrusted = true;
    }
  }
  const hops: Hop[] = new Array<Hop>(n + 1);
  const peerAddress = peer === null ? null : display(peer);
  hops[0] = { address: peerAddress, trusted: true, from: "socket" };
  for (let i = 1; i <= n; i++) {
    hops[i] = {
      address: display(chain[i - 1] as string),
      trusted: i < c || allTrusted,
      from: chainFrom,
    };
  }
  const clientAddress = c === 0 ? peerAddress : (hops[c] as Hop).address;

  // Step 3: the protocol recorded by the outermost trusted proxy.
  const h = Math.max(c, 1);
  const record = elements === null ? undefined : elements[elements.length - h];
  let protocol: Protocol | undefined;
  let source: TransportSource = "socket";
  for (const name of configured) {
    let said: Statement;
    let raw: string | undefined;
    if (name === "x-forwarded-proto") {
      if (xfp === undefined) continue;
      raw = pickAligned(xfp, h, (k, leftmost) =>
        report(
          "TRANSPORT_XFP_MISALIGNED",
          `X-Forwarded-Proto has ${k} value(s) for ${h} trusted proxies, so they cannot be aligned; the leftmost (${quote(leftmost)}) was used. Make every trusted proxy append its own value, or overwrite the header at the edge.`,
        ),
      );
      if (raw === undefined) continue;
      said = protocolOf(raw);
    } else if (name === "forwarded") {
      raw = record?.proto;
      if (raw === undefined) continue;
      said = protocolOf(raw);
    } else if (name === "x-forwarded-ssl" || name === "front-end-https") {
      raw = name === "x-forwarded-ssl" ? xssl : feh;
      if (raw === undefined) continue;
      said = onOff(raw);
    } else if (name === "cf-visitor") {
      raw = cfv;
      if (raw === undefined) continue;
      said = cfVisitorScheme(raw);
    } else {
      continue;
    }
    if (said === undefined) continue;
    if (said === null) {
      report(
        "TRANSPORT_PROTO_INVALID",
        `${DISPLAY[name]} from ${peerName} says ${quote(raw)}, which is not a valid protocol (http or https), so it is ignored.`,
      );
    } else if (protocol === undefined) {
      protocol = said;
      source = name as TransportSource;
    } else if (said !== protocol) {
      report(
        "TRANSPORT_HEADER_CONFLICT",
        `${DISPLAY[source as ProxyHeader]} says ${protocol} but ${DISPLAY[name]} says ${said}; ${DISPLAY[source as ProxyHeader]} wins (it comes first in proxy.headers).`,
      );
    }
  }

  // Step 6: a trusted forwarded host replaces the Host header when its header is listed.
  let hostValue = hostHeader;
  let hostFrom = "Host";
  let forwardedHostFrom: ProxyHeader | undefined;
  for (const name of configured) {
    let value: string | undefined;
    if (name === "x-forwarded-host" && xfh !== undefined) value = pickAligned(xfh, h, ignore);
    else if (name === "forwarded") value = record?.host;
    if (value === undefined) continue;
    if (forwardedHostFrom === undefined) {
      forwardedHostFrom = name;
      hostValue = value;
      hostFrom = DISPLAY[name];
    } else if (value.toLowerCase() !== (hostValue as string).toLowerCase()) {
      report(
        "TRANSPORT_HEADER_CONFLICT",
        `${hostFrom} says the host is ${quote(hostValue)} but ${DISPLAY[name]} says ${quote(value)}; ${hostFrom} wins (it comes first in proxy.headers).`,
      );
    }
  }

  return finish(
    cfg,
    protocol ?? socketProtocol,
    source,
    clientAddress,
    c,
    hops,
    hostValue,
    hostFrom,
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
  diagnostics: Diagnostic[],
): Transport {
  let host: string | null = null;
  let port: number | null = null;
  if (hostValue !== undefined) {
    const parsed = parseHost(hostValue);
    if (parsed === null) {
      diagnostics.push({
        code: "TRANSPORT_HOST_INVALID",
        message: `The request host ${quote(hostValue)} (from ${hostFrom}) is not a valid host name or IP address, so the request is treated as having no host.`,
      });
    } else {
      host = parsed.host;
      port = parsed.port;
    }
  }
  const localhost = host !== null && isLocalhostHost(host);
  return {
    protocol,
    secure: protocol === "https",
    source,
    clientAddress,
    host,
    port,
    trustedHops,
    localhost,
    secureContext:
      localhost &&
      cfg.localhost === "secure-context" &&
      clientAddress !== null &&
      isLoopbackAddress(clientAddress),
    hops,
    diagnostics,
  };
}

function reportIgnored(
  report: (code: ReasonCode, message: string) => void,
  trust: TrustMatcher,
  present: readonly ProxyHeader[],
  peer: string | null,
  peerName: string,
  socketProtocol: Protocol,
): void {
  const names = present.map((name) => DISPLAY[name]).join(", ");
  const they = present.length === 1 ? "it is" : "they are";
  if (trust.kind === "none") {
    report(
      "TRANSPORT_HEADERS_WITHOUT_TRUST",
      `${names} arrived from ${peerName} but proxy.trust is false, so ${they} ignored and the socket's ${socketProtocol} stands. If the app runs behind a proxy, list the proxy's address (or a hop count) in proxy.trust.`,
    );
  } else if (peer === null && trust.kind === "list") {
    report(
      "TRANSPORT_PEER_UNKNOWN",
      `${names} arrived but this runtime does not tell the peer's address, so the address list in proxy.trust cannot match and ${they} not believed. Use a hop count (e.g. "trust": 1) for the platform's proxy.`,
    );
  } else {
    report(
      "TRANSPORT_UNTRUSTED_PEER",
      `${names} arrived from ${peerName}, which proxy.trust does not trust, so ${they} ignored and the socket's ${socketProtocol} stands.`,
    );
  }
}

function ignore(): void {}

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

/**
 * The value written by the outermost of h trusted proxies in a list each proxy appends
 * to: one value as it stands; else index k - h; the leftmost when there are fewer than h.
 */
function pickAligned(
  value: string,
  h: number,
  onMisaligned: (k: number, leftmost: string) => void,
): string | undefined {
  if (value.indexOf(",") < 0) return value.trim();
  const values = splitList(value);
  const k = values.length;
  if (k <= 1) return values[0];
  if (k < h) {
    onMisaligned(k, values[0] as string);
    return values[0];
  }
  return values[k - h];
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
