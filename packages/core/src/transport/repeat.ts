/**
 * Requests repeat their transport: every request on a keep-alive connection, or from one
 * proxy for one client, brings the same socket (encrypted, peer), host and forwarding
 * headers, and those are all the walk reads. So a request that repeats the previous one's
 * inputs gets the previous (frozen) decision. One entry, compared value by value: on a
 * server a cache's memory is cold by the next request and the walk allocates its decision
 * anew, which together cost more than the walk's own work (measured: a Hono request
 * without any transport work ran 3–4% faster). Diagnostics stay on the decision and are
 * still reported on every request.
 */
import type { PolicyRequest, Transport } from "../types.js";
import { readTransportHeaders, type TransportConfig, walkTransport } from "./walk.js";

/** `decideTransport` for one policy, answering a repeated request with the previous decision. */
export function compileTransport(cfg: TransportConfig): (req: PolicyRequest) => Transport {
  const names = cfg.headers;
  // Deciding is synchronous, so one set of arrays per policy serves every request, and a
  // request that does not repeat the previous one allocates nothing more than the walk.
  const values = new Array<string | undefined>(names.length);
  const previous = {
    encrypted: false,
    peer: undefined as string | undefined,
    runtimeFilled: undefined as PolicyRequest["runtimeFilled"],
    host: undefined as string | undefined,
    values: new Array<string | undefined>(names.length),
    transport: null as Transport | null,
  };
  return (req) => {
    const host = readTransportHeaders(req.headers, names, values);
    const encrypted = Boolean(req.encrypted);
    if (
      previous.transport !== null &&
      previous.peer === req.peer &&
      previous.host === host &&
      previous.encrypted === encrypted &&
      previous.runtimeFilled === req.runtimeFilled &&
      sameValues(previous.values, values)
    )
      return previous.transport;
    const transport = freeze(walkTransport(req, cfg, host, values));
    previous.encrypted = encrypted;
    previous.peer = req.peer;
    previous.runtimeFilled = req.runtimeFilled;
    previous.host = host;
    for (let i = 0; i < values.length; i++) previous.values[i] = values[i];
    previous.transport = transport;
    return transport;
  };
}

function sameValues(a: readonly (string | undefined)[], b: readonly (string | undefined)[]) {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A decision requests may share: nobody may change it. */
function freeze(transport: Transport): Transport {
  for (const hop of transport.hops) Object.freeze(hop);
  Object.freeze(transport.hops);
  Object.freeze(transport.diagnostics);
  return Object.freeze(transport);
}
