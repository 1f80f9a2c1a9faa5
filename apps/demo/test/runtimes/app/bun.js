import { getConnInfo } from "hono/bun";
import { createApp } from "./app.js";

// Bun's server knows whether it serves TLS; getConnInfo gives the peer.
const app = createApp({ getConnInfo });
const tls = { cert: Bun.file("cert.pem"), key: Bun.file("key.pem") };
const http = Bun.serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
const https = Bun.serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0, tls });
console.log(JSON.stringify({ http: http.port, https: https.port }));
