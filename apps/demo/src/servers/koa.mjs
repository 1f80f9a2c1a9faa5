/** The demo on Koa 3: `ctx.cookies.set()` obeys the policy. */
import Router from "@koa/router";
import { cookiePolicy } from "@scope/cookie-koa";
import Koa from "koa";
import { demoPolicy } from "../explain.mjs";
import { renderPage } from "../page.mjs";
import {
  BAD_BODY,
  cookieList,
  errorAnswer,
  listen,
  MISSING_THEME,
  optionsInMilliseconds,
  rawSetCookieLines,
  sessionValue,
} from "./shared.mjs";

const MAX_BODY = 64 * 1024;

export async function start({ port, host, tls, config, env }) {
  const demo = demoPolicy(config, "koa");
  const app = new Koa();
  const router = new Router();

  router.get("/", (ctx) => {
    ctx.type = "html";
    ctx.body = renderPage(ctx.cookiePolicy, "koa", demo);
  });
  router.get("/healthz", (ctx) => {
    ctx.type = "text/plain";
    ctx.body = "ok";
  });
  router.get("/explain", (ctx) => {
    ctx.body = ctx.cookiePolicy.explain();
  });
  router.post("/explain", async (ctx) => {
    const { status, headers, body } = demo.answer(await readText(ctx));
    ctx.status = status;
    ctx.set(headers);
    ctx.body = body;
  });
  router.post("/login", (ctx) => {
    ctx.cookies.set("sessionId", sessionValue());
    ctx.body = { ok: true };
  });
  router.post("/logout", (ctx) => {
    ctx.cookies.set("sessionId", null);
    ctx.body = { ok: true };
  });
  router.get("/prefs", (ctx) => {
    const theme = ctx.query.theme;
    if (typeof theme !== "string" || theme === "") {
      ctx.status = 400;
      ctx.body = MISSING_THEME;
      return;
    }
    ctx.cookies.set("theme", theme);
    ctx.body = { ok: true, theme };
  });
  router.post("/cookies", async (ctx) => {
    const list = cookieList(await readJson(ctx));
    if (!list) {
      ctx.status = 400;
      ctx.body = BAD_BODY;
      return;
    }
    // Koa's maxAge is in milliseconds; a CookiePolicyError thrown here reaches the error middleware.
    for (const { name, value, options } of list) {
      ctx.cookies.set(name, value, optionsInMilliseconds(options));
    }
    ctx.body = { decisions: ctx.cookiePolicy.decisions };
  });
  router.get("/raw-set-cookie", (ctx) => {
    ctx.set("Set-Cookie", rawSetCookieLines(ctx.url));
    ctx.body = { ok: true };
  });
  router.get("/echo", (ctx) => {
    ctx.body = { cookie: ctx.get("cookie") || null };
  });

  // Koa's idiom for an error handler: the outermost middleware catches what the rest threw.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const { status, body } = errorAnswer(err);
      ctx.status = status;
      ctx.body = body;
    }
  });
  app.use(cookiePolicy({ config, env }));
  app.use(router.routes());
  app.use(router.allowedMethods());

  return listen(app.callback(), { port, host, tls });
}

/** The request body as text (Koa has no body parser of its own); undefined when it is too large. */
async function readText(ctx) {
  ctx.req.setEncoding("utf8");
  let text = "";
  for await (const chunk of ctx.req) {
    text += chunk;
    if (text.length > MAX_BODY) return undefined;
  }
  return text;
}

/** The request body as JSON; undefined when it is not JSON. */
async function readJson(ctx) {
  try {
    return JSON.parse(await readText(ctx));
  } catch {
    return undefined;
  }
}
