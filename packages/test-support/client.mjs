/** One request over a real socket, from a chosen local address, with the raw headers out. */
import * as http from "node:http";
import * as https from "node:https";
import setCookieParser from "set-cookie-parser";
import { certificate } from "./certificate.mjs";

/**
 * Sends one request on a fresh connection (no keep-alive: each call may bind another peer).
 * HTTPS is verified against the test certificate under the name localhost, whatever Host
 * header the test sends.
 */
export function send(url, options = {}) {
  const tls = url.startsWith("https:");
  return new Promise((resolve, reject) => {
    const req = (tls ? https : http).request(
      url,
      {
        ...(options.target === undefined ? {} : { path: options.target }),
        method: options.method ?? "GET",
        headers: options.headers,
        localAddress: options.localAddress ?? "127.0.0.1",
        agent: false,
        ...(tls ? { ca: certificate().cert, servername: "localhost" } : {}),
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
            setCookie,
            cookies: setCookieParser.parse(setCookie, { decodeValues: false, map: true }),
          });
        });
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}
