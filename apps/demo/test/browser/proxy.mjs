/**
 * A tiny TLS-terminating reverse proxy on loopback, the way a load balancer fronts an app:
 * it accepts HTTPS, opens a plain-HTTP connection to the app FROM `localAddress` (the
 * address the policy trusts), overwrites X-Forwarded-Proto with `https` and appends the
 * visitor's address to X-Forwarded-For. Everything else passes through unchanged.
 */
import { request } from "node:http";
import { createServer } from "node:https";

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
]);

/** The headers a TLS-terminating proxy adds for a visitor at `clientAddress`. */
export function forwardedHeaders(clientAddress, previousFor) {
  return {
    "x-forwarded-proto": "https",
    "x-forwarded-for": previousFor ? `${previousFor}, ${clientAddress}` : clientAddress,
  };
}

function withoutHopByHop(headers) {
  const out = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(name.toLowerCase())) out[name] = value;
  }
  return out;
}

/**
 * Listen on 127.0.0.1 (any free port) with `tls` ({ key, cert }) and forward to `target`
 * (`http://127.0.0.1:PORT`) from `localAddress`. Resolves with the port and `close()`.
 */
export function startTlsProxy({ target, tls, localAddress }) {
  const upstream = new URL(target);
  const server = createServer(tls, (req, res) => {
    const headers = {
      ...withoutHopByHop(req.headers),
      ...forwardedHeaders(req.socket.remoteAddress, req.headers["x-forwarded-for"]),
    };
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        localAddress,
        method: req.method,
        path: req.url,
        headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.headers));
        answer.pipe(res);
      },
    );
    out.on("error", (err) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`proxy: ${err.message}`);
    });
    req.pipe(out);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve({
        port: server.address().port,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
