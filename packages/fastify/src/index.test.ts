import fastifyCookie from "@fastify/cookie";
import type { PolicyFile } from "@scope/cookie-core";
import { type Served, send, serve } from "@scope/test-support";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookiePolicy } from "./index.js";

// What every adapter decides alike is conformance's (apps/demo/test/conformance): these
// tests keep to Fastify's side of it (@fastify/cookie alongside, hooks, request.protocol).
const policy: PolicyFile = {
  proxy: { trust: ["127.0.0.2"] },
  defaults: { httpOnly: true, sameSite: "lax", onInsecure: "drop" },
  cookies: {
    sessionId: { sensitive: true, maxAge: 3600 },
    theme: { httpOnly: false },
    mustBeSecure: { secure: "always", onInsecure: "error" },
  },
};

type CookieOrder = "none" | "before" | "after";

/** A real Fastify 5 app, served over HTTP and HTTPS, with routes that set cookies as users do. */
async function start(order: CookieOrder): Promise<Served> {
  const app = Fastify();
  const withCookie = () => app.register(fastifyCookie, { secret: "s3cret-s3cret-s3cret" });
  if (order === "before") withCookie();
  app.register(cookiePolicy, { config: policy, env: "production", onReport: () => {} });
  if (order === "after") withCookie();
  app.register(async (routes) => {
    routes.post("/login", async (request, reply) => {
      reply.setCookie("sessionId", "abc123");
      return request.cookiePolicy.decisions;
    });
    routes.get("/prefs", async (_request, reply) => {
      reply.setCookie("theme", "dark", { secure: "auto", maxAge: 60 });
      return "ok";
    });
    routes.post("/again", async (_request, reply) => {
      reply.setCookie("theme", "light").setCookie("theme", "dark", { path: "/docs" });
      reply.setCookie("sessionId", "first").setCookie("theme", "dark");
      reply.clearCookie("sessionId");
      return "ok";
    });
    routes.post("/must", async (_request, reply) => {
      reply.setCookie("mustBeSecure", "x");
      return "ok";
    });
    routes.get("/signed", async (_request, reply) => {
      // `cookie` is @fastify/cookie's alias of setCookie.
      (order === "none" ? reply.setCookie : reply.cookie).call(reply, "sessionId", "abc123", {
        signed: true,
      });
      return "ok";
    });
    routes.get("/read", async (request) => request.unsignCookie(request.cookies.sessionId ?? ""));
    routes.get("/scheme", async (request) => ({ protocol: request.protocol }));
    routes.register(async (late) => {
      // Registered after the policy, so this hook runs after the policy's onSend.
      late.addHook("onSend", async (_request, reply, payload) => {
        reply.header("set-cookie", "sessionId=late; Path=/");
        return payload;
      });
      late.get("/late", async () => "ok");
    });
  });
  await app.ready();
  const served = await serve((req, res) => app.routing(req, res));
  return { ...served, close: () => served.close().then(() => app.close()) };
}

/** Through the trusted proxy 127.0.0.2, which terminated TLS. */
const viaHttpsProxy = { localAddress: "127.0.0.2", headers: { "x-forwarded-proto": "https" } };

describe.each([
  ["without @fastify/cookie", "none"],
  ["with @fastify/cookie registered before", "before"],
  ["with @fastify/cookie registered after", "after"],
] as const)("app.register(cookiePolicy) %s", (_label, order) => {
  let served: Served;
  beforeAll(async () => {
    served = await start(order);
  });
  afterAll(() => served.close());

  it("sends over HTTPS exactly the line request.cookiePolicy says was decided", async () => {
    const res = await send(`${served.https}/login`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(res.setCookie).toHaveLength(1);
    expect(res.cookies.sessionId?.secure).toBe(true);
    expect(res.setCookie[0]).toBe(JSON.parse(res.body)[0].header);
  });

  it("request.protocol follows the policy's transport (Fastify's trustProxy is not set)", async () => {
    const scheme = async (localAddress: string) => {
      const headers = { "x-forwarded-proto": "https" };
      return JSON.parse((await send(`${served.http}/scheme`, { localAddress, headers })).body);
    };
    expect(await scheme("127.0.0.2")).toEqual({ protocol: "https" });
    expect(await scheme("127.0.0.3")).toEqual({ protocol: "http" });
  });

  it("answers 500 through Fastify's error handler when onInsecure is error, with no cookie", async () => {
    const res = await send(`${served.http}/must`, { method: "POST" });
    expect(res.status).toBe(500);
    expect(res.setCookie).toEqual([]);
    expect(JSON.parse(res.body)).toMatchObject({
      statusCode: 500,
      code: "INSECURE_TRANSPORT_ERROR",
    });
  });

  it("a cookie set again (same name, Domain, Path) replaces its line, as @fastify/cookie does", async () => {
    const res = await send(`${served.https}/again`, { method: "POST" });
    const sent = res.setCookie.map((line) => `${line.split(";")[0]} ${/Path=[^;]*/.exec(line)}`);
    // theme at / once (the later value), theme at /docs kept, sessionId only as cleared.
    expect(sent).toEqual(["theme=dark Path=/docs", "theme=dark Path=/", "sessionId= Path=/"]);
  });

  it("takes maxAge in seconds and treats secure: 'auto' as the policy's call", async () => {
    const overHttp = await send(`${served.http}/prefs`);
    expect(overHttp.cookies.theme).toMatchObject({ value: "dark", maxAge: 60, sameSite: "Lax" });
    expect(overHttp.cookies.theme?.secure).toBeFalsy();
    const overHttps = await send(`${served.https}/prefs`);
    expect(overHttps.cookies.theme).toMatchObject({ value: "dark", maxAge: 60, secure: true });
  });

  it("decides a line another onSend hook writes after the policy's, as the head is written", async () => {
    const overHttps = await send(`${served.https}/late`);
    expect(overHttps.cookies.sessionId).toMatchObject({
      value: "late",
      secure: true,
      httpOnly: true,
      sameSite: "Lax",
      maxAge: 3600,
    });
    expect((await send(`${served.http}/late`)).setCookie).toEqual([]); // sensitive: dropped
  });

  it("signs with @fastify/cookie's signer, and refuses to emit unsigned without it", async () => {
    const res = await send(`${served.http}/signed`, viaHttpsProxy);
    if (order === "none") {
      expect(res.status).toBe(500);
      expect(JSON.parse(res.body).message).toMatch(/@fastify\/cookie with a `secret`/);
      expect(res.setCookie).toEqual([]);
      return;
    }
    const session = res.cookies.sessionId;
    expect(session).toMatchObject({ secure: true, httpOnly: true, sameSite: "Lax" });
    const read = await send(`${served.http}/read`, {
      headers: { cookie: `sessionId=${session?.value}` },
    });
    expect(JSON.parse(read.body)).toEqual({ valid: true, renew: false, value: "abc123" });
  });
});

describe("app.register(cookiePolicy, options)", () => {
  it("fails ready() with the PolicyLoadError naming the JSON path", async () => {
    const app = Fastify();
    app.register(cookiePolicy, { config: { proxy: { trust: ["10.0.0.0/33"] } } });
    await expect(app.ready()).rejects.toThrow(/\/proxy\/trust\/0/);
    await app.close();
  });
});
