/** The demo on Fastify 5 (+ @fastify/cookie): `reply.setCookie()` obeys the policy. */
import fastifyCookie from "@fastify/cookie";
import { cookiePolicy } from "@scope/cookie-fastify";
import Fastify from "fastify";
import { demoPolicy } from "../explain.mjs";
import { renderPage } from "../page.mjs";
import {
  BAD_BODY,
  cookieList,
  errorAnswer,
  MISSING_THEME,
  optionsInSeconds,
  rawSetCookieLines,
  serverUrl,
  sessionValue,
} from "./shared.mjs";

export async function start({ port = 0, host = "127.0.0.1", tls, config, env }) {
  const demo = demoPolicy(config, "fastify");
  const app = Fastify(tls ? { https: tls } : {});
  await app.register(fastifyCookie);
  await app.register(cookiePolicy, { config, env });

  app.get("/", (request, reply) => {
    reply.type("text/html; charset=utf-8").send(renderPage(request.cookiePolicy, "fastify", demo));
  });
  app.get("/healthz", (_request, reply) => {
    reply.type("text/plain; charset=utf-8").send("ok");
  });
  app.get("/explain", (request) => request.cookiePolicy.explain());
  // POST /explain reads its body as text whatever the content type, as the other servers do.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => {
      done(null, body);
    });
    scope.post("/explain", (request, reply) => {
      const { status, headers, body } = demo.answer(request.body);
      reply.code(status).headers(headers).send(body);
    });
  });
  // POST /login and /logout answer 200 whatever the body (none, a form, JSON, broken JSON),
  // as the other servers do: Fastify would answer 415 or 400 before the route runs.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer" }, (_request, _body, done) => {
      done(null, undefined);
    });
    scope.post("/login", (_request, reply) => {
      reply.setCookie("sessionId", sessionValue());
      return { ok: true };
    });
    scope.post("/logout", (_request, reply) => {
      reply.clearCookie("sessionId");
      return { ok: true };
    });
  });
  app.get("/prefs", (request, reply) => {
    const theme = request.query.theme;
    if (typeof theme !== "string" || theme === "") return reply.code(400).send(MISSING_THEME);
    reply.setCookie("theme", theme);
    return { ok: true, theme };
  });
  app.post("/cookies", (request, reply) => {
    const list = cookieList(request.body);
    if (!list) return reply.code(400).send(BAD_BODY);
    // @fastify/cookie's maxAge is in seconds; a CookiePolicyError thrown here reaches setErrorHandler.
    for (const { name, value, options } of list) {
      reply.setCookie(name, value, optionsInSeconds(options));
    }
    return { decisions: request.cookiePolicy.decisions };
  });
  app.get("/raw-set-cookie", (request, reply) => {
    reply.raw.setHeader("Set-Cookie", rawSetCookieLines(request.url));
    return { ok: true };
  });
  app.get("/echo", (request) => ({ cookie: request.headers.cookie ?? null }));

  app.setErrorHandler((err, _request, reply) => {
    const { status, body } = errorAnswer(err);
    reply.code(status).send(body);
  });

  await app.listen({ port, host });
  return {
    url: serverUrl(Boolean(tls), host, app.server.address().port),
    close: async () => {
      app.server.closeAllConnections?.();
      await app.close();
    },
  };
}
