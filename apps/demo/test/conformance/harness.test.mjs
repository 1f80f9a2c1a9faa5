/** The runner's judge: a wrong answer must produce a readable problem, a right one none. */
import { describe, expect, it } from "vitest";
import { compare, groupKey, listenHost } from "./harness.mjs";

const DATE = "Sun, 29 Nov 2026 05:00:00 GMT";
const answer = (status, headers = {}) => ({
  status,
  headers: { date: DATE, ...headers },
  body: "",
});
const expectOk = (cookies, hsts = null) => ({ status: 200, location: null, hsts, cookies });

describe("compare(expect, response)", () => {
  it("accepts an answer with exactly the expected attributes", () => {
    const res = answer(200, {
      "set-cookie": ["sessionId=a; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Strict"],
      "strict-transport-security": "max-age=600",
    });
    const want = expectOk(
      { sessionId: { secure: true, httpOnly: true, sameSite: "strict", path: "/", maxAge: 3600 } },
      "max-age=600",
    );
    expect(compare(want, res)).toEqual([]);
  });

  it("names a missing Secure, a wrong SameSite and an unexpected HSTS header", () => {
    const res = answer(200, {
      "set-cookie": ["sessionId=a; Path=/; SameSite=Lax"],
      "strict-transport-security": "max-age=600",
    });
    const problems = compare(expectOk({ sessionId: { secure: true, sameSite: "strict" } }), res);
    expect(problems).toHaveLength(3);
    expect(problems.join("\n")).toMatch(/Strict-Transport-Security: expected null/);
    expect(problems.join("\n")).toMatch(/secure: expected true, got false/);
    expect(problems.join("\n")).toMatch(/sameSite: expected "strict", got "lax"/);
  });

  it("flags a cookie that should be absent, and a cookie emitted twice", () => {
    const res = answer(200, { "set-cookie": ["a=1", "b=1", "b=2"] });
    const problems = compare(expectOk({ a: null, b: {} }), res);
    expect(problems).toEqual([
      expect.stringMatching(/^a: expected no cookie/),
      expect.stringMatching(/^b: expected one cookie, got 2/),
    ]);
  });

  it("reads a lifetime from Expires when there is no Max-Age (Koa), within a few seconds", () => {
    const inOneHour = new Date(Date.parse(DATE) + 3600_000).toUTCString();
    const res = answer(200, { "set-cookie": [`theme=dark; path=/; expires=${inOneHour}`] });
    expect(compare(expectOk({ theme: { maxAge: 3600 } }), res)).toEqual([]);
    expect(compare(expectOk({ theme: { maxAge: 60 } }), res)).toHaveLength(1);
  });

  it("sees a cleared cookie as an empty value that already expired", () => {
    const cleared = answer(200, {
      "set-cookie": ["sessionId=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"],
    });
    expect(compare(expectOk({ sessionId: { cleared: true } }), cleared)).toEqual([]);
    const kept = answer(200, { "set-cookie": ["sessionId=x; Max-Age=60"] });
    expect(compare(expectOk({ sessionId: { cleared: true } }), kept)).toHaveLength(1);
  });

  it("compares status, Location and the error code of a 500", () => {
    const res = { ...answer(500), body: '{"error":"COOKIE_NAME_INVALID"}' };
    const want = {
      status: 500,
      location: null,
      hsts: null,
      error: "INSECURE_TRANSPORT_ERROR",
      cookies: {},
    };
    expect(compare(want, res)).toEqual([
      'error code: expected "INSECURE_TRANSPORT_ERROR", got "COOKIE_NAME_INVALID"',
    ]);
    const redirect = answer(301, { location: "https://evil.example/" });
    const wantRedirect = { status: 308, location: "https://example.com/", hsts: null, cookies: {} };
    expect(compare(wantRedirect, redirect)).toHaveLength(2);
  });
  it("compares the names and actions of the decisions POST /cookies answers with", () => {
    const body = JSON.stringify({ decisions: [{ name: "a", action: "drop", header: null }] });
    const res = { ...answer(200), body };
    const want = (action) => ({ ...expectOk({}), decisions: [{ name: "a", action }] });
    expect(compare(want("drop"), res)).toEqual([]);
    expect(compare(want("set"), res)).toHaveLength(1);
  });
});

describe("server groups", () => {
  it("listens where the case's peer can connect from", () => {
    expect(listenHost("127.0.0.9")).toBe("127.0.0.1");
    expect(listenHost("::1")).toBe("::1");
    expect(listenHost("::ffff:127.0.0.2")).toBe("::");
  });

  it("shares a server between cases of the same policy, env, scheme and address family", () => {
    const c = (scheme, peer, env = "production") => ({
      policy: "p",
      env,
      request: { scheme, peer },
    });
    expect(groupKey(c("http", "127.0.0.2"))).toBe(groupKey(c("http", "127.0.0.9")));
    expect(groupKey(c("http", "127.0.0.2"))).not.toBe(groupKey(c("https", "127.0.0.2")));
    expect(groupKey(c("http", "127.0.0.2"))).not.toBe(groupKey(c("http", "::1")));
    expect(groupKey(c("http", "127.0.0.2"))).not.toBe(groupKey(c("http", "127.0.0.2", "dev")));
  });
});
