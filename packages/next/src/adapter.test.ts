import { CookiePolicyError, type PolicyFile, type ReportEvent } from "@scope/cookie-core";
import { NextRequest, NextResponse } from "next/server.js";
import { describe, expect, it } from "vitest";
import { cookiePolicy } from "./index.js";

/** A production-like policy: redirect to example.com, HSTS, a sensitive session cookie. */
const policy: PolicyFile = {
  proxy: { trust: ["10.0.0.0/8"] },
  https: {
    redirect: { status: 308, hosts: ["example.com"], exclude: ["/healthz"] },
    hsts: { maxAge: 600 },
  },
  sensitive: { secure: "always", httpOnly: true, sameSite: "strict" },
  cookies: {
    sessionId: { sensitive: true, maxAge: 3600 },
    theme: { httpOnly: false },
    strict: { secure: "always", onInsecure: "error" },
  },
};

/** The same cookies without redirect or HSTS. */
const plain: PolicyFile = { ...policy, https: { redirect: false, hsts: false } };

function setup(config: PolicyFile = policy, env = "production") {
  const reports: ReportEvent[] = [];
  const cp = cookiePolicy({ config, env, onReport: (e) => reports.push(e) });
  return { cp, reports };
}

const req = (url: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
  new NextRequest(url, init);

const cookieLines = (res: Response) => res.headers.getSetCookie();

describe("cookiePolicy(options).proxy(handler?)", () => {
  it("redirects plain HTTP to the allowed host with the configured status and no body", async () => {
    const { cp } = setup();
    const res = await cp.proxy()(
      req("http://example.com/account?tab=1", { headers: { host: "example.com" } }),
    );
    expect(res.status).toBe(308);
    expect(res.headers.get("location")).toBe("https://example.com/account?tab=1");
    expect(await res.text()).toBe("");
    expect(res.headers.get("strict-transport-security")).toBeNull();
  });

  it("never lets the Host header choose the redirect target", async () => {
    const { cp } = setup();
    const res = await cp.proxy()(
      req("http://evil.example/x", { headers: { host: "evil.example" } }),
    );
    expect(res.headers.get("location")).toBe("https://example.com/x");
  });

  it("lets excluded paths through over HTTP", async () => {
    const { cp } = setup();
    const res = await cp.proxy()(
      req("http://example.com/healthz", { headers: { host: "example.com" } }),
    );
    expect(res.headers.get("x-middleware-next")).toBe("1");
    expect(res.headers.get("location")).toBeNull();
  });

  it("continues with NextResponse.next() and HSTS on HTTPS", async () => {
    const { cp } = setup();
    const res = await cp.proxy()(req("https://example.com/", { headers: { host: "example.com" } }));
    expect(res.headers.get("x-middleware-next")).toBe("1");
    expect(res.headers.get("strict-transport-security")).toBe("max-age=600");
  });

  it("applies the policy to cookies the handler sets on its NextResponse, and tells downstream cookies() the same", async () => {
    const { cp } = setup();
    const res = await cp.proxy((_request, ctx) => {
      expect(ctx.transport.secure).toBe(true);
      const out = NextResponse.next();
      out.cookies.set("sessionId", "abc");
      out.cookies.set("theme", "dark", { httpOnly: true });
      return out;
    })(req("https://example.com/", { headers: { host: "example.com" } }));
    const lines = cookieLines(res);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^sessionId=abc;/);
    expect(lines[0]).toMatch(/; Secure/);
    expect(lines[0]).toMatch(/; HttpOnly/);
    expect(lines[0]).toMatch(/SameSite=Strict/i);
    expect(lines[0]).toMatch(/Max-Age=3600/);
    expect(lines[1]).toMatch(/^theme=dark;/);
    expect(lines[1]).toMatch(/; HttpOnly/); // the call site strengthened: kept
    expect(res.headers.get("x-middleware-set-cookie")).toContain("sessionId=abc");
  });

  it("drops a Secure-only cookie set in proxy.ts on plain HTTP, also for downstream cookies()", async () => {
    const { cp, reports } = setup(plain);
    const res = await cp.proxy(() => {
      const out = NextResponse.next();
      out.cookies.set("sessionId", "abc");
      return out;
    })(req("http://localhost:3000/", { headers: { host: "localhost:3000" } }));
    expect(cookieLines(res)).toEqual([]);
    expect(res.headers.get("x-middleware-set-cookie")).toBeNull();
    expect(reports.map((r) => r.code)).toContain("INSECURE_TRANSPORT_DROPPED");
  });

  it("answers 400 for a hostile Host when no hosts list is configured", async () => {
    const { cp } = setup({ https: { redirect: true } });
    const res = await cp.proxy()(req("http://localhost/", { headers: { host: "evil.example@x" } }));
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
  });
});

describe("cookiePolicy(options).route(handler)", () => {
  it("re-decides every Set-Cookie of the returned response", async () => {
    const { cp } = setup();
    const POST = cp.route(() => {
      const res = NextResponse.json({ ok: true });
      res.cookies.set("sessionId", "s1", { httpOnly: false, sameSite: "none" });
      return res;
    });
    const res = await POST(
      req("https://example.com/login", { method: "POST", headers: { host: "example.com" } }),
      {},
    );
    const [line] = cookieLines(res);
    expect(line).toMatch(/; Secure/);
    expect(line).toMatch(/; HttpOnly/); // httpOnly: false weakens the floor: ignored
    expect(line).toMatch(/SameSite=Strict/i);
    expect(await res.json()).toEqual({ ok: true });
  });

  it("passes the NextRequest, the route context and the request's decisions to the handler", async () => {
    const { cp } = setup();
    const GET = cp.route(
      async (request: NextRequest, context: { params: Promise<{ id: string }> }, ctx) =>
        Response.json({
          id: (await context.params).id,
          path: request.nextUrl.pathname,
          explain: ctx.explain(),
        }),
    );
    const res = await GET(req("https://example.com/x/7", { headers: { host: "example.com" } }), {
      params: Promise.resolve({ id: "7" }),
    });
    const body = await res.json();
    expect(body.id).toBe("7");
    expect(body.path).toBe("/x/7");
    expect(body.explain.transport).toMatchObject({ protocol: "https", host: "example.com" });
  });

  it("throws the CookiePolicyError of an `error` decision (Next answers 500)", async () => {
    const { cp } = setup(plain);
    const POST = cp.route(() => {
      const res = NextResponse.json({ ok: true });
      res.cookies.set("strict", "1");
      return res;
    });
    const err = await POST(req("http://localhost/x", { method: "POST" }), {}).catch((e) => e);
    expect(err).toBeInstanceOf(CookiePolicyError);
    expect(err.code).toBe("INSECURE_TRANSPORT_ERROR");
  });

  it("answers a copy when the response's headers are immutable (Response.redirect)", async () => {
    const { cp } = setup();
    const res = await cp.proxy(() => Response.redirect("https://example.com/next", 303))(
      req("https://example.com/", { headers: { host: "example.com" } }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("https://example.com/next");
    expect(res.headers.get("strict-transport-security")).toBe("max-age=600");
  });

  it("keeps a Set-Cookie line already decided on the request context as it is", async () => {
    const { cp } = setup();
    const POST = cp.route((_request, _context, ctx) => {
      const decision = ctx.setCookie("theme", "dark");
      const res = NextResponse.json({ ok: true });
      if (decision.header) res.headers.append("set-cookie", decision.header);
      return res;
    });
    const res = await POST(
      req("https://example.com/", { method: "POST", headers: { host: "example.com" } }),
      {},
    );
    expect(cookieLines(res)).toHaveLength(1);
    expect(cookieLines(res)[0]).toMatch(/^theme=dark;.*Secure/);
  });
});

describe("the request view: Next.js gives no peer address", () => {
  it("an address list cannot match: forwarded headers are not believed and a diagnostic says why", () => {
    const { cp } = setup();
    const ctx = cp.decideRequest(
      req("http://example.com/", {
        headers: {
          host: "example.com",
          "x-forwarded-proto": "https",
          "x-forwarded-for": "203.0.113.7",
        },
      }),
    );
    expect(ctx.transport.secure).toBe(false);
    expect(ctx.transport.diagnostics.map((d) => d.code)).toContain("TRANSPORT_PEER_UNKNOWN");
  });

  it("a hop count believes the nearest proxy's records", () => {
    const { cp } = setup({ proxy: { trust: 1 } });
    const ctx = cp.decideRequest(
      req("http://example.com/", {
        headers: {
          host: "example.com",
          "x-forwarded-proto": "https",
          "x-forwarded-for": "198.51.100.1, 203.0.113.7",
        },
      }),
    );
    expect(ctx.transport).toMatchObject({
      protocol: "https",
      clientAddress: "203.0.113.7",
      trustedHops: 1,
    });
  });

  it("trust false: the x-forwarded-* Next.js fills in are not reported; a client's Forwarded is", () => {
    // Every header listed (Forwarded is opt-in since v2), so only the runtime rule keeps quiet.
    const headers = ["forwarded", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"];
    const { cp } = setup({ proxy: { trust: false, headers } as PolicyFile["proxy"] });
    const filled = {
      host: "example.com",
      "x-forwarded-for": "::ffff:203.0.113.7",
      "x-forwarded-proto": "http",
      "x-forwarded-host": "example.com",
      "x-forwarded-port": "3000",
    };
    const quiet = cp.decideRequest(req("http://example.com/", { headers: filled }));
    expect(quiet.transport.diagnostics).toEqual([]);
    const sent = { ...filled, forwarded: "for=198.51.100.1;proto=https" };
    const loud = cp.decideRequest(req("http://example.com/", { headers: sent }));
    expect(loud.transport.diagnostics.map((d) => d.code)).toEqual([
      "TRANSPORT_HEADERS_WITHOUT_TRUST",
    ]);
    expect(loud.transport.diagnostics[0]?.message).toMatch(/^Forwarded arrived/);
  });

  it("trust false: the scheme is the request URL's", () => {
    const { cp } = setup({ proxy: { trust: false } });
    expect(cp.decideRequest(req("https://example.com/")).transport.secure).toBe(true);
    expect(cp.decideRequest(req("http://example.com/")).transport.secure).toBe(false);
  });
});

describe("cookiePolicy(options) at start-up", () => {
  it("reports NODE_TLS_REJECT_UNAUTHORIZED=0 in production from the main entry too", () => {
    const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    try {
      const reports: ReportEvent[] = [];
      cookiePolicy({ config: {}, env: "production", onReport: (e) => reports.push(e) });
      expect(reports.map((r) => r.code)).toContain("STARTUP_TLS_VERIFICATION_DISABLED");
    } finally {
      if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
    }
  });
});
