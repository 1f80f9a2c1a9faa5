/**
 * SPEC §2.3's call-site validation, as every adapter reaches it: a wrong type or a string
 * outside its attribute's grammar is COOKIE_ATTRIBUTE_INVALID (action "error"), in enforce
 * and report-only mode alike; a Max-Age of zero or less clears the cookie.
 */
import { describe, expect, it } from "vitest";
import { createCookiePolicy } from "../engine.js";
import type { CookieOptions, PolicyRequest } from "../types.js";

const HTTPS: PolicyRequest = {
  encrypted: true,
  peer: "127.0.0.1",
  headers: {},
  method: "POST",
  url: "/",
};
const HTTP: PolicyRequest = { ...HTTPS, encrypted: false };

const policies = {
  enforce: createCookiePolicy(
    { defaults: { httpOnly: true } },
    { env: "production", onReport: () => {} },
  ),
  "report-only": createCookiePolicy(
    { defaults: { httpOnly: true } },
    { env: "production", mode: "report-only", onReport: () => {} },
  ),
};

/** Options as an app may pass them from untyped code (JSON bodies, plain JS). */
const bad = (o: Record<string, unknown>) => o as CookieOptions;

const INVALID: [string, CookieOptions][] = [
  ["maxAge with an injected attribute", bad({ maxAge: "60; Domain=evil.com" })],
  ["maxAge as a numeric string", bad({ maxAge: "60" })],
  ["maxAge NaN", { maxAge: Number.NaN }],
  ["maxAge Infinity", { maxAge: Number.POSITIVE_INFINITY }],
  ["maxAge -Infinity", { maxAge: Number.NEGATIVE_INFINITY }],
  ["maxAge null", bad({ maxAge: null })],
  ["expires an invalid date", { expires: new Date(Number.NaN) }],
  ["expires a string", bad({ expires: "Wed, 21 Oct 2099 07:28:00 GMT" })],
  ["expires a number", bad({ expires: 4102444800000 })],
  ["secure a string", bad({ secure: "true" })],
  ["httpOnly a number", bad({ httpOnly: 1 })],
  ["partitioned a string", bad({ partitioned: "yes" })],
  ["sameSite outside the vocabulary", bad({ sameSite: "sometimes" })],
  ["sameSite with an injected attribute", bad({ sameSite: "lax; Domain=evil.com" })],
  ["priority outside the vocabulary", bad({ priority: "urgent" })],
  ["path with ;", { path: "/a; Domain=evil.com" }],
  ["path with a CTL", { path: "/a\u0000b" }],
  ["path a number", bad({ path: 5 })],
  ["domain with ;", { domain: "example.com; Secure" }],
  ["domain with CR LF", { domain: "example.com\r\nX-Evil: 1" }],
  ["domain outside the host-name grammar", { domain: "exa_mple.com" }],
  ["domain an object", bad({ domain: { toString: () => "example.com" } })],
];

describe("call-site options (SPEC §2.3)", () => {
  for (const [mode, policy] of Object.entries(policies)) {
    it.each(INVALID)(`${mode}: %s is COOKIE_ATTRIBUTE_INVALID`, (_title, options) => {
      for (const req of [HTTP, HTTPS]) {
        const ctx = policy.decideRequest(req);
        const set = ctx.setCookie("pref", "v", options);
        expect(set.action).toBe("error");
        expect(set.header).toBeNull();
        expect(set.error?.code).toBe("COOKIE_ATTRIBUTE_INVALID");
        expect(set.reasons).toContain("COOKIE_ATTRIBUTE_INVALID");
        expect(ctx.clearCookie("pref", options).error?.code).toBe("COOKIE_ATTRIBUTE_INVALID");
      }
    });
  }

  it("the error message names the attribute and never carries a raw control character", () => {
    const d = policies.enforce
      .decideRequest(HTTPS)
      .setCookie("pref", "v", bad({ maxAge: "6\r\n0" }));
    expect(d.error?.message).toMatch(/Max-Age/);
    expect(d.error?.message).not.toMatch(/[\r\n]/);
  });

  it.each([
    ["maxAge -5", -5],
    ["maxAge 0", 0],
    ["maxAge -0.5", -0.5],
  ])("enforce: %s clears the cookie (Max-Age=0, empty value)", (_title, maxAge) => {
    const d = policies.enforce.decideRequest(HTTPS).setCookie("pref", "v", { maxAge });
    expect(d.action).toBe("set");
    expect(d.clearing).toBe(true);
    expect(d.header).toMatch(/^pref=; Max-Age=0; /);
    expect(d.header).toMatch(/; Expires=Thu, 01 Jan 1970 00:00:00 GMT/);
  });

  it("valid options of every kind are accepted", () => {
    const ctx = policies.enforce.decideRequest(HTTPS);
    const d = ctx.setCookie("pref", "v", {
      secure: true,
      httpOnly: true,
      partitioned: false,
      sameSite: "Strict" as CookieOptions["sameSite"],
      priority: "high",
      path: "/app",
      domain: "example.com",
      maxAge: 60.9,
      expires: new Date(Date.now() + 30_000),
    });
    expect(d.action).toBe("set");
    expect(d.header).toMatch(/^pref=v; Max-Age=60; Domain=example.com; Path=\/app; Expires=/);
    expect(ctx.setCookie("pref", "v", { sameSite: true }).header).toMatch(/SameSite=Strict/);
  });

  it("a value is emitted as cookie-octets: quote, comma, backslash and space encoded", () => {
    const d = policies.enforce.decideRequest(HTTPS).setCookie("pref", 'a"b,c\\d e', undefined, {
      encode: (v) => v,
    });
    expect(d.header?.split("; ")[0]).toBe("pref=a%22b%2Cc%5Cd%20e");
  });

  it("an Expires already past clears the cookie, at a call site as in a written line", () => {
    for (const expires of [new Date(0), new Date(1), new Date(Date.now() - 1000)]) {
      const ctx = policies.enforce.decideRequest(HTTPS);
      const set = ctx.setCookie("pref", "v", { expires });
      expect(set.action).toBe("set");
      expect(set.header).toMatch(/^pref=; /);
      expect(set.header).toMatch(/Max-Age=0/);
      const written = policies.enforce
        .decideRequest(HTTPS)
        .decideWrittenLine(`pref=v; Expires=${expires.toUTCString()}`);
      expect(written.header).toBe(set.header);
    }
  });
});
