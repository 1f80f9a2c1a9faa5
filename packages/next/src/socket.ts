/**
 * The custom-server bridge. Next.js hands proxy.ts and route handlers no socket: no peer
 * address, and a URL whose scheme follows a client's own X-Forwarded-Proto. A custom Node
 * server does own the socket, so it records the truth in a per-process table and tags the
 * request with a one-time random key; the adapter looks the key up. A client cannot forge
 * it: the server overwrites the header, and a guessed key finds nothing in the table.
 */

import type { RuntimeFilledHeader } from "@scope/cookie-core";

/** The request header carrying the one-time key. Overwritten by `attestSocket`. */
export const SOCKET_HEADER = "x-cookie-policy-socket";

/**
 * Forwarding headers Next.js fills in itself when absent (base-server, `??=`), those the
 * engine reads (the fourth, x-forwarded-port, it never reads).
 */
export const NEXT_FILLED: readonly RuntimeFilledHeader[] = [
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
];

/** What the custom server saw on the socket. */
export interface SocketFacts {
  /** `socket.remoteAddress`, or undefined when the socket had none. */
  readonly peer: string | undefined;
  /** `socket.encrypted`: the connection itself is TLS. */
  readonly encrypted: boolean;
  /** The forwarding headers as they arrived, before Next.js filled in its own. */
  readonly arrived: Readonly<Record<string, string | string[] | undefined>>;
}

/** The structural slice of a Node `IncomingMessage` this module needs. */
export interface SocketRequestLike {
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string | undefined; encrypted?: boolean } | null;
}

/** The structural slice of a Node `ServerResponse`: the key is forgotten when it closes. */
export interface SocketResponseLike {
  once(event: "close", listener: () => void): unknown;
}

const TABLE_KEY = Symbol.for("@scope/cookie-next.sockets");

/** One table per process (realm): the custom server and the app's modules share it. */
function table(): Map<string, SocketFacts> {
  const g = globalThis as { [TABLE_KEY]?: Map<string, SocketFacts> };
  let t = g[TABLE_KEY];
  if (t === undefined) {
    t = new Map();
    g[TABLE_KEY] = t;
  }
  return t;
}

/**
 * Call in a custom Node server before `handle(req, res)`: records the socket's peer and
 * TLS state for this request and replaces any client-sent `x-cookie-policy-socket`.
 */
export function attestSocket(req: SocketRequestLike, res: SocketResponseLike): void {
  const arrived: Record<string, string | string[] | undefined> = {};
  for (const name of NEXT_FILLED) arrived[name] = req.headers[name];
  const key = globalThis.crypto.randomUUID();
  const facts: SocketFacts = {
    peer: req.socket?.remoteAddress || undefined,
    encrypted: req.socket?.encrypted === true,
    arrived,
  };
  const t = table();
  t.set(key, facts);
  res.once("close", () => t.delete(key));
  req.headers[SOCKET_HEADER] = key;
}

/** The facts a custom server recorded for this request, or undefined (none, or a forged key). */
export function attestedSocket(key: string | null | undefined): SocketFacts | undefined {
  if (typeof key !== "string" || key === "") return undefined;
  const t = (globalThis as { [TABLE_KEY]?: Map<string, SocketFacts> })[TABLE_KEY];
  return t?.get(key);
}

/** Whether a forwarding header is one Next.js may have filled in (so read the arrived copy). */
export function isNextFilled(name: string): boolean {
  return (NEXT_FILLED as readonly string[]).includes(name);
}
