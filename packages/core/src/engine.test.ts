import fc from "fast-check";
import { afterEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { createCookiePolicy } from "./engine.js";
import { attributesUnordered, request, SPEC_EXPLAIN, SPEC_POLICY } from "./spec-example.fixture.js";
import {
  type CookieAttributes,
  type CookieDecision,
  type CookiePolicy,
  CookiePolicyError,
  PolicyLoadError,
  type PolicyRequest,
  type ReasonCode,
  type ReportEvent,
  type RequestContext,
} from "./types.js";

/** An app can never change a request's record (SPEC §2.5): a contract, so many runs. */
const RECORD_RUNS = 10_000;

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

describe("decideRequest(req).explain()", () => {
  it("has exactly the SPEC §3 shape", () => {
    const { p } = policy();
    const ctx = p.decideRequest(behindProxy);
    ctx.setCookie("sessionId", "abc");
    expect(attributesUnordered(ctx.explain())).toEqual(attributesUnordered(SPEC_EXPLAIN));
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

describe("ctx.decisions: the request's record, read-only to the app", () => {
  /** A line an app might forge into the record: it does not meet the policy for `sessionId`. */
  const forged: CookieDecision = {
    name: "sessionId",
    action: "set",
    secure: false,
    header: "sessionId=forged; Path=/",
    attributes: null,
    reasons: [],
    clearing: false,
  };

  /** What an app might try on the record it reads; every attempt is refused with a TypeError. */
  function tamper(ctx: RequestContext): void {
    const seen = ctx.decisions as CookieDecision[];
    expect(() => seen.push(forged)).toThrow(TypeError);
    expect(() => seen.splice(0)).toThrow(TypeError);
    const first = seen[0];
    if (first === undefined) return;
    expect(() => {
      seen[0] = forged;
    }).toThrow(TypeError);
    expect(() => (first.reasons as ReasonCode[]).push("SECURE_AUTO")).toThrow(TypeError);
    if (first.attributes !== null)
      expect(() => {
        (first.attributes as CookieAttributes).secure = false;
      }).toThrow(TypeError);
  }

  it("an app that pushes, splices or edits what it reads changes nothing later calls see", () => {
    const ctx = policy().p.decideRequest(behindProxy);
    const set = ctx.setCookie("sessionId", "abc");
    tamper(ctx);
    expect(ctx.decisions).toEqual([set]);
    // The forged line is not in the record: written, it is decided like any other line.
    const written = ctx.decideWrittenLine(forged.header as string);
    expect(written.header).toBe(
      "sessionId=forged; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Strict",
    );
    expect(ctx.decisions).toEqual([set, written]);
    expect(ctx.explain().cookies.map((c) => c.header)).toEqual([set.header, written.header]);
  });

  it("an app that writes to ctx.transport changes none of the request's cookie decisions", () => {
    const insecure = request({ url: "/healthz" });
    const ctx = policy().p.decideRequest(insecure);
    const transport = ctx.transport as { secure: boolean; secureContext: boolean };
    transport.secure = true;
    transport.secureContext = true;
    const untouched = policy().p.decideRequest(insecure);
    expect(ctx.setCookie("sessionId", "abc")).toEqual(untouched.setCookie("sessionId", "abc"));
    expect(ctx.decideWrittenLine("sid=1; Path=/")).toEqual(
      untouched.decideWrittenLine("sid=1; Path=/"),
    );
    expect(ctx.decisions.map((d) => d.action)).toEqual(["drop", "drop"]);
  });

  it(`for any sequence of calls and reads, it lists what the calls returned, and they answer as a request that never read it (${RECORD_RUNS} runs)`, () => {
    const name = fc.constantFrom("sessionId", "theme", "__Host-id", "pref", "a b");
    const op = fc.oneof(
      fc.record({
        kind: fc.constant("set" as const),
        name,
        value: fc.constantFrom("v", "a b", ""),
      }),
      fc.record({ kind: fc.constant("clear" as const), name }),
      fc.record({
        kind: fc.constant("line" as const),
        line: fc.constantFrom(
          forged.header as string,
          "theme=dark; Path=/",
          "sid=1; Max-Age=0",
          "novalue",
        ),
      }),
      // The line an earlier call of this request decided, written again.
      fc.record({ kind: fc.constant("again" as const), index: fc.nat() }),
      fc.constant({ kind: "read" as const }),
    );
    const transports = [behindProxy, request({ url: "/healthz" })];
    const view = (d: CookieDecision) => ({ ...d, error: d.error?.code });
    const longLived = policy().p; // its kept decisions too must be out of the app's reach
    // Refusals are compared by code; their stack traces (deep under the runner) only cost.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    onTestFinished(() => {
      Error.stackTraceLimit = stackTraceLimit;
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 8 }), fc.nat(1), (ops, t) => {
        const req = transports[t] as PolicyRequest;
        const ctx = longLived.decideRequest(req);
        const fresh = policy().p.decideRequest(req);
        const returned: CookieDecision[] = [];
        const call = (c: RequestContext, o: (typeof ops)[number]): CookieDecision | null => {
          if (o.kind === "set") return c.setCookie(o.name, o.value);
          if (o.kind === "clear") return c.clearCookie(o.name);
          if (o.kind === "line") return c.decideWrittenLine(o.line);
          if (o.kind === "again" && returned.length > 0)
            return c.decideWrittenLine(String(returned[o.index % returned.length]?.header));
          return null;
        };
        for (const o of ops) {
          if (o.kind === "read") {
            // Each decision once, in order: a line the request itself wrote is not recorded again.
            expect(ctx.decisions).toEqual([...new Set(returned)]);
            tamper(ctx);
            continue;
          }
          const expected = call(fresh, o);
          const d = call(ctx, o);
          if (d === null || expected === null) continue;
          expect(view(d)).toEqual(view(expected));
          returned.push(d);
        }
        expect(ctx.decisions).toEqual([...new Set(returned)]);
        expect(ctx.explain()).toEqual(fresh.explain());
      }),
      { numRuns: RECORD_RUNS },
    );
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
