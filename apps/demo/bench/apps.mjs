/**
 * The benchmark's app, per framework and variant: `POST /login` sets `sessionId` through
 * the framework's own cookie API and answers `{"ok":true}`.
 * - native: no adapter; the handler writes the attributes the policy would decide, explicitly;
 * - middleware: native plus one empty middleware (Fastify: an empty onRequest hook) where the
 *   adapter would be: what being a middleware at all costs, before any policy work;
 * - adapter: the cookie-policy adapter registered; the handler passes no options, as the
 *   demo's /login does (the policy supplies them).
 * All three send the same cookie. Returns an http.Server that is not listening yet, and
 * `close()`.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";

export const FRAMEWORKS = ["express", "fastify", "hono", "koa"];
export const VARIANTS = ["native", "middleware", "adapter"];

const config = fileURLToPath(new URL("../cookie-policy.json", import.meta.url));
const policyOptions = { config, env: "development", onReport: () => {} };
const sessionValue = () => randomBytes(18).toString("base64url");
// The policy's decision for sessionId over HTTP under "development", in each API's units.
const SECONDS = { maxAge: 3600, path: "/", httpOnly: true };

const builders = {
  async express(variant, { express }) {
    const app = (express ?? (await import("express")).default)();
    if (variant === "adapter")
      app.use((await import("@scope/cookie-express")).cookiePolicy(policyOptions));
    if (variant === "middleware") app.use((_req, _res, next) => next());
    const options = { ...SECONDS, maxAge: 3600_000, sameSite: "strict" };
    app.post("/login", (_req, res) => {
      res.cookie("sessionId", sessionValue(), variant === "adapter" ? undefined : options);
      res.json({ ok: true });
    });
    return { server: createServer(app) };
  },
  async koa(variant) {
    const { default: Koa } = await import("koa");
    const app = new Koa();
    if (variant === "adapter")
      app.use((await import("@scope/cookie-koa")).cookiePolicy(policyOptions));
    if (variant === "middleware") app.use((_ctx, next) => next());
    const options = { ...SECONDS, maxAge: 3600_000, sameSite: "strict" };
    app.use((ctx) => {
      if (ctx.method !== "POST" || ctx.path !== "/login") return;
      ctx.cookies.set("sessionId", sessionValue(), variant === "adapter" ? undefined : options);
      ctx.body = { ok: true };
    });
    return { server: createServer(app.callback()) };
  },
  async fastify(variant) {
    const { default: Fastify } = await import("fastify");
    const app = Fastify();
    await app.register((await import("@fastify/cookie")).default);
    if (variant === "adapter")
      await app.register((await import("@scope/cookie-fastify")).cookiePolicy, policyOptions);
    if (variant === "middleware") app.addHook("onRequest", (_request, _reply, done) => done());
    const options = { ...SECONDS, sameSite: "strict" };
    app.post("/login", (_request, reply) => {
      reply.setCookie("sessionId", sessionValue(), variant === "adapter" ? undefined : options);
      return { ok: true };
    });
    await app.ready();
    return { server: app.server, close: () => app.close() };
  },
  async hono(variant) {
    const { Hono } = await import("hono");
    const { setCookie } = await import("hono/cookie");
    const { getRequestListener } = await import("@hono/node-server");
    const app = new Hono();
    if (variant === "adapter")
      app.use((await import("@scope/cookie-hono")).cookiePolicy(policyOptions));
    if (variant === "middleware") app.use((_c, next) => next());
    const options = { ...SECONDS, sameSite: "Strict" };
    app.post("/login", (c) => {
      setCookie(c, "sessionId", sessionValue(), variant === "adapter" ? undefined : options);
      return c.json({ ok: true });
    });
    return { server: createServer(getRequestListener(app.fetch)) };
  },
};

/**
 * The app for `framework` and `variant`. `modules.express`: the Express to build on (the
 * in-process bench gives the native variants their own copy, whose prototypes the adapter
 * has not wrapped).
 */
export async function benchServer(framework, variant, modules = {}) {
  const build = builders[framework];
  if (!build || !VARIANTS.includes(variant)) throw new Error(`no app ${framework}/${variant}`);
  const { server, close } = await build(variant, modules);
  return {
    server,
    close:
      close ??
      (() =>
        new Promise((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        })),
  };
}
