/** The demo on Fastify 5 (+ @fastify/cookie): `reply.setCookie()` obeys the policy. */
import fastifyCookie from "@fastify/cookie";
import { cookiePolicy } from "@scope/cookie-fastify";
import Fastify from "fastify";
import { renderPage } from "../page.mjs";
import {
  BAD_BODY,
  cookieList,
  errorAnswer,
  MISSING_THEME,
  optionsInSeconds,
  serverUrl,
  sessionValue,
} from "./shared.mjs";

export async function start({ port = 0, host = "127.0.0.1", tls, config, env }) {
  const app = Fastify(tls ? { https: tls } : {});
  await app.register(fastifyCookie);
  await app.register(cookiePolicy, { config, env });

  app.get("/", (request, reply) => {
    reply.type("text/html; charset=utf-8").send(renderPage(request.cookiePolicy, "fastify"));
  });
  app.get("/healthz", (_request, reply) => {
    reply.type("text/plain; charset=utf-8").send("ok");
  });
  app.get("/explain", (request) => request.cookiePolicy.explain());
  app.post("/login", (_request, reply) => {
    reply.setCookie("sessionId", sessionValue());
    return { ok: true };
  });
  app.post("/logout", (_request, reply) => {
    reply.clearCookie("sessionId");
    return { ok: true };
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
