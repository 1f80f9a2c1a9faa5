import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PolicyFile, ReportEvent } from "@scope/cookie-core";
import { type Served, send, serve } from "@scope/test-support";
import Koa from "koa";
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
  "/weak": (ctx) => {
    const weak = { secure: false, httpOnly: false, sameSite: "lax", maxAge: 7_200_000 } as const;
    ctx.cookies.set("sessionId", "abc", weak);
    ctx.body = "ok";
  },
  "/prefs": (ctx) => {
    ctx.cookies.set("theme", "dark", { maxAge: 90_000 }).set("lang", "fr");
    ctx.body = "ok";
  },
  "/logout": (ctx) => {
    ctx.cookies.set("sessionId", null);
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
  "/inject": (ctx) => {
    ctx.cookies.set("note", "a; Domain=evil.example");
    ctx.body = "ok";
  },
  "/crlf": (ctx) => {
    ctx.cookies.set("note", "v\r\nSet-Cookie: injected=1");
    ctx.body = "ok";
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

const codes = (reports: ReportEvent[]) => reports.map((r) => r.code);

describe("cookiePolicy() in a Koa 3 app", () => {
  const reports: ReportEvent[] = [];
  const errors: unknown[] = [];
  let served: Served;
  beforeAll(async () => {
    served = await serve(app({ config: policy }, reports, errors));
  });
  afterAll(() => served.close());

  it("drops sessionId over plain HTTP (onInsecure: drop) instead of throwing", async () => {
    const r = await send(`${served.http}/login`);
    expect(r.status).toBe(200);
    expect(r.setCookie).toEqual([]);
    const { transport, decisions } = JSON.parse(r.body);
    expect(transport).toMatchObject({ protocol: "http", secure: false });
    expect(decisions[0]).toMatchObject({ name: "sessionId", action: "drop", secure: true });
    expect(codes(reports)).toContain("INSECURE_TRANSPORT_DROPPED");
  });

  it("sets a secure: true cookie behind a trusted proxy without app.proxy (no Koa error)", async () => {
    const r = await send(`${served.http}/login`, {
      localAddress: "127.0.0.2",
      headers: { "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7" },
    });
    expect(r.status).toBe(200);
    expect(r.cookies.sessionId).toMatchObject({ value: "abc123", secure: true, httpOnly: true });
    expect(JSON.parse(r.body).transport).toMatchObject({
      protocol: "https",
      source: "x-forwarded-proto",
      clientAddress: "203.0.113.7",
      trustedHops: 1,
    });
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

  it("does not believe X-Forwarded-Proto from an untrusted peer (127.0.0.3)", async () => {
    const r = await send(`${served.http}/login`, {
      localAddress: "127.0.0.3",
      headers: { "X-Forwarded-Proto": "https" },
    });
    expect(r.setCookie).toEqual([]);
    expect(JSON.parse(r.body).transport).toMatchObject({
      protocol: "http",
      source: "socket",
      clientAddress: "127.0.0.3",
    });
    expect(codes(reports)).toContain("TRANSPORT_UNTRUSTED_PEER");
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

  it("encodes a value that would inject an attribute or a header (SPEC: a value is encoded)", async () => {
    const r = await send(`${served.https}/inject`);
    expect(r.status).toBe(200);
    expect(r.setCookie).toHaveLength(1);
    expect(r.setCookie[0]).toMatch(/^note=a%3B%20Domain%3Devil\.example; /);
    expect(r.cookies.note?.domain).toBeUndefined();
    const crlf = await send(`${served.https}/crlf`);
    expect(crlf.status).toBe(200);
    expect(crlf.setCookie).toHaveLength(1);
    expect(crlf.setCookie[0]).toMatch(/^note=v%0D%0ASet-Cookie%3A%20injected%3D1; /);
    expect(crlf.cookies.injected).toBeUndefined();
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

  it("ignores call-site weakening (secure: false, httpOnly: false, laxer SameSite, longer maxAge)", async () => {
    const r = await send(`${served.https}/weak`);
    expect(r.cookies.sessionId).toMatchObject({
      secure: true,
      httpOnly: true,
      sameSite: "Strict",
      maxAge: 3600,
    });
    expect(codes(reports)).toContain("CALLSITE_WEAKENING_IGNORED");
  });

  it("converts Koa's maxAge (milliseconds) to Max-Age seconds; set() stays chainable", async () => {
    const r = await send(`${served.http}/prefs`);
    expect(r.cookies.theme).toMatchObject({ value: "dark", maxAge: 90 });
    expect(r.cookies.theme?.httpOnly).toBeFalsy();
    expect(r.cookies.theme?.secure).toBeFalsy();
    expect(r.cookies.lang).toMatchObject({ value: "fr", httpOnly: true, sameSite: "Lax" });
  });

  it("clears sessionId when the value is null (expired, Secure over HTTPS)", async () => {
    const r = await send(`${served.https}/logout`);
    const cleared = r.cookies.sessionId;
    expect(cleared?.value).toBe("");
    expect(cleared?.secure).toBe(true);
    const expired =
      cleared?.maxAge === 0 || (cleared?.expires?.getTime() ?? Infinity) <= Date.now();
    expect(expired).toBe(true);
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
});

describe("cookiePolicy() HTTPS redirect", () => {
  let served: Served;
  let open: Served;
  beforeAll(async () => {
    served = await serve(
      app({ config: { ...policy, https: { redirect: { status: 308, hosts: ["example.com"] } } } }),
    );
    open = await serve(app({ config: { ...policy, https: { redirect: true } } }));
  });
  afterAll(async () => {
    await Promise.all([served.close(), open.close()]);
  });

  it("redirects plain HTTP before any route: status, Location, empty body, no cookie", async () => {
    const r = await send(`${served.http}/login?next=%2Fhome`, {
      headers: { Host: "example.com:8080" },
    });
    expect(r.status).toBe(308);
    expect(r.headers.location).toBe("https://example.com/login?next=%2Fhome");
    expect(r.body).toBe("");
    expect(r.setCookie).toEqual([]);
  });

  it("refuses an invalid Host with 400 plain text when no hosts are listed", async () => {
    const r = await send(`${open.http}/login`, { headers: { Host: "bad..host" } });
    expect(r.status).toBe(400);
    expect(r.headers["content-type"]).toMatch(/^text\/plain/);
    expect(r.headers.location).toBeUndefined();
  });
});

describe("cookiePolicy() report-only", () => {
  const reports: ReportEvent[] = [];
  let served: Served;
  beforeAll(async () => {
    served = await serve(app({ config: policy, mode: "report-only" }, reports));
  });
  afterAll(() => served.close());

  it("emits the cookie as Koa would have written it and reports what enforce would do", async () => {
    const r = await send(`${served.http}/prefs`);
    // Koa's own defaults: Path=/ and HttpOnly, no Max-Age rule from the policy.
    expect(r.cookies.lang).toMatchObject({ value: "fr", path: "/", httpOnly: true });
    expect(r.cookies.lang?.sameSite).toBeUndefined();
    const login = await send(`${served.http}/login`);
    expect(login.cookies.sessionId).toMatchObject({ value: "abc123", secure: true });
    const [decision] = JSON.parse(login.body).decisions;
    expect(decision.wouldBe).toMatchObject({ action: "drop", header: null });
    expect(codes(reports)).toContain("REPORT_ONLY");
  });
});

describe("cookiePolicy(options)", () => {
  it("loads the policy from a file when config is a path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cookie-policy-"));
    const file = join(dir, "policy.json");
    writeFileSync(
      file,
      JSON.stringify({ cookies: { sessionId: { sensitive: true, maxAge: 60 } } }),
    );
    const served = await serve(app({ config: file }));
    try {
      const r = await send(`${served.https}/login`);
      expect(r.cookies.sessionId).toMatchObject({ value: "abc123", secure: true, maxAge: 60 });
    } finally {
      await served.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("throws the PolicyLoadError when the middleware is created with a bad policy", () => {
    expect(() => cookiePolicy({ config: { proxy: { trust: ["10.0.0.0/33"] } } })).toThrow(
      /\/proxy\/trust\/0/,
    );
  });
});
