import { createHmac } from "node:crypto";
import type { PolicyFile, ReportEvent } from "@scope/cookie-core";
import { type Served, send, serve } from "@scope/test-support";
import Koa from "koa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CookiePolicyOptions, cookiePolicy } from "./index.js";

const policy: PolicyFile = {
  proxy: { trust: ["127.0.0.2/32"] },
  defaults: { httpOnly: true },
  cookies: {
    sessionId: { sensitive: true },
    theme: { httpOnly: false },
    csrfToken: { sensitive: true, onInsecure: "error" },
  },
};

const KEY = "koa signing key";

type Route = (ctx: Koa.Context) => void;

const routes: Record<string, Route> = {
  // `secure: true` is what throws "Cannot send secure cookie over unencrypted connection"
  // in plain Koa behind a TLS-terminating proxy.
  "/login": (ctx) => {
    ctx.cookies.set("sessionId", "abc123", { secure: true });
    ctx.body = { transport: ctx.cookiePolicy.transport, decisions: ctx.cookiePolicy.decisions };
  },
  "/prefs": (ctx) => {
    ctx.cookies.set("theme", "dark", { maxAge: 90_000 }).set("lang", "fr");
    ctx.body = "ok";
  },
  "/csrf": (ctx) => {
    ctx.cookies.set("csrfToken", "t0k");
    ctx.body = "ok";
  },
  "/koa-features": (ctx) => {
    ctx.cookies.set("visits", "3", { signed: true });
    ctx.cookies.set("theme", "light").set("theme", "dark", { overwrite: true });
    ctx.body = "ok";
  },
  "/read-signed": (ctx) => {
    ctx.body = { visits: ctx.cookies.get("visits", { signed: true }) ?? null };
  },
  "/note": (ctx) => {
    ctx.cookies.set("note", ctx.query.value as string, { signed: true });
    ctx.body = "ok";
  },
  "/scheme": (ctx) => {
    ctx.body = { protocol: ctx.protocol, secure: ctx.secure };
  },
  "/read-note": (ctx) => {
    ctx.body = { note: ctx.cookies.get("note", { signed: true }) ?? null };
  },
};

/** A real Koa 3 app with the middleware in front of ordinary routes. */
function app(options: CookiePolicyOptions, reports: ReportEvent[] = [], errors: unknown[] = []) {
  const a = new Koa();
  a.keys = [KEY];
  a.on("error", (err) => errors.push(err));
  a.use(cookiePolicy({ env: "production", onReport: (e) => reports.push(e), ...options }));
  a.use((ctx) => {
    const route = routes[ctx.path];
    if (route) route(ctx);
    else ctx.status = 404;
  });
  return a.callback();
}

describe("cookiePolicy() in a Koa 3 app", () => {
  const errors: unknown[] = [];
  const reports: ReportEvent[] = [];
  let served: Served;
  let audit: Served;
  beforeAll(async () => {
    [served, audit] = await Promise.all([
      serve(app({ config: policy }, [], errors)),
      serve(app({ config: policy, mode: "report-only" }, reports)),
    ]);
  });
  afterAll(() => Promise.all([served.close(), audit.close()]));

  it("never throws Koa's 'Cannot send secure cookie' for secure: true: dropped over HTTP, set behind the proxy", async () => {
    // Plain Koa throws unless it believes the request is HTTPS (app.proxy and the header).
    const plain = await send(`${served.http}/login`);
    expect(plain.status).toBe(200);
    expect(plain.setCookie).toEqual([]);
    const proxied = await send(`${served.http}/login`, {
      localAddress: "127.0.0.2",
      headers: { "X-Forwarded-Proto": "https" },
    });
    expect(proxied.status).toBe(200);
    expect(proxied.cookies.sessionId).toMatchObject({ value: "abc123", secure: true });
  });

  it("ctx.protocol and ctx.secure follow the policy's transport, not app.proxy", async () => {
    const proxied = await send(`${served.http}/scheme`, {
      localAddress: "127.0.0.2",
      headers: { "X-Forwarded-Proto": "https" },
    });
    expect(JSON.parse(proxied.body)).toEqual({ protocol: "https", secure: true });
    const spoofed = await send(`${served.http}/scheme`, {
      localAddress: "127.0.0.3",
      headers: { "X-Forwarded-Proto": "https" },
    });
    expect(JSON.parse(spoofed.body)).toEqual({ protocol: "http", secure: false });
  });

  it('answers 500 through Koa\'s error path, code on the error (onInsecure: "error")', async () => {
    const r = await send(`${served.http}/csrf`);
    expect(r.status).toBe(500);
    expect(r.body).toBe("Internal Server Error"); // expose: false
    expect(r.setCookie).toEqual([]);
    expect(errors.at(-1)).toMatchObject({ code: "INSECURE_TRANSPORT_ERROR", status: 500 });
    const ok = await send(`${served.https}/csrf`);
    expect(ok.status).toBe(200);
    expect(ok.cookies.csrfToken).toMatchObject({ value: "t0k", secure: true });
  });

  it("sends a value the header can carry as written: ctx.cookies.get() reads it back unchanged", async () => {
    const value = "s:abc.DEF+/=%7E~x"; // cookie-octets only: kept, `%` included
    const r = await send(`${served.https}/note?value=${encodeURIComponent(value)}`);
    expect(r.setCookie[0]).toMatch(/^note=s:abc\.DEF\+\/=%7E~x; /);
    const sig = createHmac("sha1", KEY).update(`note=${value}`).digest("base64url");
    expect(r.setCookie[1]).toMatch(new RegExp(`^note\\.sig=${sig}; `));
    const back = await send(`${served.https}/read-note`, {
      headers: { Cookie: `note=${value}; note.sig=${sig}` },
    });
    expect(JSON.parse(back.body)).toEqual({ note: value });
  });

  it("signs an encoded value as sent: the .sig companion verifies when the browser sends it back", async () => {
    const value = "a b;c,d";
    const r = await send(`${served.https}/note?value=${encodeURIComponent(value)}`);
    expect(r.status).toBe(200);
    const sent = /^note=([^;]*); /.exec(r.setCookie[0] ?? "")?.[1];
    expect(sent).toBe("a%20b%3Bc%2Cd"); // encoded as a whole, as encodeURIComponent does
    const sig = /^note\.sig=([^;]*); /.exec(r.setCookie[1] ?? "")?.[1];
    expect(sig).toBe(createHmac("sha1", KEY).update(`note=${sent}`).digest("base64url"));
    // What a browser sends back: the pairs as they were set.
    const back = await send(`${served.https}/read-note`, {
      headers: { Cookie: `note=${sent}; note.sig=${sig}` },
    });
    const { note } = JSON.parse(back.body);
    expect(note).toBe(sent); // Koa does not decode: the app decodes what it had to encode
    expect(decodeURIComponent(note)).toBe(value);
    const forged = await send(`${served.https}/read-note`, {
      headers: { Cookie: `note=a%20b%3Bd%2Cd; note.sig=${sig}` },
    });
    expect(JSON.parse(forged.body)).toEqual({ note: null });
  });

  it("takes Koa's maxAge in milliseconds (Max-Age in seconds); set() stays chainable", async () => {
    const r = await send(`${served.http}/prefs`);
    expect(r.cookies.theme).toMatchObject({ value: "dark", maxAge: 90 });
    expect(r.cookies.lang?.value).toBe("fr");
  });

  it("keeps signed cookies (.sig companion with app.keys) and overwrite", async () => {
    const r = await send(`${served.https}/koa-features`);
    // keygrip: base64url(HMAC-SHA1(key, "name=value")).
    const sig = createHmac("sha1", KEY).update("visits=3").digest("base64url");
    expect(r.cookies.visits).toMatchObject({ value: "3", httpOnly: true });
    expect(r.cookies["visits.sig"]).toMatchObject({ value: sig, httpOnly: true, path: "/" });
    expect(r.setCookie.filter((line) => line.startsWith("theme="))).toHaveLength(1);
    expect(r.cookies.theme?.value).toBe("dark");

    const back = await send(`${served.https}/read-signed`, {
      headers: { Cookie: `visits=3; visits.sig=${sig}` },
    });
    expect(JSON.parse(back.body)).toEqual({ visits: "3" });
  });

  it("report-only emits the cookie as Koa would have written it and reports what enforce would do", async () => {
    const r = await send(`${audit.http}/prefs`);
    // Koa's own defaults: Path=/ and HttpOnly, no Max-Age rule from the policy.
    expect(r.cookies.lang).toMatchObject({ value: "fr", path: "/", httpOnly: true });
    expect(r.cookies.lang?.sameSite).toBeUndefined();
    const login = await send(`${audit.http}/login`);
    expect(login.cookies.sessionId).toMatchObject({ value: "abc123", secure: true });
    const [decision] = JSON.parse(login.body).decisions;
    expect(decision.wouldBe).toMatchObject({ action: "drop", header: null });
    expect(reports.map((r) => r.code)).toContain("REPORT_ONLY");
  });
});

describe("cookiePolicy(options)", () => {
  it("throws the PolicyLoadError when the middleware is created with a bad policy", () => {
    expect(() => cookiePolicy({ config: { proxy: { trust: ["10.0.0.0/33"] } } })).toThrow(
      /\/proxy\/trust\/0/,
    );
  });
});
