/**
 * The benchmark's app, per framework and variant: `POST /login` sets `sessionId` through
 * the framework's own cookie API and answers `{"ok":true}`. Requests come through a
 * trusted proxy on loopback (see traffic.mjs), so every app must read X-Forwarded-Proto.
 * - native: no adapter; the framework's own trust-proxy setting (Express `trust proxy`,
 *   Fastify `trustProxy`, Koa `app.proxy`; Hono has none, so the handler reads the header)
 *   says whether the request is https, and the handler writes the attributes the policy
 *   would decide, explicitly, with Secure when it is;
 * - middleware: native plus one empty middleware (Fastify: an empty onRequest hook) where
 *   the adapter would be: what being a middleware at all costs, before any policy work;
 * - adapter: the cookie-policy adapter registered; the handler passes no options, as the
 *   demo's /login does (the policy supplies them);
 * - decided (Hono only): the adapter registered, the handler calls @scope/cookie-hono's own
 *   `setCookie`, which the policy decides before anything is serialized.
 * All variants send the same cookie (Koa's own cookie library writes Expires without Max-Age).
 * Returns an http.Server that is not listening yet, and
 * `close()`.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { BENCH_ENV, BENCH_POLICY } from "./traffic.mjs";

export const FRAMEWORKS = ["express", "fastify", "hono", "koa"];
export const VARIANTS = ["native", "middleware", "adapter"];
/** The variants each framework is measured in. */
export const variantsOf = (framework) =>
  framework === "hono" ? [...VARIANTS, "decided"] : VARIANTS;

/**
 * `fn()`, tried again a few times: in a shared checkout a package's dist/ may be in the
 * middle of a rebuild for a few seconds.
 */
export async function withRetry(fn, attempts = 6) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt === attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, 10_000));
    }
  }
}

/** Loads every adapter now (a module loaded once stays loaded, whatever dist/ does later). */
export const preloadAdapters = () =>
  withRetry(() => Promise.all(FRAMEWORKS.map((framework) => import(`@scope/cookie-${framework}`))));

const policyOptions = { config: BENCH_POLICY, env: BENCH_ENV, onReport: () => {} };
const sessionValue = () => randomBytes(18).toString("base64url");
// The policy's decision for sessionId, in each API's units (plus Secure over https).
const SECONDS = { maxAge: 3600, path: "/", httpOnly: true };

const builders = {
  async express(variant, { express }) {
    const app = (express ?? (await import("express")).default)();
    if (variant !== "adapter") app.set("trust proxy", "loopback");
    if (variant === "adapter")
      app.use((await import("@scope/cookie-express")).cookiePolicy(policyOptions));
    if (variant === "middleware") app.use((_req, _res, next) => next());
    const options = { ...SECONDS, maxAge: 3600_000, sameSite: "strict" };
    app.post("/login", (req, res) => {
      const native = variant === "adapter" ? undefined : { ...options, secure: req.secure };
      res.cookie("sessionId", sessionValue(), native);
      res.json({ ok: true });
    });
    return { server: createServer(app) };
  },
  async koa(variant) {
    const { default: Koa } = await import("koa");
    const app = new Koa();
    if (variant !== "adapter") app.proxy = true;
    if (variant === "adapter")
      app.use((await import("@scope/cookie-koa")).cookiePolicy(policyOptions));
    if (variant === "middleware") app.use((_ctx, next) => next());
    const options = { ...SECONDS, maxAge: 3600_000, sameSite: "strict" };
    app.use((ctx) => {
      if (ctx.method !== "POST" || ctx.path !== "/login") return;
      const native = variant === "adapter" ? undefined : { ...options, secure: ctx.secure };
      ctx.cookies.set("sessionId", sessionValue(), native);
      ctx.body = { ok: true };
    });
    return { server: createServer(app.callback()) };
  },
  async fastify(variant) {
    const { default: Fastify } = await import("fastify");
    const app = Fastify(variant === "adapter" ? {} : { trustProxy: "loopback" });
    await app.register((await import("@fastify/cookie")).default);
    if (variant === "adapter")
      await app.register((await import("@scope/cookie-fastify")).cookiePolicy, policyOptions);
    if (variant === "middleware") app.addHook("onRequest", (_request, _reply, done) => done());
    const options = { ...SECONDS, sameSite: "strict" };
    app.post("/login", (request, reply) => {
      const native =
        variant === "adapter" ? undefined : { ...options, secure: request.protocol === "https" };
      reply.setCookie("sessionId", sessionValue(), native);
      return { ok: true };
    });
    await app.ready();
    return { server: app.server, close: () => app.close() };
  },
  async hono(variant) {
    const { Hono } = await import("hono");
    const { setCookie } = await import("hono/cookie");
    const { getRequestListener } = await import("@hono/node-server");
    const adapter = await import("@scope/cookie-hono");
    const app = new Hono();
    if (variant === "adapter" || variant === "decided")
      app.use(adapter.cookiePolicy(policyOptions));
    if (variant === "middleware") app.use((_c, next) => next());
    const options = { ...SECONDS, sameSite: "Strict" };
    const login = {
      native: (c) => {
        const secure = c.req.header("x-forwarded-proto") === "https";
        setCookie(c, "sessionId", sessionValue(), { ...options, secure });
      },
      adapter: (c) => setCookie(c, "sessionId", sessionValue()),
      decided: (c) => adapter.setCookie(c, "sessionId", sessionValue()),
    };
    const set = login[variant] ?? login.native;
    app.post("/login", (c) => {
      set(c);
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
  if (!build || !variantsOf(framework).includes(variant))
    throw new Error(`no app ${framework}/${variant}`);
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
