import type { HeadersView, PolicyRequest } from "../types.js";

/** The parts of a Node `IncomingMessage` the engine reads (structural: no `node:` import). */
export interface NodeRequestLike {
  readonly socket?: { readonly remoteAddress?: string; readonly encrypted?: boolean } | null;
  readonly headers: HeadersView;
  /**
   * The headers as received (`req.rawHeaders`). Node keeps only the first of several Host
   * headers in `headers`; from these the engine sees them all, and more than one Host is
   * an invalid host (RFC 9112 §3.2).
   */
  readonly rawHeaders?: readonly string[];
  readonly method?: string;
  readonly url?: string;
}

/**
 * The one translation from a Node `IncomingMessage`-shaped request to the engine's view.
 * TLS is the socket's: an absolute-form `https://` request target over plain TCP is
 * plain HTTP.
 */
export function nodeRequest(req: NodeRequestLike): PolicyRequest {
  const socket = req.socket;
  return {
    encrypted: socket?.encrypted === true,
    peer: socket?.remoteAddress || undefined,
    headers: withEveryHost(req.headers, req.rawHeaders),
    method: req.method ? req.method.toUpperCase() : "GET",
    url: req.url || "/",
  };
}

/** `headers` itself, or, when more than one Host arrived, a copy holding them all. */
function withEveryHost(headers: HeadersView, raw: readonly string[] | undefined): HeadersView {
  if (raw === undefined) return headers;
  let hosts: string[] | undefined;
  let first: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!isHost(raw[i] as string)) continue;
    const value = raw[i + 1] as string;
    if (first === undefined) first = value;
    else if (hosts === undefined) hosts = [first, value];
    else hosts.push(value);
  }
  return hosts === undefined ? headers : { ...(headers as Record<string, string>), host: hosts };
}

function isHost(name: string): boolean {
  return (
    name.length === 4 &&
    (name.charCodeAt(0) | 0x20) === 0x68 &&
    (name.charCodeAt(1) | 0x20) === 0x6f &&
    (name.charCodeAt(2) | 0x20) === 0x73 &&
    (name.charCodeAt(3) | 0x20) === 0x74
  );
}
