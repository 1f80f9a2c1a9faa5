import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getRequestListener } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import type {
  CookiePolicyError,
  PolicyFile,
  PolicyLoadError,
  ReportEvent,
} from "@scope/cookie-core";
import { type Served, send, serve } from "@scope/test-support";
import { Hono } from "hono";
import { setCookie } from "hono/cookie";
import setCookieParser from "set-cookie-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CookiePolicyEnv, type CookiePolicyOptions, cookiePolicy } from "./index.js";

// What every adapter decides alike is conformance's (apps/demo/test/conformance): these
// tests keep to Hono's side of it (c.var, c.header, returned and fetched Responses, app.onError,
// getConnInfo, the Fetch-only runtimes).
const policy: PolicyFile = {
  proxy: { trust: ["127.0.0.2"] },
  https: { hsts: { maxAge: 31536000, includeSubDomains: true } },
  defaults: { httpOnly: true, onInsecure: "drop" },
  cookies: {
    sessionId: { sensitive: true, maxAge: 3600 },
    theme: { httpOnly: false },
    mustBeSecure: { secure: "always", onInsecure: "error" },
  },
};

/** An upstream the app proxies with fetch(): its Response headers are immutable. */
let upstream: Served;

/** A Hono app as users write it: plain hono/cookie calls, the policy middleware in front. */
function buildApp(options: CookiePolicyOptions, reports: ReportEvent[] = []) {
  const app = new Hono<CookiePolicyEnv>();
  // An outer middleware reads the decisions made after the handler (as a logger would).
  app.use(async (c, next) => {
    await next();
    const decisions = c.var.cookiePolicy?.decisions ?? [];
    c.header("x-decisions", JSON.stringify(decisions.map(({ name, action }) => [name, action])));
  });
  app.use(
    cookiePolicy({
      config: policy,
      env: "production",
      onReport: (e) => reports.push(e),
      ...options,
    }),
  );
  app.onError((err, c) => {
    const code = "code" in err ? (err as CookiePolicyError | PolicyLoadError).code : err.name;
    return c.json({ error: code, message: err.message }, 500);
  });
  app.post("/login", (c) => {
    setCookie(c, "sessionId", "abc123");
    return c.json({
      transport: c.var.cookiePolicy.transport,
      decisions: c.var.cookiePolicy.decisions,
    });
  });
  app.get("/prefs", (c) => {
    setCookie(c, "theme", c.req.query("theme") ?? "dark", { maxAge: 60 });
    return c.text("ok");
  });
  app.post("/must", (c) => {
    setCookie(c, "theme", "dark");
    setCookie(c, "mustBeSecure", "x");
    return c.text("ok");
  });
  app.get("/replace", (c) => {
    // Without { append: true } c.header replaces every Set-Cookie line written before.
    setCookie(c, "theme", "dark");
    c.header("Set-Cookie", `sessionId=${c.req.query("v") ?? "abc"}; Path=/`);
    return c.text("ok");
  });
  app.get("/proxy", () => fetch(`${upstream.http}/`));
  app.get(
    "/raw",
    () => new Response("raw", { headers: [["set-cookie", "sessionId=abc123; Path=/"]] }),
  );
  app.get("/explain", (c) => c.json(c.var.cookiePolicy.explain()));
  return app;
}

/** Serves the app through @hono/node-server's listener over HTTP and HTTPS. */
const start = (options: CookiePolicyOptions = {}) =>
  serve(getRequestListener(buildApp(options).fetch));

const decisionsOf = (headers: Record<string, unknown>) =>
  JSON.parse(String(headers["x-decisions"])) as Array<[string, string]>;

describe("app.use(cookiePolicy()) on @hono/node-server", () => {
  let served: Served;
  beforeAll(async () => {
    served = await start();
    upstream = await serve((_req, res) => {
      res.setHeader("set-cookie", "sessionId=fromUpstream; Path=/");
      res.end("upstream");
    });
  });
  afterAll(() => Promise.all([served.close(), upstream.close()]));

  it("sends over HTTPS exactly the line c.var.cookiePolicy says was decided", async () => {
    const res = await send(`${served.https}/login`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(res.setCookie).toHaveLength(1);
    expect(res.cookies.sessionId?.secure).toBe(true);
    expect(res.setCookie[0]).toBe(JSON.parse(res.body).decisions[0].header);
    // Decided once, though the middleware also sees the line written.
    expect(decisionsOf(res.headers)).toEqual([["sessionId", "set"]]);
  });

  it("keeps Hono's replace semantics of c.header('Set-Cookie') and decides the line written", async () => {
    const over = await send(`${served.https}/replace`);
    expect(over.setCookie).toHaveLength(1);
    expect(over.cookies.sessionId).toMatchObject({ secure: true, httpOnly: true, maxAge: 3600 });
    // Over HTTP the replacing line is dropped: the earlier theme line stays replaced.
    const plainReply = await send(`${served.http}/replace`);
    expect(plainReply.setCookie).toEqual([]);
    expect(decisionsOf(plainReply.headers)).toEqual([
      ["theme", "set"],
      ["sessionId", "drop"],
    ]);
  });

  it("answers through app.onError when onInsecure is error; only the cookies decided before it go out", async () => {
    const res = await send(`${served.http}/must`, { method: "POST" });
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body)).toMatchObject({ error: "INSECURE_TRANSPORT_ERROR" });
    // As in every adapter: theme was decided before the error; mustBeSecure is not emitted.
    expect(Object.keys(res.cookies)).toEqual(["theme"]);
  });

  it("adds the policy's attributes to a cookie and keeps its encoded value as written", async () => {
    const res = await send(`${served.http}/prefs?theme=${encodeURIComponent("a b;c")}`);
    expect(res.setCookie).toHaveLength(1);
    expect(res.cookies.theme).toMatchObject({ value: "a%20b%3Bc", maxAge: 60, sameSite: "Lax" });
    expect(res.cookies.theme?.secure).toBeFalsy();
    expect(res.cookies.theme?.httpOnly).toBeFalsy();
  });

  it("re-decides Set-Cookie on a Response the handler built itself", async () => {
    const res = await send(`${served.https}/raw`);
    expect(res.body).toBe("raw");
    expect(res.cookies.sessionId).toMatchObject({
      secure: true,
      httpOnly: true,
      sameSite: "Lax",
    });
  });

  it("re-decides Set-Cookie on a fetch()ed (immutable) Response and adds HSTS to it", async () => {
    const res = await send(`${served.https}/proxy`, { headers: { host: "app.example.com" } });
    expect(res.body).toBe("upstream");
    expect(res.cookies.sessionId).toMatchObject({
      value: "fromUpstream",
      secure: true,
      httpOnly: true,
    });
    expect(res.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
  });
});

describe("cookiePolicy(options)", () => {
  it("takes the peer from getConnInfo when given one", async () => {
    // A runtime adapter's getConnInfo, here one that says the peer is the trusted proxy.
    const server = await start({ getConnInfo: () => ({ remote: { address: "127.0.0.2" } }) });
    const conninfo = await start({ getConnInfo });
    try {
      const viaProxy = { method: "POST", headers: { "x-forwarded-proto": "https" } };
      const trusted = await send(`${server.http}/login`, viaProxy);
      expect(trusted.cookies.sessionId).toMatchObject({ secure: true });
      const asIs = await send(`${conninfo.http}/login`, { ...viaProxy, localAddress: "127.0.0.5" });
      expect(JSON.parse(asIs.body).transport).toMatchObject({
        source: "socket",
        clientAddress: "127.0.0.5",
      });
    } finally {
      await server.close();
      await conninfo.close();
    }
  });

  it("loads a policy file by path once, on Node", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cookie-policy-hono-"));
    try {
      const file = join(dir, "cookie-policy.json");
      writeFileSync(file, JSON.stringify(policy));
      const server = await start({ config: file });
      try {
        const res = await send(`${server.https}/login`, { method: "POST" });
        expect(res.cookies.sessionId).toMatchObject({ secure: true, maxAge: 3600 });
      } finally {
        await server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers through app.onError with the PolicyLoadError of a bad policy file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cookie-policy-hono-"));
    try {
      const file = join(dir, "cookie-policy.json");
      writeFileSync(file, JSON.stringify({ proxy: { trust: ["10.0.0.0/33"] } }));
      const server = await start({ config: file });
      try {
        const res = await send(`${server.http}/explain`);
        expect(res.status).toBe(500);
        const body = JSON.parse(res.body);
        expect(body.error).toBe("POLICY_INVALID");
        expect(body.message).toMatch(/\/proxy\/trust\/0/);
      } finally {
        await server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("throws the PolicyLoadError of a bad policy object when the middleware is made", () => {
    expect(() => cookiePolicy({ config: { proxy: { trust: ["10.0.0.0/33"] } } })).toThrow(
      /\/proxy\/trust\/0/,
    );
  });
});

describe("cookiePolicy() on a Fetch-only runtime (no Node bindings: Workers, Deno, Bun)", () => {
  const reports: ReportEvent[] = [];
  const app = buildApp({}, reports);
  const parse = (res: Response) =>
    setCookieParser.parse(res.headers.getSetCookie(), { decodeValues: false, map: true });
  const login = (
    target: Hono<CookiePolicyEnv>,
    url: string,
    headers: Record<string, string> = {},
  ) => target.request(url, { method: "POST", headers });

  it("does not take the URL's scheme as TLS where the runtime cannot tell (fails closed)", async () => {
    // Deno puts an absolute-form target's scheme (`POST https://… HTTP/1.1`) in the URL.
    const res = await login(app, "https://app.example.com/login", { host: "app.example.com" });
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(res.headers.get("strict-transport-security")).toBeNull();
    expect((await res.json()).transport).toMatchObject({ protocol: "http", source: "socket" });
  });

  it("takes TLS from the tls option (a Deno.serve with cert and key)", async () => {
    const tlsApp = buildApp({ tls: true }, []);
    const res = await login(tlsApp, "http://app.example.com/login", { host: "app.example.com" });
    expect(parse(res).sessionId).toMatchObject({ secure: true, httpOnly: true, sameSite: "Lax" });
    expect(res.headers.get("strict-transport-security")).toBe(
      "max-age=31536000; includeSubDomains",
    );
  });

  it("refuses a tls option that is not a boolean when the middleware is made", () => {
    const options = { tls: "false" } as unknown as CookiePolicyOptions;
    expect(() => cookiePolicy({ config: policy, ...options })).toThrow(
      "cookiePolicy(): tls must be true or false, not string",
    );
  });

  it("takes the host from the URL when there is no Host header (HTTP/2, app.request)", async () => {
    const tlsApp = buildApp({ tls: true }, []);
    const res = await login(tlsApp, "https://app.example.com/login");
    expect((await res.json()).transport).toMatchObject({ host: "app.example.com" });
    expect(res.headers.get("strict-transport-security")).toBe(
      "max-age=31536000; includeSubDomains",
    );
  });

  it("refuses an invalid Host with 400 plain text when redirecting without a hosts list", async () => {
    const redirecting = buildApp({ config: { ...policy, https: { redirect: true } } }, []);
    const res = await redirecting.request("http://a..b/login", {
      method: "POST",
      headers: { host: "a..b" },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(res.headers.get("location")).toBeNull();
  });

  it("cannot match an unknown peer against an address list: forwarding headers are not believed", async () => {
    const res = await app.request("http://app.example.com/login", {
      method: "POST",
      headers: { host: "app.example.com", "x-forwarded-proto": "https" },
    });
    expect(res.headers.getSetCookie()).toEqual([]);
    expect((await res.json()).transport).toMatchObject({ protocol: "http", clientAddress: null });
    expect(reports.map((r) => r.code)).toContain("TRANSPORT_PEER_UNKNOWN");
  });
});
