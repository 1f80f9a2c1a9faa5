import type { AddressInfo } from "node:net";
import fastifyCookie from "@fastify/cookie";
import type { PolicyFile, ReportEvent } from "@scope/cookie-core";
import { certificate, send } from "@scope/test-support";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CookiePolicyOptions, cookiePolicy } from "./index.js";

const policy: PolicyFile = {
  proxy: { trust: ["127.0.0.2"] },
  https: { hsts: { maxAge: 31536000, includeSubDomains: true } },
  defaults: { httpOnly: true, sameSite: "lax", onInsecure: "drop" },
  sensitive: { sameSite: "strict" },
  cookies: {
    sessionId: { sensitive: true, maxAge: 3600 },
    theme: { sensitive: false, httpOnly: false },
    mustBeSecure: { secure: "always", onInsecure: "error" },
  },
};

const tls = certificate();
type CookieOrder = "none" | "before" | "after";

/** A real Fastify 5 app with routes that set cookies the way users do. */
async function start(
  https: boolean,
  order: CookieOrder,
  options: CookiePolicyOptions = {},
): Promise<{ app: FastifyInstance; url: string; reports: ReportEvent[] }> {
  const reports: ReportEvent[] = [];
  // One instance type for both servers (the HTTPS one differs only in its raw server type).
  const app = (https ? Fastify({ https: tls }) : Fastify()) as unknown as FastifyInstance;
  const withCookie = () => app.register(fastifyCookie, { secret: "s3cret-s3cret-s3cret" });
  if (order === "before") withCookie();
  app.register(cookiePolicy, {
    config: policy,
    env: "production",
    onReport: (e) => reports.push(e),
    ...options,
  });
  if (order === "after") withCookie();
  app.register(async (routes) => {
    const verdict = (request: { cookiePolicy: import("@scope/cookie-core").RequestContext }) => ({
      transport: request.cookiePolicy.transport,
      decisions: request.cookiePolicy.decisions,
    });
    routes.post("/login", async (request, reply) => {
      reply.setCookie("sessionId", "abc123");
      return verdict(request);
    });
    routes.post("/weak", async (request, reply) => {
      reply.setCookie("sessionId", "abc123", {
        secure: false,
        httpOnly: false,
        sameSite: "none",
        maxAge: 7200,
      });
      return verdict(request);
    });
    routes.post("/logout", async (request, reply) => {
      reply.clearCookie("sessionId");
      return verdict(request);
    });
    routes.get("/prefs", async (request, reply) => {
      reply.setCookie("theme", "dark", { secure: "auto", maxAge: 60 });
      return verdict(request);
    });
    routes.post("/again", async (request, reply) => {
      reply.setCookie("theme", "light").setCookie("theme", "dark", { path: "/docs" });
      reply.setCookie("sessionId", "first").setCookie("theme", "dark");
      reply.clearCookie("sessionId");
      return verdict(request);
    });
    routes.post("/must", async (request, reply) => {
      reply.setCookie("mustBeSecure", "x");
      return verdict(request);
    });
    routes.get("/explain", async (request) => request.cookiePolicy.explain());
    routes.get("/scheme", async (request) => ({ protocol: request.protocol }));
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, url: `${https ? "https" : "http"}://127.0.0.1:${port}`, reports };
}

describe.each([
  ["without @fastify/cookie", "none"],
  ["with @fastify/cookie registered before", "before"],
  ["with @fastify/cookie registered after", "after"],
] as const)("app.register(cookiePolicy) %s", (_label, order) => {
  let plain: Awaited<ReturnType<typeof start>>;
  let tlsApp: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    plain = await start(false, order);
    tlsApp = await start(true, order);
  });
  afterAll(async () => {
    await plain.app.close();
    await tlsApp.app.close();
  });

  it("sends over HTTPS exactly the line request.cookiePolicy says was decided", async () => {
    // The attributes themselves are conformance's (flow-prod-login-https, redirect-https-login).
    const res = await send(`${tlsApp.url}/login`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(res.setCookie).toHaveLength(1);
    expect(res.cookies.sessionId?.secure).toBe(true);
    expect(res.setCookie[0]).toBe(JSON.parse(res.body).decisions[0].header);
  });

  it("drops sessionId over plain HTTP (onInsecure: drop) and says why", async () => {
    const res = await send(`${plain.url}/login`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(res.setCookie).toEqual([]);
    const body = JSON.parse(res.body);
    expect(body.decisions[0]).toMatchObject({ name: "sessionId", action: "drop" });
    expect(body.decisions[0].reasons).toContain("INSECURE_TRANSPORT_DROPPED");
  });

  it("keeps sessionId Secure behind the trusted proxy 127.0.0.2 (X-Forwarded-Proto: https)", async () => {
    const res = await send(`${plain.url}/login`, {
      method: "POST",
      localAddress: "127.0.0.2",
      headers: { "x-forwarded-proto": "https" },
    });
    expect(res.cookies.sessionId).toMatchObject({ secure: true, httpOnly: true });
    expect(JSON.parse(res.body).transport).toMatchObject({
      protocol: "https",
      source: "x-forwarded-proto",
    });
  });

  it("request.protocol follows the policy's transport (Fastify's trustProxy is not set)", async () => {
    const scheme = async (localAddress: string) =>
      JSON.parse(
        (
          await send(`${plain.url}/scheme`, {
            localAddress,
            headers: { "x-forwarded-proto": "https" },
          })
        ).body,
      ).protocol;
    expect(await scheme("127.0.0.2")).toBe("https");
    expect(await scheme("127.0.0.3")).toBe("http");
  });

  it("does not believe X-Forwarded-Proto from the untrusted peer 127.0.0.3", async () => {
    const res = await send(`${plain.url}/login`, {
      method: "POST",
      localAddress: "127.0.0.3",
      headers: { "x-forwarded-proto": "https" },
    });
    expect(res.setCookie).toEqual([]);
    expect(JSON.parse(res.body).transport).toMatchObject({
      protocol: "http",
      source: "socket",
      clientAddress: "127.0.0.3",
    });
    expect(plain.reports.map((r) => r.code)).toContain("TRANSPORT_UNTRUSTED_PEER");
  });

  it("answers 500 through Fastify's error handler when onInsecure is error", async () => {
    const res = await send(`${plain.url}/must`, { method: "POST" });
    expect(res.status).toBe(500);
    expect(res.setCookie).toEqual([]);
    expect(JSON.parse(res.body)).toMatchObject({
      statusCode: 500,
      code: "INSECURE_TRANSPORT_ERROR",
    });
  });

  it("ignores a call site's weakening (secure/httpOnly false, SameSite=None, longer Max-Age)", async () => {
    const res = await send(`${tlsApp.url}/weak`, { method: "POST" });
    expect(res.cookies.sessionId).toMatchObject({
      secure: true,
      httpOnly: true,
      sameSite: "Strict",
      maxAge: 3600,
    });
    expect(JSON.parse(res.body).decisions[0].reasons).toContain("CALLSITE_WEAKENING_IGNORED");
  });

  it("clearCookie expires sessionId with the policy's attributes", async () => {
    const res = await send(`${tlsApp.url}/logout`, { method: "POST" });
    const cleared = res.cookies.sessionId;
    expect(cleared).toMatchObject({ value: "", secure: true, httpOnly: true, path: "/" });
    const expired = cleared?.maxAge === 0 || (cleared?.expires?.getTime() ?? 1) <= Date.now();
    expect(expired).toBe(true);
  });

  it("a cookie set again (same name, Domain, Path) replaces its line, as @fastify/cookie does", async () => {
    const res = await send(`${tlsApp.url}/again`, { method: "POST" });
    const lines = res.setCookie.map((line) => line.split(";").slice(0, 2).join(";"));
    // theme at / once (the later value), theme at /docs kept, sessionId only as cleared.
    expect(lines).toHaveLength(3);
    expect(lines).toContain("theme=dark; Path=/docs");
    expect(
      res.setCookie.filter((l) => l.startsWith("theme=dark") && !l.includes("/docs")),
    ).toHaveLength(1);
    expect(res.setCookie.filter((l) => l.startsWith("sessionId="))).toEqual([
      expect.stringMatching(/^sessionId=;/),
    ]);
  });

  it("takes maxAge in seconds and treats secure: 'auto' as the policy's call", async () => {
    const overHttp = await send(`${plain.url}/prefs`);
    expect(overHttp.cookies.theme).toMatchObject({ value: "dark", maxAge: 60, sameSite: "Lax" });
    expect(overHttp.cookies.theme?.secure).toBeFalsy();
    expect(overHttp.cookies.theme?.httpOnly).toBeFalsy();
    const overHttps = await send(`${tlsApp.url}/prefs`);
    expect(overHttps.cookies.theme).toMatchObject({ value: "dark", maxAge: 60, secure: true });
  });

  it("exposes request.cookiePolicy (transport, explain)", async () => {
    const res = await send(`${tlsApp.url}/explain`, { localAddress: "127.0.0.4" });
    expect(JSON.parse(res.body)).toMatchObject({
      env: "production",
      mode: "enforce",
      transport: { protocol: "https", secure: true, source: "socket", clientAddress: "127.0.0.4" },
      redirect: null,
      cookies: [],
    });
  });
});

describe("app.register(cookiePolicy) with @fastify/cookie's own features", () => {
  it("signs with @fastify/cookie's signer and still applies the policy", async () => {
    const app = Fastify();
    await app.register(fastifyCookie, { secret: "s3cret-s3cret-s3cret" });
    app.register(cookiePolicy, { config: policy, env: "production", onReport: () => {} });
    app.get("/", async (request, reply) => {
      reply.setCookie("theme", "a").setCookie("theme", "b");
      reply.cookie("sessionId", "abc123", { signed: true });
      return request.cookiePolicy.decisions.map((d) => d.action);
    });
    app.get("/read", async (request) => request.unsignCookie(request.cookies.sessionId ?? ""));
    await app.listen({ host: "127.0.0.1", port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    try {
      const res = await send(`${url}/`, {
        localAddress: "127.0.0.2",
        headers: { "x-forwarded-proto": "https" },
      });
      // One line per cookie: @fastify/cookie's de-duplication still applies.
      expect(res.setCookie.filter((l) => l.startsWith("theme="))).toHaveLength(1);
      expect(res.cookies.theme?.value).toBe("b");
      const session = res.cookies.sessionId;
      expect(session).toMatchObject({ secure: true, httpOnly: true, sameSite: "Strict" });
      const read = await send(`${url}/read`, {
        headers: { cookie: `sessionId=${session?.value}` },
      });
      expect(JSON.parse(read.body)).toEqual({ valid: true, renew: false, value: "abc123" });
    } finally {
      await app.close();
    }
  });
});

describe("app.register(cookiePolicy, options)", () => {
  it("redirects HTTP to HTTPS with the status, Location and an empty body", async () => {
    const redirecting: PolicyFile = {
      ...policy,
      https: { redirect: { status: 308, hosts: ["app.example.com"], exclude: ["/healthz"] } },
    };
    const { app, url } = await start(false, "none", { config: redirecting });
    try {
      const res = await send(`${url}/login?next=%2Fhome`, {
        method: "POST",
        headers: { host: "app.example.com:8080" },
      });
      expect(res.status).toBe(308);
      expect(res.headers.location).toBe("https://app.example.com/login?next=%2Fhome");
      expect(res.body).toBe("");
      expect(res.setCookie).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("refuses an invalid Host with 400 plain text when redirecting without a hosts list", async () => {
    const { app, url } = await start(false, "none", {
      config: { ...policy, https: { redirect: true } },
    });
    try {
      const res = await send(`${url}/login`, { method: "POST", headers: { host: "a..b" } });
      expect(res.status).toBe(400);
      expect(res.headers["content-type"]).toMatch(/^text\/plain/);
      expect(res.headers.location).toBeUndefined();
    } finally {
      await app.close();
    }
  });

  it("report-only emits the app's own cookie and reports what enforce would do", async () => {
    const { app, url, reports } = await start(false, "before", { mode: "report-only" });
    try {
      const res = await send(`${url}/login`, { method: "POST" });
      expect(res.cookies.sessionId?.value).toBe("abc123");
      expect(res.cookies.sessionId?.secure).toBeFalsy();
      const [decision] = JSON.parse(res.body).decisions;
      expect(decision).toMatchObject({ action: "set", wouldBe: { action: "drop" } });
      expect(reports.map((r) => r.code)).toContain("REPORT_ONLY");
    } finally {
      await app.close();
    }
  });

  it("refuses to emit unsigned a cookie asked to be signed when nothing can sign it", async () => {
    const app = Fastify();
    app.register(cookiePolicy, { config: policy, env: "production" });
    app.get("/", async (_request, reply) =>
      reply.setCookie("theme", "dark", { signed: true }).send("ok"),
    );
    await app.listen({ host: "127.0.0.1", port: 0 });
    try {
      const res = await send(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`);
      expect(res.status).toBe(500);
      expect(JSON.parse(res.body).message).toMatch(/@fastify\/cookie with a `secret`/);
      expect(res.setCookie).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("fails ready() with the PolicyLoadError naming the JSON path", async () => {
    const app = Fastify();
    app.register(cookiePolicy, { config: { proxy: { trust: ["10.0.0.0/33"] } } });
    await expect(app.ready()).rejects.toThrow(/\/proxy\/trust\/0/);
    await app.close();
  });
});
