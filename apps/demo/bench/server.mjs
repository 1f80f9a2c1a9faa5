/**
 * One benchmark server (a child of adapters.bench.mjs): the app of apps.mjs for a framework
 * and variant, listening on 127.0.0.1.
 *   node bench/server.mjs --framework express|fastify|hono|koa --variant adapter|middleware|native
 * Prints {"url"} once listening; runs until SIGTERM.
 */
import { parseArgs } from "node:util";
import { listenServer } from "../src/servers/shared.mjs";
import { benchServer } from "./apps.mjs";

const { values } = parseArgs({
  options: { framework: { type: "string" }, variant: { type: "string" } },
});
const { server, close } = await benchServer(values.framework, values.variant);
const { url } = await listenServer(server, {});
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.on("SIGTERM", async () => {
  await close();
  process.exit(0);
});
