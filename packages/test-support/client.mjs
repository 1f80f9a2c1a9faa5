/** One request over a real socket, from a chosen local address, with the raw headers out. */
import * as http from "node:http";
import * as https from "node:https";
import setCookieParser from "set-cookie-parser";
import { certificate } from "./certificate.mjs";

/**
 * Sends one request on a fresh connection (no keep-alive: each call may bind another peer).
 * HTTPS is verified against the test certificate under the name localhost (or `servername`),
 * whatever Host header the test sends; `verify: false` for a certificate the suite did not
 * make (a proxy's own local CA).
 */
export function send(url, options = {}) {
  const tls = url.startsWith("https:");
  const ipv6 = new URL(url).hostname.startsWith("[");
  const servername = options.servername ?? "localhost";
  const verified = options.verify ?? true;
  return new Promise((resolve, reject) => {
    const req = (tls ? https : http).request(
      url,
      {
        ...(options.target === undefined ? {} : { path: options.target }),
        method: options.method ?? "GET",
        headers: options.headers,
        localAddress: options.localAddress ?? (ipv6 ? "::1" : "127.0.0.1"),
        agent: false,
        ...(tls && verified ? { ca: certificate().cert } : {}),
        ...(tls ? { servername, rejectUnauthorized: verified } : {}),
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          body += chunk;
        });
        res.on("end", () => {
          const setCookie = res.headers["set-cookie"] ?? [];
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body,
            location: res.headers.location ?? null,
            hsts: res.headers["strict-transport-security"] ?? null,
            setCookie,
            cookieList: setCookieParser.parse(setCookie, { decodeValues: false }),
            cookies: setCookieParser.parse(setCookie, { decodeValues: false, map: true }),
          });
        });
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}
