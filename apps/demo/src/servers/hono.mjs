/**
 * The demo on Hono 4 (Node server): plain `setCookie` / `deleteCookie` from
 * `hono/cookie` obey the policy, which the middleware applies to the response's
 * Set-Cookie headers as they are written. `POST /cookies` uses the adapter's own
 * `setCookie` (same arguments): `hono/cookie` serializes the options before the policy
 * sees them, dropping a maxAge that is not a number, so only a decision made from the
 * call itself can refuse a bad option as every other framework does (SPEC §2.3).
 */
import { getRequestListener } from "@hono/node-server";
import { loadCookiePolicy } from "@scope/cookie-core/node";
import { cookiePolicy, setCookie as decidedSetCookie } from "@scope/cookie-hono";
import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { demoPolicy } from "../explain.mjs";
import { renderPage } from "../page.mjs";
import {
  BAD_BODY,
  cookieList,
  errorAnswer,
  listen,
  MISSING_THEME,
  optionsInSeconds,
  rawSetCookieLines,
  sessionValue,
} from "./shared.mjs";

export async function start({ port, host, tls, config, env }) {
  // The middleware reads a policy *file* on its first request (so edge bundles never reach
  // node:fs); load it once here too, so a bad policy fails the start as on the other servers.
  loadCookiePolicy({ config, env, onReport: () => {} });
  const demo = demoPolicy(config, "hono");
  const app = new Hono();

  app.onError((err, c) => {
    const { status, body } = errorAnswer(err);
    return c.json(body, status);
  });

  // The decisions exist only after the policy middleware has rewritten the Set-Cookie
  // headers, so `POST /cookies` writes its answer here, outside that middleware.
  app.use("/cookies", async (c, next) => {
    await next();
    if (c.get("answerWithDecisions") && !c.error) {
      c.res = new Response(JSON.stringify({ decisions: c.var.cookiePolicy.decisions }), {
        status: 200,
        headers: { "content-type": "application/json" },
      });
    }
  });
  app.use(cookiePolicy({ config, env }));

  app.get("/", (c) => c.html(renderPage(c.var.cookiePolicy, "hono", demo)));
  app.get("/healthz", (c) => c.text("ok"));
  app.get("/explain", (c) => c.json(c.var.cookiePolicy.explain()));
  app.post("/explain", async (c) => {
    const { status, headers, body } = demo.answer(await c.req.text());
    return c.json(body, status, headers);
  });
  app.post("/login", (c) => {
    setCookie(c, "sessionId", sessionValue());
    return c.json({ ok: true });
  });
  app.post("/logout", (c) => {
    deleteCookie(c, "sessionId");
    return c.json({ ok: true });
  });
  app.get("/prefs", (c) => {
    const theme = c.req.query("theme");
    if (!theme) return c.json(MISSING_THEME, 400);
    setCookie(c, "theme", theme);
    return c.json({ ok: true, theme });
  });
  app.post("/cookies", async (c) => {
    const list = cookieList(await c.req.json().catch(() => undefined));
    if (!list) return c.json(BAD_BODY, 400);
    // Hono's maxAge is in seconds, like the policy's: the options go as the caller wrote them.
    for (const { name, value, options } of list)
      decidedSetCookie(c, name, value, optionsInSeconds(options));
    c.set("answerWithDecisions", true);
    return c.json({ decisions: [] });
  });
  app.get("/raw-set-cookie", (c) => {
    const headers = new Headers({ "content-type": "application/json" });
    for (const line of rawSetCookieLines(c.req.url)) headers.append("Set-Cookie", line);
    return new Response('{"ok":true}', { headers });
  });
  app.get("/echo", (c) => c.json({ cookie: c.req.header("cookie") ?? null }));

  return listen(getRequestListener(app.fetch), { port, host, tls });
}
