import { getRequestListener } from "@hono/node-server";
import type { CookiePolicyError, PolicyFile } from "@scope/cookie-core";
import { type Served, send, serve } from "@scope/test-support";
import { Hono } from "hono";
import { setCookie as honoSetCookie } from "hono/cookie";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CookiePolicyEnv, cookiePolicy, type HonoCookieOptions, setCookie } from "./index.js";

const policy: PolicyFile = {
  proxy: { trust: ["127.0.0.2"] },
  defaults: { httpOnly: true },
  cookies: { sessionId: { sensitive: true, maxAge: 3600 }, theme: { httpOnly: false } },
};

/** The calls compared between the two setCookie functions (`?case=N`). */
const CALLS: Array<[string, string, HonoCookieOptions?]> = [
  ["sessionId", "abc123"],
  ["theme", "dark mode; yes", { maxAge: 60, sameSite: "None" }],
  ["theme", "dark", { path: "/app", domain: "shop.example", priority: "High" }],
  ["sessionId", "abc", { secure: false, httpOnly: false, sameSite: "Lax", maxAge: 7200 }],
  ["sessionId", "abc", { prefix: "secure", partitioned: true, secure: true }],
  ["theme", "dark", { prefix: "host" }],
  ["theme", "", { maxAge: 0 }],
];

function buildApp(withPolicy: boolean) {
  const app = new Hono<CookiePolicyEnv>();
  // Reads the decisions once the handler has returned, as a logger would.
  app.use(async (c, next) => {
    await next();
    const decisions = c.var.cookiePolicy?.decisions ?? [];
    c.header("x-decisions", JSON.stringify(decisions.map(({ name, action }) => [name, action])));
  });
  if (withPolicy) app.use(cookiePolicy({ config: policy, env: "production", onReport: () => {} }));
  app.onError((err, c) => {
    const code = "code" in err ? (err as CookiePolicyError).code : err.name;
    return c.json({ error: code }, 500);
  });
  app.post("/login", (c) => {
    setCookie(c, "sessionId", "abc123");
    setCookie(c, "theme", "dark");
    return c.text("ok");
  });
  app.post("/ours", (c) => {
    const [name, value, options] = CALLS[Number(c.req.query("case"))] ?? [];
    setCookie(c, name ?? "", value ?? "", options);
    return c.text("ok");
  });
  app.post("/hono", (c) => {
    const [name, value, options] = CALLS[Number(c.req.query("case"))] ?? [];
    honoSetCookie(c, name ?? "", value ?? "", options);
    return c.text("ok");
  });
  return app;
}

/** Serves the app through @hono/node-server's listener over HTTP and HTTPS. */
const start = (withPolicy: boolean) => serve(getRequestListener(buildApp(withPolicy).fetch));

/** Through the trusted proxy 127.0.0.2, which terminated TLS. */
const viaHttpsProxy = { localAddress: "127.0.0.2", headers: { "x-forwarded-proto": "https" } };

describe("setCookie from @scope/cookie-hono", () => {
  let server: Served;
  let bare: Served;
  beforeAll(async () => {
    [server, bare] = await Promise.all([start(true), start(false)]);
  });
  afterAll(() => Promise.all([server.close(), bare.close()]));

  it("sets the attributes the policy decides: sessionId Secure, HttpOnly, SameSite=Strict over HTTPS", async () => {
    const res = await send(`${server.http}/login`, { method: "POST", ...viaHttpsProxy });
    expect(res.status).toBe(200);
    expect(res.setCookie).toHaveLength(2);
    expect(res.cookies.sessionId).toMatchObject({
      value: "abc123",
      secure: true,
      httpOnly: true,
      sameSite: "Lax",
      maxAge: 3600,
      path: "/",
    });
    expect(res.cookies.theme).toMatchObject({ value: "dark", secure: true, sameSite: "Lax" });
    expect(res.cookies.theme?.httpOnly).toBeFalsy();
    // Each cookie decided once, though the middleware also sees the line written.
    expect(JSON.parse(String(res.headers["x-decisions"]))).toEqual([
      ["sessionId", "set"],
      ["theme", "set"],
    ]);
  });

  it("refuses to set an undecided cookie when cookiePolicy() is not registered", async () => {
    const res = await send(`${bare.http}/login`, { method: "POST", ...viaHttpsProxy });
    expect(res.status).toBe(500);
    expect(res.setCookie).toEqual([]);
  });

  it.each(CALLS.map((call, i) => [i, call] as const))(
    "gives the line hono/cookie's setCookie gets through the middleware (case %i)",
    async (i) => {
      for (const options of [viaHttpsProxy, {}]) {
        const ours = await send(`${server.http}/ours?case=${i}`, { method: "POST", ...options });
        const hono = await send(`${server.http}/hono?case=${i}`, { method: "POST", ...options });
        expect(ours.status).toBe(200);
        expect(ours.setCookie).toEqual(hono.setCookie);
        expect(ours.headers["x-decisions"]).toBe(hono.headers["x-decisions"]);
      }
    },
  );
});
