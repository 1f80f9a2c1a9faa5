/** The demo on Express 5: `res.cookie()` / `res.clearCookie()` obey the policy. */
import { cookiePolicy } from "@scope/cookie-express";
import express from "express";
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

export async function start({ port, host, tls, config, env }) {
  const demo = demoPolicy(config, "express");
  const app = express();
  app.disable("x-powered-by");
  app.use(cookiePolicy({ config, env }));

  app.get("/", (req, res) => {
    res.type("html").send(renderPage(req.cookiePolicy, "express", demo));
  });
  app.get("/healthz", (_req, res) => {
    res.type("text/plain").send("ok");
  });
  app.get("/explain", (req, res) => {
    res.json(req.cookiePolicy.explain());
  });
  app.post("/explain", express.text({ type: () => true }), (req, res) => {
    const { status, headers, body } = demo.answer(req.body);
    res.status(status).set(headers).json(body);
  });
  app.post("/login", (_req, res) => {
    res.cookie("sessionId", sessionValue());
    res.json({ ok: true });
  });
  app.post("/logout", (_req, res) => {
    res.clearCookie("sessionId");
    res.json({ ok: true });
  });
  app.get("/prefs", (req, res) => {
    const theme = req.query.theme;
    if (typeof theme !== "string" || theme === "") return res.status(400).json(MISSING_THEME);
    res.cookie("theme", theme);
    res.json({ ok: true, theme });
  });
  app.post("/cookies", express.json({ strict: false }), (req, res) => {
    const list = cookieList(req.body);
    if (!list) return res.status(400).json(BAD_BODY);
    // Express's maxAge is in milliseconds; a CookiePolicyError thrown here reaches the error handler.
    for (const { name, value, options } of list)
      res.cookie(name, value, optionsInMilliseconds(options));
    res.json({ decisions: req.cookiePolicy.decisions });
  });
  app.get("/raw-set-cookie", (req, res) => {
    res.setHeader("Set-Cookie", rawSetCookieLines(req.originalUrl));
    res.json({ ok: true });
  });
  app.get("/echo", (req, res) => {
    res.json({ cookie: req.headers.cookie ?? null });
  });

  app.use((err, _req, res, _next) => {
    const { status, body } = errorAnswer(err);
    res.status(status).json(body);
  });

  return listen(app, { port, host, tls });
}
