import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createCookiePolicy } from "../engine.js";
import { encodeCookieValue } from "../index.js";
import { request, SPEC_POLICY } from "../spec-example.fixture.js";

describe("encodeCookieValue(value)", () => {
  it("keeps a value the header can carry as written (a reader that does not decode sees it)", () => {
    for (const value of ["abc123", "s%3Aabc.def", "a=b", "base64+/=", "", "{json:1}"])
      expect(encodeCookieValue(value)).toBe(value);
  });

  it("percent-encodes a value with a space, ';', CR/LF, a CTL or non-ASCII, as encodeURIComponent does", () => {
    expect(encodeCookieValue("a b")).toBe("a%20b");
    expect(encodeCookieValue("a; Domain=evil.example")).toBe("a%3B%20Domain%3Devil.example");
    expect(encodeCookieValue("v\r\nSet-Cookie: x=1")).toBe("v%0D%0ASet-Cookie%3A%20x%3D1");
    expect(encodeCookieValue("tab\there")).toBe("tab%09here");
    expect(encodeCookieValue("café")).toBe("caf%C3%A9");
    expect(decodeURIComponent(encodeCookieValue("a; b\r\n"))).toBe("a; b\r\n");
  });

  it("as the engine's encoder: the header gets the value as written or encoded, never refused", () => {
    const policy = createPolicy();
    const ctx = policy.decideRequest(request({ encrypted: true }));
    const meta = { encode: encodeCookieValue };
    expect(ctx.setCookie("theme", "dark", undefined, meta).header).toMatch(/^theme=dark;/);
    const spaced = ctx.setCookie("theme", "a; Domain=evil.example", undefined, meta);
    expect(spaced.action).toBe("set");
    expect(spaced.header).toMatch(/^theme=a%3B%20Domain%3Devil\.example;/);
    expect(spaced.header).not.toMatch(/Domain=evil/);
  });

  it("any well-formed string becomes a value the engine accepts and the header can carry", () => {
    const policy = createPolicy();
    const ctx = policy.decideRequest(request({ encrypted: true }));
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (value) => {
        const d = ctx.setCookie("theme", value, undefined, { encode: encodeCookieValue });
        expect(d.action).toBe("set");
        const sent = /^theme=([!-:<-~]*); /.exec(d.header ?? "")?.[1];
        expect(sent === value || decodeURIComponent(sent ?? "") === value).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

function createPolicy() {
  return createCookiePolicy(SPEC_POLICY, { env: "production", onReport: () => {} });
}
