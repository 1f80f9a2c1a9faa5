import { readFileSync } from "node:fs";
import { createSecureServer } from "node:http2";
import { serve } from "@hono/node-server";
import { createApp } from "./app.js";

// The socket tells TLS and the peer: nothing to pass.
const app = createApp();
const tls = { cert: readFileSync("cert.pem"), key: readFileSync("key.pem"), allowHTTP1: true };
const http = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
const https = serve({
  fetch: app.fetch,
  hostname: "127.0.0.1",
  port: 0,
  createServer: createSecureServer,
  serverOptions: tls,
});
await Promise.all([http, https].map((s) => new Promise((ok) => s.once("listening", ok))));
console.log(JSON.stringify({ http: http.address().port, https: https.address().port }));
