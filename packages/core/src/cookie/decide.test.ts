import { describe, expect, it } from "vitest";
import { resolveProfile } from "../policy/resolve.js";
import { SPEC_POLICY } from "../spec-example.fixture.js";
import type { CookieOptions, ResolvedProfile } from "../types.js";
import { CookiePolicyError } from "../types.js";
import { type CookieTransport, cutWrittenLine, decideAsWritten, decideCookie } from "./decide.js";
import { compilePlans } from "./plan.js";
import { baseProfile } from "./test-profile.js";

const HTTPS: CookieTransport = { secure: true, secureContext: false };
const HTTP: CookieTransport = { secure: false, secureContext: false };
const LOCAL_CONTEXT: CookieTransport = { secure: false, secureContext: true };

function decide(
  profile: ResolvedProfile,
  name: string,
  value: string,
  options?: CookieOptions,
  transport: CookieTransport = HTTPS,
) {
  return decideCookie(
    compilePlans(profile)(name),
    value,
    options,
    encodeURIComponent,
    transport,
    false,
  );
}

function clear(profile: ResolvedProfile, name: string, options?: CookieOptions, transport = HTTPS) {
  return decideCookie(
    compilePlans(profile)(name),
    "",
    options,
    encodeURIComponent,
    transport,
    true,
  );
}

/** Attribute map of a Set-Cookie header, keys lower-cased. */
function attrs(header: string | null): Record<string, string | true> {
  expect(header).not.toBeNull();
  const [, ...parts] = (header as string).split("; ");
  const out: Record<string, string | true> = {};
  for (const p of parts) {
    const eq = p.indexOf("=");
    if (eq === -1) out[p.toLowerCase()] = true;
    else out[p.slice(0, eq).toLowerCase()] = p.slice(eq + 1);
  }
  return out;
}

/** The SPEC §2 example's cookie settings, as the engine resolves them. */
const policy = resolveProfile(SPEC_POLICY, "production").profile;

describe("decideCookie: the SPEC §3 example", () => {
  it("sessionId on HTTPS is Secure, HttpOnly, Strict, Max-Age 3600, Path /", () => {
    const d = decide(policy, "sessionId", "abc");
    expect(d.action).toBe("set");
    expect(d.secure).toBe(true);
    expect(d.reasons).toEqual(["SECURE_REQUIRED_MODE"]);
    expect(d.header?.startsWith("sessionId=abc; ")).toBe(true);
    expect(attrs(d.header)).toEqual({
      "max-age": "3600",
      path: "/",
      httponly: true,
      secure: true,
      samesite: "Strict",
    });
  });

  it("theme follows the transport (auto) and is readable by scripts", () => {
    const https = decide(policy, "theme", "dark");
    expect(https.secure).toBe(true);
    expect(https.reasons).toContain("SECURE_AUTO");
    expect(attrs(https.header)).toEqual({
      "max-age": "31536000",
      path: "/",
      secure: true,
      samesite: "Lax",
    });
    const http = decide(policy, "theme", "dark", undefined, HTTP);
    expect(http.action).toBe("set");
    expect(http.secure).toBe(false);
    expect(attrs(http.header).secure).toBeUndefined();
  });
});

describe("sensitivity", () => {
  it("a name containing a pattern is sensitive, case-insensitively", () => {
    const d = decide(policy, "MY_AUTH_cookie", "x");
    expect(d.reasons).toContain("SECURE_REQUIRED_MODE");
    expect(attrs(d.header).samesite).toBe("Strict");
  });

  it("sensitive: false in a rule wins over the patterns", () => {
    const p = baseProfile({ ...policy, cookies: { csrfToken: { sensitive: false } } });
    const d = decide(p, "csrfToken", "x", undefined, HTTP);
    expect(d.action).toBe("set");
    expect(d.secure).toBe(false);
    expect(d.reasons).not.toContain("SECURE_REQUIRED_MODE");
  });

  it("sensitive: true applies the sensitive layer to any name", () => {
    const p = baseProfile({ ...policy, cookies: { prefs: { sensitive: true } } });
    expect(decide(p, "prefs", "x", undefined, HTTP).action).toBe("drop");
  });
});

describe("rule lookup", () => {
  const p = baseProfile({
    cookies: {
      "a*": { maxAge: 10 },
      "ab*": { maxAge: 20 },
      abc: { maxAge: 30 },
      "*z": { sameSite: "strict" },
    },
  });
  it("exact beats glob", () => {
    expect(attrs(decide(p, "abc", "v").header)["max-age"]).toBe("30");
  });
  it("longer glob beats shorter", () => {
    expect(attrs(decide(p, "abd", "v").header)["max-age"]).toBe("20");
    expect(attrs(decide(p, "axx", "v").header)["max-age"]).toBe("10");
  });
  it("rules do not merge: only the best match applies", () => {
    const d = attrs(decide(p, "abz", "v").header);
    expect(d["max-age"]).toBe("20");
    expect(d.samesite).toBe("Lax");
  });
  it("no rule: defaults only", () => {
    expect(attrs(decide(p, "other", "v").header)["max-age"]).toBeUndefined();
  });
  it("glob characters other than * are literal", () => {
    const q = baseProfile({ cookies: { "a.b*": { maxAge: 5 } } });
    expect(attrs(decide(q, "a.bc", "v").header)["max-age"]).toBe("5");
    expect(attrs(decide(q, "axbc", "v").header)["max-age"]).toBeUndefined();
  });
});

describe("the floor", () => {
  it("a call site may strengthen every attribute", () => {
    const p = baseProfile({ cookies: { t: { maxAge: 100 } } });
    const d = decide(p, "t", "v", { httpOnly: true, sameSite: "strict", maxAge: 50 }, HTTP);
    expect(attrs(d.header)).toEqual({
      "max-age": "50",
      path: "/",
      httponly: true,
      samesite: "Strict",
    });
    expect(d.reasons).not.toContain("CALLSITE_WEAKENING_IGNORED");
  });

  it("call-site secure: true makes the cookie require Secure", () => {
    const d = decide(baseProfile(), "t", "v", { secure: true }, HTTP);
    expect(d.action).toBe("drop");
    expect(d.secure).toBe(true);
    expect(d.reasons).toContain("INSECURE_TRANSPORT_DROPPED");
  });

  it("SameSite=None at a call site is weaker than a Lax floor", () => {
    const d = decide(baseProfile(), "x", "v", { sameSite: "none" });
    expect(d.reasons).toContain("CALLSITE_WEAKENING_IGNORED");
    expect(attrs(d.header).samesite).toBe("Lax");
  });

  it("weakenings are ignored and reported", () => {
    const cases: CookieOptions[] = [
      { httpOnly: false },
      { sameSite: "lax" },
      { sameSite: "none" },
      { sameSite: false },
      { maxAge: 4000 },
      { secure: false },
    ];
    for (const options of cases) {
      const d = decide(policy, "sessionId", "abc", options);
      expect(d.reasons, JSON.stringify(options)).toContain("CALLSITE_WEAKENING_IGNORED");
      expect(attrs(d.header), JSON.stringify(options)).toEqual({
        "max-age": "3600",
        path: "/",
        httponly: true,
        secure: true,
        samesite: "Strict",
      });
    }
  });

  it("secure: false at a call site weakens auto as well as always", () => {
    const d = decide(baseProfile(), "theme", "v", { secure: false });
    expect(d.reasons).toContain("CALLSITE_WEAKENING_IGNORED");
    expect(d.secure).toBe(true);
    expect(attrs(d.header).secure).toBe(true);
  });

  it("secure: false with a never floor is no weakening", () => {
    const p = baseProfile({ defaults: { ...baseProfile().defaults, secure: "never" } });
    const d = decide(p, "t", "v", { secure: false });
    expect(d.reasons).not.toContain("CALLSITE_WEAKENING_IGNORED");
    expect(d.secure).toBe(false);
  });

  it("an Expires later than the policy's Max-Age is a weakening", () => {
    const later = new Date(Date.now() + 7200_000);
    const d = decide(policy, "sessionId", "abc", { expires: later });
    expect(d.reasons).toContain("CALLSITE_WEAKENING_IGNORED");
    expect(attrs(d.header)["max-age"]).toBe("3600");
    expect(attrs(d.header).expires).toBeUndefined();
  });

  it("a shorter Expires stands alone (the policy's longer Max-Age would override it)", () => {
    const sooner = new Date(Date.now() + 600_000);
    const d = decide(policy, "sessionId", "abc", { expires: sooner });
    expect(d.reasons).not.toContain("CALLSITE_WEAKENING_IGNORED");
    expect(attrs(d.header).expires).toBe(sooner.toUTCString());
    expect(attrs(d.header)["max-age"]).toBeUndefined();
  });

  it("omitted attributes get the policy's; Path is the call site's when given", () => {
    const d = decide(policy, "theme", "v", { path: "/app" });
    expect(attrs(d.header).path).toBe("/app");
    expect(attrs(d.header).samesite).toBe("Lax");
  });

  it("a built-in default does not bind: httpOnly false is allowed", () => {
    const d = decide(baseProfile(), "t", "v", { httpOnly: false });
    expect(d.reasons).not.toContain("CALLSITE_WEAKENING_IGNORED");
    expect(attrs(d.header).httponly).toBeUndefined();
  });

  it("a rule's Domain is fixed; otherwise the call site's stands", () => {
    const p = baseProfile({ cookies: { d: { domain: "example.com" } } });
    const fixed = decide(p, "d", "v", { domain: "evil.com" });
    expect(fixed.reasons).toContain("DOMAIN_FIXED_BY_RULE");
    expect(attrs(fixed.header).domain).toBe("example.com");
    const same = decide(p, "d", "v", { domain: "EXAMPLE.com" });
    expect(same.reasons).not.toContain("DOMAIN_FIXED_BY_RULE");
    const free = decide(p, "other", "v", { domain: "sub.example.com" });
    expect(attrs(free.header).domain).toBe("sub.example.com");
  });

  it("Priority and Partitioned are supported", () => {
    const d = decide(baseProfile(), "t", "v", { priority: "high", partitioned: true });
    expect(attrs(d.header)).toMatchObject({ priority: "High", partitioned: true, secure: true });
    expect(d.reasons).toContain("SECURE_REQUIRED_PARTITIONED");
  });
});

describe("Secure requirement and onInsecure", () => {
  const withAction = (onInsecure: "drop" | "error" | "set") =>
    baseProfile({ defaults: { ...baseProfile().defaults, onInsecure } });

  it("drop: not emitted, secure still true", () => {
    const d = decide(withAction("drop"), "__Secure-x", "v", undefined, HTTP);
    expect(d).toMatchObject({ action: "drop", secure: true, header: null });
    expect(d.reasons).toEqual(["SECURE_REQUIRED_PREFIX", "INSECURE_TRANSPORT_DROPPED"]);
  });

  it("error: a CookiePolicyError with INSECURE_TRANSPORT_ERROR", () => {
    const d = decide(withAction("error"), "__Secure-x", "v", undefined, HTTP);
    expect(d.action).toBe("error");
    expect(d.header).toBeNull();
    expect(d.error).toBeInstanceOf(CookiePolicyError);
    expect(d.error?.code).toBe("INSECURE_TRANSPORT_ERROR");
    expect(d.error?.cookie).toBe("__Secure-x");
    expect(d.error?.status).toBe(500);
  });

  it("set: emitted with Secure and reported", () => {
    const d = decide(withAction("set"), "__Secure-x", "v", undefined, HTTP);
    expect(d.action).toBe("set");
    expect(attrs(d.header).secure).toBe(true);
    expect(d.reasons).toContain("INSECURE_TRANSPORT_SET");
  });

  it("each requirement has its reason", () => {
    const none = baseProfile({ defaults: { ...baseProfile().defaults, sameSite: "none" } });
    expect(decide(none, "x", "v").reasons).toContain("SECURE_REQUIRED_SAMESITE_NONE");
    expect(decide(baseProfile(), "__Host-x", "v").reasons).toContain("SECURE_REQUIRED_PREFIX");
    expect(decide(baseProfile(), "__secure-x", "v").reasons).toContain("SECURE_REQUIRED_PREFIX");
    expect(decide(baseProfile(), "sid", "v").reasons).toContain("SECURE_REQUIRED_MODE");
  });

  it("never: no Secure; with a requirement at a call site it is an error", () => {
    const never = baseProfile({ defaults: { ...baseProfile().defaults, secure: "never" } });
    const plain = decide(never, "t", "v");
    expect(plain.secure).toBe(false);
    expect(attrs(plain.header).secure).toBeUndefined();
    for (const [name, options] of [
      ["t", { secure: true }],
      ["t", { partitioned: true }],
      ["__Secure-t", {}],
    ] as const) {
      const d = decide(never, name, "v", options);
      expect(d.action).toBe("error");
      expect(d.error?.code).toBe("SECURE_NEVER_CONFLICT");
    }
  });

  it("localhost secure context counts as secure for cookies", () => {
    const d = decide(policy, "sessionId", "abc", undefined, LOCAL_CONTEXT);
    expect(d.action).toBe("set");
    expect(attrs(d.header).secure).toBe(true);
    expect(d.reasons).toContain("SECURE_LOCALHOST_CONTEXT");
    const auto = decide(policy, "theme", "x", undefined, LOCAL_CONTEXT);
    expect(auto.secure).toBe(true);
    expect(auto.reasons).toEqual(["SECURE_AUTO", "SECURE_LOCALHOST_CONTEXT"]);
  });
});

describe("invariants", () => {
  it("__Host- gets Path=/ and no Domain, corrected and reported", () => {
    const d = decide(policy, "__Host-id", "v", { path: "/app", domain: "example.com" });
    expect(d.action).toBe("set");
    expect(d.reasons).toContain("HOST_PREFIX_CORRECTED");
    const a = attrs(d.header);
    expect(a.path).toBe("/");
    expect(a.domain).toBeUndefined();
    expect(a.secure).toBe(true);
  });

  it("prefixes match case-insensitively", () => {
    const d = decide(baseProfile(), "__HOST-id", "v", { path: "/x" }, HTTP);
    expect(d.action).toBe("drop");
    expect(d.reasons).toContain("HOST_PREFIX_CORRECTED");
  });

  it("__Http- and __Host-Http- require HttpOnly and Secure", () => {
    for (const name of ["__Http-a", "__Host-Http-a", "__http-b"]) {
      const d = decide(baseProfile(), name, "v", { httpOnly: false });
      expect(d.reasons, name).toContain("HTTPONLY_REQUIRED_PREFIX");
      expect(d.reasons, name).toContain("SECURE_REQUIRED_PREFIX");
      expect(attrs(d.header)).toMatchObject({ httponly: true, secure: true });
    }
  });

  it("lifetimes above 400 days are capped", () => {
    const d = decide(baseProfile(), "t", "v", { maxAge: 500 * 86400 });
    expect(attrs(d.header)["max-age"]).toBe(String(400 * 86400));
    expect(d.reasons).toContain("MAXAGE_CAPPED");
    const e = decide(baseProfile(), "t", "v", { expires: new Date(Date.now() + 1000 * 86400_000) });
    expect(e.reasons).toContain("MAXAGE_CAPPED");
    const expires = Date.parse(attrs(e.header).expires as string);
    expect(expires).toBeLessThanOrEqual(Date.now() + 400 * 86400_000);
    expect(expires).toBeGreaterThan(Date.now() + 398 * 86400_000);
  });

  it("a policy Max-Age above 400 days is capped too", () => {
    const p = baseProfile({ cookies: { t: { maxAge: 999 * 86400 } } });
    expect(attrs(decide(p, "t", "v").header)["max-age"]).toBe(String(400 * 86400));
  });

  it("names must be RFC 6265 tokens", () => {
    for (const name of ["", "a b", "a;b", "a=b", "a\r\nb", "ä", "a,b", "(x)"]) {
      const d = decide(baseProfile(), name, "v");
      expect(d.action, JSON.stringify(name)).toBe("error");
      expect(d.error?.code).toBe("COOKIE_NAME_INVALID");
      expect(d.header).toBeNull();
    }
  });

  it("values are encoded; no CR, LF or ; can reach the header", () => {
    const d = decide(baseProfile(), "t", "a;b\r\nSet-Cookie: x=1");
    expect(d.action).toBe("set");
    expect(d.header?.split("; ")[0]).toBe("t=a%3Bb%0D%0ASet-Cookie%3A%20x%3D1");
  });

  it("what a custom encoder leaves outside the cookie-octets is percent-encoded", () => {
    const plan = compilePlans(baseProfile())("t");
    const d = decideCookie(plan, 'a;b "c",d\\e f\r\n', undefined, (v) => v, HTTPS, false);
    expect(d.action).toBe("set");
    expect(d.header?.split("; ")[0]).toBe("t=a%3Bb%20%22c%22%2Cd%5Ce%20f%0D%0A");
  });

  it("an encoder that throws or returns no string is an error", () => {
    const plan = compilePlans(baseProfile())("t");
    const throwing = () => {
      throw new Error("no");
    };
    const numeric = () => 5 as unknown as string;
    for (const encode of [throwing, numeric])
      expect(decideCookie(plan, "v", undefined, encode, HTTPS, false).error?.code).toBe(
        "COOKIE_ATTRIBUTE_INVALID",
      );
  });

  it("a Path or Domain that could end the header is an error", () => {
    for (const options of [
      { path: "/a;b" },
      { path: "/a\r\nX: y" },
      { domain: "example.com; Secure" },
      { domain: "exa mple.com" },
      { domain: "example.com\n" },
    ]) {
      const d = decide(baseProfile(), "t", "v", options);
      expect(d.action, JSON.stringify(options)).toBe("error");
      expect(d.error?.code).toBe("COOKIE_ATTRIBUTE_INVALID");
    }
  });

  it("name + value above 4096 octets is refused", () => {
    const ok = decide(baseProfile(), "ab", "x".repeat(4094));
    expect(ok.action).toBe("set");
    const big = decide(baseProfile(), "ab", "x".repeat(4095));
    expect(big.action).toBe("error");
    expect(big.error?.code).toBe("COOKIE_TOO_LARGE");
    // Encoding counts: each "é" becomes 6 octets.
    expect(decide(baseProfile(), "a", "é".repeat(700)).error?.code).toBe("COOKIE_TOO_LARGE");
  });
});

describe("clearing", () => {
  it("empty value, expired, same Path and Domain as the set", () => {
    const p = baseProfile({ cookies: { d: { domain: "example.com", path: "/app" } } });
    const d = clear(p, "d");
    expect(d.clearing).toBe(true);
    expect(d.header?.startsWith("d=; ")).toBe(true);
    const a = attrs(d.header);
    expect(a.expires).toBe("Thu, 01 Jan 1970 00:00:00 GMT");
    expect(a.path).toBe("/app");
    expect(a.domain).toBe("example.com");
  });

  it("a Secure cookie cleared over HTTP is emitted without Secure and reported", () => {
    const d = clear(policy, "sessionId", undefined, HTTP);
    expect(d.action).toBe("set");
    expect(d.reasons).toContain("CLEAR_SECURE_ON_INSECURE");
    expect(attrs(d.header).secure).toBeUndefined();
  });

  it("a prefix forces Secure even when clearing over HTTP", () => {
    const d = clear(policy, "__Host-id", undefined, HTTP);
    expect(d.action).toBe("set");
    expect(attrs(d.header)).toMatchObject({ secure: true, path: "/" });
  });

  it("on HTTPS the clearing carries Secure like the set", () => {
    const d = clear(policy, "sessionId");
    expect(d.reasons).not.toContain("CLEAR_SECURE_ON_INSECURE");
    expect(attrs(d.header).secure).toBe(true);
  });

  it("onInsecure error never fires for a clearing", () => {
    const p = baseProfile({ defaults: { ...baseProfile().defaults, onInsecure: "error" } });
    expect(clear(p, "sid", undefined, HTTP).action).toBe("set");
  });
});

describe("decideAsWritten (report-only)", () => {
  it("emits the app's own attributes and keeps the enforce decision in wouldBe", () => {
    const plan = compilePlans(policy)("sessionId");
    const options: CookieOptions = { httpOnly: false, sameSite: "lax" };
    const enforce = decideCookie(plan, "abc", options, encodeURIComponent, HTTP, false);
    const d = decideAsWritten(plan, "abc", options, encodeURIComponent, enforce, false);
    expect(d.action).toBe("set");
    expect(d.header).toBe("sessionId=abc; SameSite=Lax");
    expect(d.secure).toBe(false);
    expect(d.wouldBe).toEqual({ action: "drop", secure: true, header: null });
    expect(d.reasons).toContain("REPORT_ONLY");
    expect(d.reasons).toContain("INSECURE_TRANSPORT_DROPPED");
  });

  it("still refuses an invalid name or an injection", () => {
    const bad = compilePlans(policy)("a b");
    const enforce = decideCookie(bad, "v", undefined, encodeURIComponent, HTTP, false);
    expect(decideAsWritten(bad, "v", undefined, encodeURIComponent, enforce, false).action).toBe(
      "error",
    );
    const plan = compilePlans(policy)("t");
    const options = { path: "/x;Domain=evil.com" };
    const e2 = decideCookie(plan, "v", options, encodeURIComponent, HTTP, false);
    const d = decideAsWritten(plan, "v", options, encodeURIComponent, e2, false);
    expect(d.error?.code).toBe("COOKIE_ATTRIBUTE_INVALID");
    expect(d.header).toBeNull();
  });
});

describe("option-less decisions (made once per name and transport state)", () => {
  const plans = compilePlans(policy);
  const run = (name: string, value: string, transport: CookieTransport, options?: CookieOptions) =>
    decideCookie(plans(name), value, options, encodeURIComponent, transport, false);

  it("each call still carries its own value", () => {
    const a = run("sessionId", "first", HTTPS);
    const b = run("sessionId", "sec ond", HTTPS);
    expect(a.header).toBe(
      "sessionId=first; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Strict",
    );
    expect(b.header).toBe(
      "sessionId=sec%20ond; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Strict",
    );
  });

  it("the transport state is part of the decision", () => {
    run("theme", "x", HTTPS);
    expect(attrs(run("theme", "x", HTTP).header).secure).toBeUndefined();
    expect(attrs(run("theme", "x", LOCAL_CONTEXT).header).secure).toBe(true);
    expect(run("sessionId", "x", HTTP).action).toBe("drop");
    expect(run("sessionId", "x", HTTPS).action).toBe("set");
  });

  it("options whose keys are all undefined are no options", () => {
    const empty: CookieOptions = { secure: undefined, path: undefined, maxAge: undefined };
    const plain = run("theme", "v", HTTPS);
    const viaEmpty = run("theme", "v", HTTPS, empty);
    expect(viaEmpty).toEqual(plain);
    // Same cached decision: the frozen reasons are shared, not rebuilt.
    expect(viaEmpty.reasons).toBe(plain.reasons);
  });

  it("a call-site Path equal to the policy's is no option; another Path is one", () => {
    const plain = run("theme", "v", HTTPS);
    const samePath = run("theme", "v", HTTPS, { path: "/" });
    expect(samePath).toEqual(plain);
    expect(samePath.reasons).toBe(plain.reasons);
    expect(run("theme", "v", HTTPS, { path: "/app" }).header).toMatch(/; Path=\/app/);
  });

  it("a refused value after a cached decision is still refused", () => {
    run("theme", "ok", HTTPS);
    const d = decideCookie(plans("theme"), "\ud800", undefined, encodeURIComponent, HTTPS, false);
    expect(d.error?.code).toBe("COOKIE_ATTRIBUTE_INVALID");
    expect(run("theme", "x".repeat(5000), HTTPS).error?.code).toBe("COOKIE_TOO_LARGE");
  });

  it("shared reasons and attributes cannot be changed by a caller", () => {
    const d = run("theme", "v", HTTPS);
    expect(Object.isFrozen(d.reasons)).toBe(true);
    expect(Object.isFrozen(d.attributes)).toBe(true);
  });
});

describe("cutWrittenLine", () => {
  it("cuts name, value and attributes of a plain line", () => {
    expect(cutWrittenLine("sid=abc; Path=/; HttpOnly")).toEqual({
      name: "sid",
      value: "abc",
      attributes: "; Path=/; HttpOnly",
    });
    expect(cutWrittenLine("sid=abc")).toEqual({ name: "sid", value: "abc", attributes: "" });
  });

  it("leaves a line with Expires, in any case, to the full parse (it is judged by the clock)", () => {
    for (const expires of ["Expires", "expires", "EXPIRES", "eXpIrEs"])
      expect(
        cutWrittenLine(`sid=abc; Path=/; ${expires}=Fri, 01 Jan 2100 00:00:00 GMT`),
      ).toBeNull();
    expect(cutWrittenLine("sid=abc; Path=/xpires; Max-Age=5")).not.toBeNull();
    expect(cutWrittenLine("sid=abc; Path=/expire")).not.toBeNull();
  });

  it("leaves quoted, spaced or invalid values and nameless lines to the full parse", () => {
    for (const line of ['sid="abc"; Path=/', "sid=a b", "sid= abc", "=abc", "sid", "sid;=x"])
      expect(cutWrittenLine(line), line).toBeNull();
  });
});
