import type { HeadersView, PolicyRequest } from "../types.js";

/** The parts of a Node `IncomingMessage` the engine reads (structural: no `node:` import). */
export interface NodeRequestLike {
  readonly socket?: { readonly remoteAddress?: string; readonly encrypted?: boolean } | null;
  readonly headers: HeadersView;
  readonly method?: string;
  readonly url?: string;
}

/** The one translation from a Node `IncomingMessage`-shaped request to the engine's view. */
export function nodeRequest(req: NodeRequestLike): PolicyRequest {
  const socket = req.socket;
  return {
    encrypted: socket?.encrypted === true,
    peer: socket?.remoteAddress || undefined,
    headers: req.headers,
    method: req.method ? req.method.toUpperCase() : "GET",
    url: req.url || "/",
  };
}
