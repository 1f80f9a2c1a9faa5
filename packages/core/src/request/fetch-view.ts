import type { HeadersView, PolicyRequest } from "../types.js";

/** The parts of a Fetch `Request` the engine reads (Bun, Deno, Workers, `app.request()`). */
export interface FetchRequestLike {
  readonly url: string;
  readonly method: string;
  readonly headers: { get(name: string): string | null };
}

/** What only the connection knows, as the runtime tells it. */
export interface FetchConnection {
  /**
   * The connection itself is TLS. Never the URL's scheme unless the runtime derives it from
   * the connection: for an absolute-form target (`POST https://x/ HTTP/1.1` over plain TCP)
   * or an HTTP/2 `:scheme`, some runtimes (Deno) put the client's own scheme in `url`.
   */
  readonly encrypted: boolean;
  /** The peer address, or undefined where the runtime does not tell it. */
  readonly peer?: string | undefined;
}

/**
 * The one translation from a Fetch `Request` to the engine's view. The request host is the
 * Host header; a request carrying none (HTTP/2, whose `:authority` the runtime moved into the
 * URL, or `app.request("https://app.test/")`) gets the URL's host (SPEC §2.2 step 6).
 */
export function fetchRequest(req: FetchRequestLike, connection: FetchConnection): PolicyRequest {
  const href = req.url;
  // An absolute URL as runtimes give it; Bun gives the bare target for an HTTP/1.0 request
  // without Host.
  const authorityStart = href.charCodeAt(0) === 0x2f /* / */ ? -1 : href.indexOf("//");
  let path = href;
  let authority = "";
  if (authorityStart >= 0) {
    const end = authorityEnd(href, authorityStart + 2);
    authority = href.slice(authorityStart + 2, end);
    path = href.slice(end);
  }
  return {
    encrypted: connection.encrypted,
    peer: connection.peer || undefined,
    headers: withHost(req.headers, authority),
    method: req.method.toUpperCase(),
    url: path.charCodeAt(0) === 0x2f ? path : `/${path}`,
  };
}

/** Where the authority ends: the first `/`, `?` or `#` after `from`, else the end. */
function authorityEnd(href: string, from: number): number {
  for (let i = from; i < href.length; i++) {
    const c = href.charCodeAt(i);
    if (c === 0x2f || c === 0x3f || c === 0x23) return i;
  }
  return href.length;
}

/** The headers, answering `host` with the URL's authority when the request has no Host. */
function withHost(headers: FetchRequestLike["headers"], authority: string): HeadersView {
  if (authority === "" || headers.get("host") !== null) return headers;
  return { get: (name: string) => (name === "host" ? authority : headers.get(name)) };
}
