import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSetCookie } from "./parse.js";

/** Lines made of real attribute names with arbitrary values, to reach every branch. */
const attributeSoup = fc
  .array(
    fc.tuple(
      fc.constantFrom(
        "a",
        "Max-Age",
        "Expires",
        "Domain",
        "Path",
        "SameSite",
        "Priority",
        "Secure",
        "",
      ),
      fc.string({ maxLength: 12 }),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.map(([k, v]) => `${k}=${v}`).join("; "));

describe("parseSetCookie(line)", () => {
  it("reads name, value as written, and every known attribute", () => {
    const parsed = parseSetCookie(
      "sid=a%20b; Max-Age=3600; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Domain=example.com; Path=/app; Secure; HttpOnly; SameSite=Strict; Partitioned; Priority=High",
    );
    expect(parsed).toEqual({
      name: "sid",
      value: "a%20b",
      options: {
        maxAge: 3600,
        expires: new Date(Date.UTC(2037, 9, 21, 7, 28, 0)),
        domain: "example.com",
        path: "/app",
        secure: true,
        httpOnly: true,
        sameSite: "strict",
        partitioned: true,
        priority: "high",
      },
    });
  });

  it("attributes are case-insensitive; absent attributes are absent options", () => {
    expect(parseSetCookie("a=b; secure; samesite=none")).toEqual({
      name: "a",
      value: "b",
      options: { secure: true, sameSite: "none" },
    });
    expect(parseSetCookie("a=b")).toEqual({ name: "a", value: "b", options: {} });
  });

  it("unknown and malformed attributes are ignored", () => {
    expect(parseSetCookie("a=b; Foo=bar; Max-Age=soon; SameSite=sideways; Expires=never")).toEqual({
      name: "a",
      value: "b",
      options: {},
    });
  });

  it("an empty value is kept empty; an = inside the value is part of it", () => {
    expect(parseSetCookie("a=; Max-Age=0")).toEqual({
      name: "a",
      value: "",
      options: { maxAge: 0 },
    });
    expect(parseSetCookie("a=b=c")?.value).toBe("b=c");
  });

  it("a line without a name is null", () => {
    expect(parseSetCookie("")).toBeNull();
    expect(parseSetCookie("novalue")).toBeNull();
    expect(parseSetCookie("=x; Path=/")).toBeNull();
  });

  it("never throws, whatever the line", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary" }), attributeSoup), (line) => {
        const parsed = parseSetCookie(line);
        expect(parsed === null || typeof parsed.name === "string").toBe(true);
      }),
      { numRuns: 500 },
    );
  }, 30_000);
});
