import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createCookiePolicy } from "./engine.js";
import { request, SPEC_POLICY } from "./spec-example.fixture.js";
import {
  type CookiePolicy,
  CookiePolicyError,
  PolicyLoadError,
  type ReportEvent,
} from "./types.js";

function policy(
  env = "production",
  extra: Parameters<typeof createCookiePolicy>[1] = {},
): { p: CookiePolicy; events: ReportEvent[] } {
  const events: ReportEvent[] = [];
  const p = createCookiePolicy(SPEC_POLICY, { env, onReport: (e) => events.push(e), ...extra });
  return { p, events };
}

/** 10.0.0.1 (trusted in production) forwarding an HTTPS request for 203.0.113.7. */
const behindProxy = request({
  peer: "10.0.0.1",
  headers: { host: "example.com", "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https" },
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("createCookiePolicy(policy, options)", () => {
  it("validates: an invalid policy is a PolicyLoadError", () => {
    expect(() =>
      createCookiePolicy({ proxy: { trust: ["10.0.0.0/33"] } }, { env: "production" }),
    ).toThrow(PolicyLoadError);
  });

  it("resolves the named profile", () => {
    const { p } = policy("development");
    expect(p.env).toBe("development");
    expect(p.mode).toBe("enforce");
    expect(p.profile.proxy.trust).toBe(false);
  });

  it("an unknown env is fail-closed: production applies, ENV_UNKNOWN reported at load", () => {
    const { p, events } = policy("staging");
    expect(p.env).toBe("production");
    expect(p.requestedEnv).toBe("staging");
    expect(p.diagnostics.map((d) => d.code)).toContain("ENV_UNKNOWN");
    expect(events.map((e) => e.code)).toContain("ENV_UNKNOWN");
    const explained = p.decideRequest(request()).explain();
    expect(explained.env).toBe("production");
    expect(explained.diagnostics.map((d) => d.code)).toContain("ENV_UNKNOWN");
  });

  it("options.mode overrides the profile's mode", () => {
    expect(policy("production", { mode: "report-only" }).p.mode).toBe("report-only");
  });
});

describe("begin(req).explain()", () => {
  it("has exactly the SPEC §3 shape", () => {
    const { p } = policy();
    const ctx = p.decideRequest(behindProxy);
    ctx.setCookie("sessionId", "abc");
    expect(ctx.explain()).toEqual({
      env: "production",
      mode: "enforce",
      transport: {
        protocol: "https",
        secure: true,
        source: "x-forwarded-proto",
        clientAddress: "203.0.113.7",
        host: "example.com",
        trustedHops: 1,
      },
      redirect: null,
      hsts: "max-age=31536000; includeSubDomains",
      cookies: [
        {
          name: "sessionId",
          action: "set",
          secure: true,
          header: "sessionId=abc; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Strict",
          reasons: ["SECURE_REQUIRED_MODE"],
        },
      ],
      diagnostics: [],
    });
  });

  it("is JSON-serialisable and lists decisions in order", () => {
    const { p } = policy();
    const ctx = p.decideRequest(behindProxy);
    ctx.setCookie("theme", "dark");
    ctx.clearCookie("sessionId");
    const json = JSON.parse(JSON.stringify(ctx.explain()));
    expect(json.cookies.map((c: { name: string }) => c.name)).toEqual(["theme", "sessionId"]);
    expect(ctx.decisions[1]?.clearing).toBe(true);
  });

  it("a redirected request still reports its cookies as decided", () => {
    const { p } = policy();
    const ctx = p.decideRequest(request());
    ctx.setCookie("sessionId", "abc");
    const explained = ctx.explain();
    expect(explained.redirect).toEqual({ status: 308, location: "https://example.com/" });
    expect(explained.cookies[0]).toMatchObject({ action: "drop", secure: true, header: null });
  });

  it("decisions start empty", () => {
    expect(policy().p.decideRequest(behindProxy).decisions).toEqual([]);
  });
});

describe("setCookie / clearCookie / decideWrittenLine", () => {
  it("an untrusted peer's X-Forwarded-Proto is ignored: sensitive cookie dropped", () => {
    const { p, events } = policy();
    const ctx = p.decideRequest(
      request({
        headers: { host: "example.com", "x-forwarded-proto": "https" },
        peer: "203.0.113.9",
      }),
    );
    const d = ctx.setCookie("sessionId", "abc");
    expect(d.action).toBe("drop");
    expect(ctx.transport.diagnostics.map((x) => x.code)).toContain("TRANSPORT_UNTRUSTED_PEER");
    expect(events.map((e) => e.code)).toEqual(
      expect.arrayContaining(["TRANSPORT_UNTRUSTED_PEER", "INSECURE_TRANSPORT_DROPPED"]),
    );
    const drop = events.find((e) => e.code === "INSECURE_TRANSPORT_DROPPED");
    expect(drop).toMatchObject({ cookie: "sessionId", env: "production", level: "warn" });
  });

  it("routine decisions report nothing", () => {
    const { p, events } = policy();
    const ctx = p.decideRequest(behindProxy);
    ctx.setCookie("sessionId", "abc");
    ctx.setCookie("theme", "dark");
    expect(events).toEqual([]);
  });

  it("meta.encode replaces encodeURIComponent", () => {
    const { p } = policy();
    const d = p
      .decideRequest(behindProxy)
      .setCookie("theme", "a b", undefined, { encode: (v) => v.replace(" ", "+") });
    expect(d.header?.startsWith("theme=a+b;")).toBe(true);
  });

  it("the error action carries a CookiePolicyError", () => {
    const errorPolicy = {
      ...SPEC_POLICY,
      defaults: { ...SPEC_POLICY.defaults, onInsecure: "error" as const },
    };
    const p = createCookiePolicy(errorPolicy, { env: "production", onReport: () => {} });
    const d = p.decideRequest(request({ url: "/healthz" })).setCookie("sessionId", "abc");
    expect(d.action).toBe("error");
    expect(d.error).toBeInstanceOf(CookiePolicyError);
    expect(d.error?.code).toBe("INSECURE_TRANSPORT_ERROR");
  });

  it("decideWrittenLine re-decides a written line, keeping the value as written", () => {
    const { p } = policy();
    const ctx = p.decideRequest(behindProxy);
    const d = ctx.decideWrittenLine("sessionId=a%20b; Path=/app; SameSite=None; HttpOnly");
    expect(d.header?.startsWith("sessionId=a%20b; ")).toBe(true);
    expect(d.header).toContain("Path=/app");
    expect(d.header).toContain("SameSite=Strict");
    expect(d.reasons).toContain("CALLSITE_WEAKENING_IGNORED");
  });

  it("decideWrittenLine gives back a line this request's policy wrote, without deciding it twice", () => {
    const { p } = policy();
    const ctx = p.decideRequest(behindProxy);
    const set = ctx.setCookie("sessionId", "abc");
    const again = ctx.decideWrittenLine(set.header as string);
    expect(again).toBe(set);
    expect(ctx.decisions).toEqual([set]);
    // A line the app wrote itself is decided and recorded as before.
    const written = ctx.decideWrittenLine("theme=dark; Path=/");
    expect(written).not.toBe(set);
    expect(ctx.decisions).toEqual([set, written]);
  });

  it("decideWrittenLine of an expiring line is a clearing", () => {
    const { p, events } = policy();
    const ctx = p.decideRequest(request({ url: "/healthz" }));
    const d = ctx.decideWrittenLine("sessionId=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
    expect(d.clearing).toBe(true);
    expect(d.action).toBe("set");
    expect(d.reasons).toContain("CLEAR_SECURE_ON_INSECURE");
    expect(events.map((e) => e.code)).toContain("CLEAR_SECURE_ON_INSECURE");
    expect(ctx.decideWrittenLine("theme=; Max-Age=0").clearing).toBe(true);
  });

  it("decideWrittenLine decides a line the same on its first and later requests (kept decisions)", () => {
    const attribute = fc.constantFrom(
      "; Path=/",
      "; Path=/app",
      "; Secure",
      "; HttpOnly",
      "; SameSite=None",
      "; samesite=lax",
      "; Max-Age=100",
      "; Max-Age=999999999",
      "; Max-Age=0",
      "; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
      "; Expires=Fri, 01 Jan 2100 00:00:00 GMT",
      "; Domain=example.com",
      "; Domain=bad domain",
      "; Partitioned",
      "; Priority=High",
    );
    const line = fc.record({
      name: fc.constantFrom("sessionId", "theme", "__Host-id", "__Secure-x", "a b", "sid"),
      value: fc.string({ unit: fc.constantFrom("a", "Z", "0", "%", "-", " ", '"', ";", ",") }),
      attributes: fc.array(attribute, { maxLength: 4 }).map((a) => a.join("")),
    });
    const transports = [behindProxy, request({ url: "/healthz" })];
    const shared = policy().p; // keeps what it decided across the runs
    const view = (d: ReturnType<CookiePolicy["decideRequest"]>["decisions"][number]) => ({
      ...d,
      error: d.error?.code,
    });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 5 }), fc.nat(1), (lines, t) => {
        const req = transports[t] as typeof behindProxy;
        const kept = shared.decideRequest(req);
        for (const l of lines) {
          const header = `${l.name}=${l.value}${l.attributes}`;
          const fresh = policy().p.decideRequest(req).decideWrittenLine(header);
          expect(view(kept.decideWrittenLine(header)), header).toEqual(view(fresh));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("decideWrittenLine of a line without a name is an error decision", () => {
    const d = policy().p.decideRequest(behindProxy).decideWrittenLine("novalue");
    expect(d.action).toBe("error");
    expect(d.error?.code).toBe("COOKIE_NAME_INVALID");
  });

  it("development: sensitive cookies follow the transport", () => {
    const { p } = policy("development");
    const d = p
      .decideRequest(request({ peer: "127.0.0.1", headers: { host: "localhost:3000" } }))
      .setCookie("sessionId", "abc");
    expect(d.action).toBe("set");
    expect(d.secure).toBe(false);
  });
});

describe("localhost", () => {
  const local = request({ peer: "127.0.0.1", headers: { host: "localhost:3000" } });

  it('"insecure" (default): http://localhost is plain HTTP', () => {
    const d = policy().p.decideRequest(local).setCookie("sessionId", "abc");
    expect(d.action).toBe("drop");
  });

  it('"secure-context": cookies treat it as secure; redirect and HSTS do not', () => {
    const file = { ...SPEC_POLICY, localhost: "secure-context" as const };
    const p = createCookiePolicy(file, { env: "production", onReport: () => {} });
    const ctx = p.decideRequest(local);
    expect(ctx.transport.secure).toBe(false);
    const d = ctx.setCookie("sessionId", "abc");
    expect(d.action).toBe("set");
    expect(d.header).toContain("Secure");
    expect(d.reasons).toContain("SECURE_LOCALHOST_CONTEXT");
    expect(ctx.hsts).toBeNull();
    expect(ctx.redirect?.location).toBe("https://example.com/");
  });

  it('"secure-context" needs a loopback peer', () => {
    const file = { ...SPEC_POLICY, localhost: "secure-context" as const };
    const p = createCookiePolicy(file, { env: "production", onReport: () => {} });
    const d = p
      .decideRequest(request({ peer: "203.0.113.9", headers: { host: "localhost" } }))
      .setCookie("sessionId", "x");
    expect(d.action).toBe("drop");
  });
});

describe("report-only", () => {
  it("emits the app's attributes, keeps wouldBe, makes no redirect and sends no HSTS", () => {
    const { p, events } = policy("production", { mode: "report-only" });
    const insecure = p.decideRequest(request());
    expect(insecure.redirect).toBeNull();
    expect(insecure.reject).toBeNull();
    const d = insecure.setCookie("sessionId", "abc", { httpOnly: true });
    expect(d.action).toBe("set");
    expect(d.header).toBe("sessionId=abc; HttpOnly");
    expect(d.wouldBe).toEqual({ action: "drop", secure: true, header: null });
    expect(d.reasons).toContain("REPORT_ONLY");
    const explained = insecure.explain();
    expect(explained.mode).toBe("report-only");
    expect(explained.redirect).toBeNull();
    expect(explained.cookies[0]?.wouldBe).toEqual({ action: "drop", secure: true, header: null });
    expect(
      events.some((e) => e.code === "REPORT_ONLY" && e.message.includes("https://example.com/")),
    ).toBe(true);
    expect(p.decideRequest(behindProxy).hsts).toBeNull();
  });

  it("enforce-mode explain has no wouldBe", () => {
    const ctx = policy().p.decideRequest(behindProxy);
    ctx.setCookie("theme", "x");
    expect("wouldBe" in (ctx.explain().cookies[0] ?? {})).toBe(false);
  });
});

describe("default reporter", () => {
  it("warns once per code and cookie, never per request", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const p = createCookiePolicy(SPEC_POLICY, { env: "production" });
    for (let i = 0; i < 5; i++)
      p.decideRequest(request({ url: "/healthz" })).setCookie("sessionId", "abc");
    const drops = warn.mock.calls.filter((c) =>
      String(c[0]).includes("INSECURE_TRANSPORT_DROPPED"),
    );
    expect(drops).toHaveLength(1);
    expect(String(drops[0]?.[0])).toContain("sessionId");
    p.decideRequest(request({ url: "/healthz" })).setCookie("auth", "abc");
    expect(
      warn.mock.calls.filter((c) => String(c[0]).includes("INSECURE_TRANSPORT_DROPPED")),
    ).toHaveLength(2);
  });
});
