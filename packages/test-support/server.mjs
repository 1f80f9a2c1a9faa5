/** One request handler served on 127.0.0.1 over HTTP and HTTPS, on ports the system picks. */
import * as http from "node:http";
import * as https from "node:https";
import { certificate } from "./certificate.mjs";

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server.address().port));
  });
}

function close(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive sockets of other clients would hold close() open.
    server.closeAllConnections();
  });
}

/**
 * Serves `handler` (a Node request listener: an Express or Koa callback, a plain function)
 * over both schemes. `http` and `https` are base URLs without a trailing slash.
 */
export async function serve(handler) {
  const plain = http.createServer(handler);
  const tls = https.createServer(certificate(), handler);
  const [httpPort, httpsPort] = await Promise.all([listen(plain), listen(tls)]);
  return {
    http: `http://127.0.0.1:${httpPort}`,
    https: `https://127.0.0.1:${httpsPort}`,
    close: async () => {
      await Promise.all([close(plain), close(tls)]);
    },
  };
}
