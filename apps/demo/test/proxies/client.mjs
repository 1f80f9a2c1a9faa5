/**
 * The proxies suite's client: test-support's `send`, aimed at a proxy on loopback by
 * address and port, FROM a chosen local address (one the app's policy does not trust).
 */
import { send as sendTo } from "@scope/test-support";

/** The name the recipes serve; sent as Host and as the TLS server name. */
export const SITE = "www.example.com";

/**
 * `{ scheme, address, port, from }`: the proxy's listening address and port, and the
 * client's own address. Resolves with test-support's reply (status, location, hsts,
 * cookieList, body).
 */
export function send({ scheme, address, port, from }, method, path, headers = {}) {
  const host = address.includes(":") ? `[${address}]` : address;
  return sendTo(`${scheme}://${host}:${port}${path}`, {
    method,
    headers: { host: SITE, ...headers },
    localAddress: from,
    servername: SITE,
    // The certificates are made at test time or by Caddy's local CA: not verified.
    verify: false,
  });
}
