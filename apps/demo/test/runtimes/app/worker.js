import { getConnInfo } from "hono/cloudflare-workers";
import { createApp } from "./app.js";

// Cloudflare terminates TLS and writes the client's scheme into the URL; the peer is
// CF-Connecting-IP. No proxy of yours stands in front: the "workers" profile trusts none.
export default createApp({ env: "workers", getConnInfo });
