/**
 * One benchmark server (a child of adapters.bench.mjs): `POST /login` sets `sessionId`
 * through the framework's own cookie API. `--variant adapter`: the cookie-policy adapter is
 * registered and the handler writes the cookie as an app using it would (no options: the
 * policy supplies them, as the demo's /login does). `--variant native`: no adapter, and the
 * handler writes the attributes the policy would decide, explicitly. Both answers carry the
 * same cookie (the bench prints both to show it). `--variant middleware`: as native, plus one
 * empty middleware (or onRequest hook) where the adapter would be: what being a middleware at
 * all costs, before any policy work.
 *   node bench/server.mjs --framework express|fastify|hono|koa --variant adapter|middleware|native
 * Prints {"url"} once listening; runs until SIGTERM.
 */
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { listen } from "../src/servers/shared.mjs";

const { values } = parseArgs({
  options: { framework: { type: "string" }, variant: { type: "string" } },
});
const withAdapter = values.variant === "adapter";
const withEmpty = values.variant === "middleware";
const config = fileURLToPath(new URL("../cookie-policy.json", import.meta.url));
const policyOptions = { config, env: "development", onReport: () => {} };
const sessionValue = () => randomBytes(18).toString("base64url");
// The policy's decision for sessionId over HTTP under "development", in each API's units.
const SECONDS = { maxAge: 3600, path: "/", httpOnly: true };
/** The call site's options: none with the adapter, the decided attributes without it. */
const callSite = (options) => (withAdapter ? undefined : options);

const apps = {
  async express() {
    const { default: express } = await import("express");
    const app = express();
    if (withAdapter) app.use((await import("@scope/cookie-express")).cookiePolicy(policyOptions));
    if (withEmpty) app.use((_req, _res, next) => next());
    app.post("/login", (_req, res) => {
      res.cookie(
        "sessionId",
        sessionValue(),
        callSite({ ...SECONDS, maxAge: 3600_000, sameSite: "strict" }),
      );
      res.json({ ok: true });
    });
    return listen(app, {});
  },
  async koa() {
    const { default: Koa } = await import("koa");
    const app = new Koa();
    if (withAdapter) app.use((await import("@scope/cookie-koa")).cookiePolicy(policyOptions));
    if (withEmpty) app.use((_ctx, next) => next());
    app.use((ctx) => {
      if (ctx.method !== "POST" || ctx.path !== "/login") return;
      ctx.cookies.set(
        "sessionId",
        sessionValue(),
        callSite({ ...SECONDS, maxAge: 3600_000, sameSite: "strict" }),
      );
      ctx.body = { ok: true };
    });
    return listen(app.callback(), {});
  },
  async fastify() {
    const { default: Fastify } = await import("fastify");
    const app = Fastify();
    await app.register((await import("@fastify/cookie")).default);
    if (withAdapter)
      await app.register((await import("@scope/cookie-fastify")).cookiePolicy, policyOptions);
    if (withEmpty) app.addHook("onRequest", (_request, _reply, done) => done());
    app.post("/login", (_request, reply) => {
      reply.setCookie("sessionId", sessionValue(), callSite({ ...SECONDS, sameSite: "strict" }));
      return { ok: true };
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    return { url: `http://127.0.0.1:${app.server.address().port}`, close: () => app.close() };
  },
  async hono() {
    const { Hono } = await import("hono");
    const { setCookie } = await import("hono/cookie");
    const { getRequestListener } = await import("@hono/node-server");
    const app = new Hono();
    if (withAdapter) app.use((await import("@scope/cookie-hono")).cookiePolicy(policyOptions));
    if (withEmpty) app.use((_c, next) => next());
    app.post("/login", (c) => {
      setCookie(c, "sessionId", sessionValue(), callSite({ ...SECONDS, sameSite: "Strict" }));
      return c.json({ ok: true });
    });
    return listen(getRequestListener(app.fetch), {});
  },
};

const server = await apps[values.framework]();
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.on("SIGTERM", async () => {
  await server.close();
  process.exit(0);
});
