import { getConnInfo } from "hono/deno";
import { createApp } from "./app.js";

// Deno's Request carries no sign of TLS: say which server serves it.
const cert = Deno.readTextFileSync("cert.pem");
const key = Deno.readTextFileSync("key.pem");
const serve = (options, app) =>
  Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {}, ...options }, app.fetch);
const http = serve({}, createApp({ getConnInfo }));
const https = serve({ cert, key }, createApp({ getConnInfo, tls: true }));
console.log(JSON.stringify({ http: http.addr.port, https: https.addr.port }));
