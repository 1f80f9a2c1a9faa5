/**
 * The test client: one request over HTTP or HTTPS to a proxy on loopback, sent FROM a
 * chosen local address (one the app's policy does not trust), never pooled.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import setCookieParser from "set-cookie-parser";

/** The name the recipes serve; sent as Host and as the TLS server name. */
export const SITE = "www.example.com";

/**
 * `{ scheme, address, port, from }`: the proxy's listening address and port, and the
 * client's own address. Resolves with status, Location, HSTS, parsed Set-Cookie, body.
 */
export function send({ scheme, address, port, from }, method, path, headers = {}) {
  const request = scheme === "https" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: address,
        port,
        localAddress: from,
        method,
        path,
        headers: { host: SITE, ...headers },
        agent: false,
        // The certificates are made at test time (or by Caddy's local CA): not verified.
        rejectUnauthorized: false,
        servername: SITE,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          body += chunk;
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode,
            location: res.headers.location ?? null,
            hsts: res.headers["strict-transport-security"] ?? null,
            cookies: setCookieParser.parse(res.headers["set-cookie"] ?? [], {
              decodeValues: false,
            }),
            body,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}
