/**
 * Next.js requests as the engine's request view. Next gives no socket: the peer is unknown
 * (SPEC §2.2 step 5) and the scheme is the one Next.js recorded for the request, unless a
 * custom server attested the socket (see socket.ts).
 */
import { type HeadersView, type PolicyRequest, readHeader } from "@scope/cookie-core";
import {
  attestedSocket,
  isNextFilled,
  NEXT_FILLED,
  SOCKET_HEADER,
  type SocketFacts,
} from "./socket.js";

/** A Fetch-style header reader: `Request.headers`, `NextRequest.headers`, `headers()`. */
export interface HeadersLike {
  get(name: string): string | null;
}

/** proxy.ts / middleware.ts / route handlers: a `NextRequest` or any Fetch `Request`. */
export function fromRequest(request: Request): PolicyRequest {
  const url = new URL(request.url);
  return view(
    request.headers,
    url.protocol === "https:",
    request.method,
    url.pathname + url.search,
  );
}

/**
 * Server actions and route handlers reading `headers()` from `next/headers`: there is no
 * URL, so the scheme is the `x-forwarded-proto` Next.js records (it fills it in from the
 * socket when the request arrived without one).
 */
export function fromHeaders(headers: HeadersLike, method: string, path: string): PolicyRequest {
  const proto = readHeader(headers, "x-forwarded-proto")?.trim().toLowerCase();
  return view(headers, proto === "https", method, path);
}

function view(headers: HeadersLike, https: boolean, method: string, url: string): PolicyRequest {
  const facts = attestedSocket(readHeader(headers, SOCKET_HEADER));
  if (facts === undefined)
    // Without a custom server, Next.js's own x-forwarded-* cannot be told from a client's.
    return { encrypted: https, peer: undefined, headers, method, url, runtimeFilled: NEXT_FILLED };
  return {
    encrypted: facts.encrypted,
    peer: facts.peer,
    headers: asArrived(headers, facts),
    method,
    url,
  };
}

/** The request's headers with the forwarding ones as they arrived on the socket. */
function asArrived(headers: HeadersLike, facts: SocketFacts): HeadersView {
  return {
    get(name: string): string | undefined {
      const lower = name.toLowerCase();
      if (isNextFilled(lower)) return readHeader(facts.arrived, lower);
      return readHeader(headers, lower);
    },
  };
}
