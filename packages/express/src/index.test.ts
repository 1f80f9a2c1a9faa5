/**
 * What is Express's own: res.cookie's options (maxAge in milliseconds, signed, object values,
 * encode, chaining), report-only's implicit Path=/, req.protocol after a header rewrite.
 * The policy's rules through every adapter are apps/demo's conformance suite.
 */
import { createHmac } from "node:crypto";
import { inspect } from "node:util";
import type { PolicyFile, ReportEvent } from "@scope/cookie-core";
import { type Served, send, serve } from "@scope/test-support";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CookiePolicyOptions, cookiePolicy } from "./index.js";

const policy: PolicyFile = {
  proxy: { trust: ["127.0.0.2/32"] },
  https: { hsts: { maxAge: 31536000, includeSubDomains: true } },
  defaults: { httpOnly: true, sameSite: "lax", onInsecure: "drop" },
  sensitive: { sameSite: "strict" },
  cookies: {
    sessionId: { sensitive: true, maxAge: 3600 },
    theme: { httpOnly: false, maxAge: 31536000 },
  },
};

const SECRET = "keyboard cat";

/** A real Express 5 app with the middleware in front of ordinary routes. */
function app(options: CookiePolicyOptions, reports: ReportEvent[] = []) {
  const a = express();
  a.use(cookiePolicy({ env: "production", onReport: (e) => reports.push(e), ...options }));
  a.use((req, _res, next) => {
    // What cookie-parser("secret") does for signed cookies.
    Object.assign(req, { secret: SECRET });
    next();
  });
  a.get("/login", (req, res) => {
    res.cookie("sessionId", "abc123");
    res.json({ decisions: req.cookiePolicy.decisions });
  });
  a.get("/prefs", (_req, res) => {
    res.cookie("theme", "dark", { maxAge: 90_000 }).cookie("lang", "fr").send("ok");
  });
  a.get("/logout", (_req, res) => {
    res.clearCookie("sessionId", { maxAge: 60_000 }).send("ok");
  });
  a.get("/express-features", (_req, res) => {
    res.append("Set-Cookie", "legacy=1; Path=/");
    res
      .cookie("visits", "3", { signed: true })
      .cookie("cart", { items: 2 })
      .cookie("shout", "hello", { encode: (v) => v.toUpperCase() })
      .send("ok");
  });
  return a;
}

const codes = (reports: ReportEvent[]) => reports.map((r) => r.code);

describe("res.cookie / res.clearCookie in an Express 5 app", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve(app({ config: policy }));
  });
  afterAll(() => served.close());

  it("converts Express's maxAge (milliseconds) to Max-Age seconds; res.cookie stays chainable", async () => {
    const r = await send(`${served.http}/prefs`);
    expect(r.cookies.theme).toMatchObject({ value: "dark", maxAge: 90 });
    expect(r.cookies.theme?.httpOnly).toBeFalsy();
    expect(r.cookies.theme?.secure).toBeFalsy();
    expect(r.cookies.lang).toMatchObject({ value: "fr", httpOnly: true, sameSite: "Lax" });
    expect(r.body).toBe("ok");
  });

  it("res.clearCookie ignores a maxAge, as Express does: the cookie is expired", async () => {
    const r = await send(`${served.https}/logout`);
    const cleared = r.cookies.sessionId;
    expect(cleared?.value).toBe("");
    const expired =
      cleared?.maxAge === 0 || (cleared?.expires?.getTime() ?? Infinity) <= Date.now();
    expect(expired).toBe(true);
  });

  it("keeps signed cookies, object values, custom encode and earlier Set-Cookie headers", async () => {
    const r = await send(`${served.https}/express-features`);
    expect(r.cookies.legacy?.value).toBe("1");
    // cookie-parser verifies "s:" + value + "." + base64(HMAC-SHA256(secret, value)) without padding.
    const mac = createHmac("sha256", SECRET).update("3").digest("base64").replace(/=+$/, "");
    // Express encodes values with encodeURIComponent; cookie-parser decodes them on the way back.
    const decoded = (name: string) => decodeURIComponent(r.cookies[name]?.value ?? "");
    expect(decoded("visits")).toBe(`s:3.${mac}`);
    expect(decoded("cart")).toBe('j:{"items":2}');
    expect(r.cookies.shout?.value).toBe("HELLO");
    expect(r.setCookie).toHaveLength(4);
  });
});

describe("cookiePolicy() when the app replaces req.headers", () => {
  let served: Served;
  beforeAll(async () => {
    const a = express();
    a.use(cookiePolicy({ config: policy, env: "production", onReport: () => {} }));
    a.use((req, _res, next) => {
      // What header-rewriting middleware does: a new object, sometimes a frozen one.
      const copy = { ...req.headers, "x-rewritten": "1" };
      req.headers = req.path === "/frozen" ? Object.freeze(copy) : copy;
      next();
    });
    a.get(["/copied", "/frozen"], (req, res) => {
      res.cookie("sessionId", "abc123");
      res.json({
        protocol: req.protocol,
        source: req.cookiePolicy?.transport.source,
        rewritten: req.get("x-rewritten"),
        keys: Object.keys(req.headers),
        json: JSON.stringify(req.headers),
        inspected: inspect(req.headers),
        symbols: Object.getOwnPropertySymbols(req.headers).length,
      });
    });
    served = await serve(a);
  });
  afterAll(() => served.close());

  for (const path of ["/copied", "/frozen"]) {
    it(`still decides res.cookie and req.protocol after ${path.slice(1)} headers`, async () => {
      const plain = await send(`${served.http}${path}`);
      expect(plain.setCookie).toEqual([]); // dropped over HTTP, as without the rewrite
      const proxied = await send(`${served.http}${path}`, {
        localAddress: "127.0.0.2",
        headers: { "X-Forwarded-Proto": "https" },
      });
      expect(proxied.cookies.sessionId).toMatchObject({ secure: true, sameSite: "Strict" });
      const body = JSON.parse(proxied.body);
      // Express's own req.protocol would say "http": it trusts no proxy here.
      expect(body).toMatchObject({
        protocol: "https",
        source: "x-forwarded-proto",
        rewritten: "1",
      });
    });
  }

  it("keeps the context out of what apps enumerate or serialize from req.headers", async () => {
    const r = await send(`${served.http}/copied`);
    const { keys, json, inspected, symbols } = JSON.parse(r.body);
    expect(keys).toEqual(["host", "connection", "x-rewritten"]);
    expect(Object.keys(JSON.parse(json))).toEqual(keys);
    expect(inspected).not.toMatch(/transport|policy/i);
    expect(symbols).toBe(0);
  });
});

describe("cookiePolicy() report-only", () => {
  const reports: ReportEvent[] = [];
  let served: Served;
  beforeAll(async () => {
    served = await serve(app({ config: policy, mode: "report-only" }, reports));
  });
  afterAll(() => served.close());

  it("emits the app's cookie as Express writes it (Path=/) and reports what enforce would do", async () => {
    const r = await send(`${served.http}/login`);
    expect(r.cookies.sessionId).toMatchObject({ value: "abc123", path: "/" });
    expect(r.cookies.sessionId?.secure).toBeFalsy();
    expect(r.cookies.sessionId?.httpOnly).toBeFalsy();
    const [decision] = JSON.parse(r.body).decisions;
    expect(decision.wouldBe).toMatchObject({ action: "drop", header: null });
    expect(codes(reports)).toContain("REPORT_ONLY");
  });
});

describe("cookiePolicy(options)", () => {
  it("throws the PolicyLoadError when the middleware is created with a bad policy", () => {
    expect(() => cookiePolicy({ config: { proxy: { trust: ["10.0.0.0/33"] } } })).toThrow(
      /\/proxy\/trust\/0/,
    );
  });
});
