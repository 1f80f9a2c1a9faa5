import { createServer, get, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inject } from "light-my-request";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectCookie } from "../testing.js";

const SESSION = "sessionId=abc123; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Strict";
const THEME = "theme=dark%20blue; Path=/prefs; Domain=.Example.com; SameSite=Lax";
const CLEARED = "old=; Max-Age=0; Path=/";

let base = "";
const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
  res.setHeader("Set-Cookie", [SESSION, THEME, CLEARED]);
  res.end("ok");
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function nodeGet(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      res.resume();
      res.on("end", () => resolve(res));
    }).on("error", reject);
  });
}

/** The message the assertion throws (it must throw). */
function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return (error as Error).message;
  }
  throw new Error("expected the assertion to fail");
}

describe("expectCookie(response, name) on real responses", () => {
  it("reads a fetch Response (Headers.getSetCookie)", async () => {
    const res = await fetch(base);
    expectCookie(res, "sessionId")
      .toBePresent()
      .toBeSecure()
      .toBeHttpOnly()
      .toHaveSameSite("Strict")
      .toHavePath("/")
      .toHaveMaxAge(3600)
      .toHaveValue("abc123");
  });

  it("reads a Node IncomingMessage (headers['set-cookie'] array)", async () => {
    const res = await nodeGet(base);
    expectCookie(res, "theme")
      .not.toBeSecure()
      .not.toBeHttpOnly()
      .toHaveSameSite("lax")
      .toHavePath("/prefs")
      .toHaveDomain("example.com")
      .toHaveValue("dark blue");
    expectCookie(res, "old").toBeCleared();
    expectCookie(res, "missing").toBeAbsent();
  });

  it("reads a light-my-request response (Fastify's inject): one Set-Cookie is a string", async () => {
    const one = await inject(
      (_req: IncomingMessage, res: ServerResponse) => {
        res.setHeader("Set-Cookie", SESSION);
        res.end();
      },
      { url: "/" },
    );
    expect(typeof one.headers["set-cookie"]).toBe("string");
    expectCookie(one, "sessionId").toBeSecure().toHaveMaxAge(3600);
    const many = await inject((_req: IncomingMessage, res: ServerResponse) => {
      res.setHeader("Set-Cookie", [SESSION, THEME]);
      res.end();
    }, "/");
    expectCookie(many, "theme").toHaveDomain("example.com").not.toBeSecure();
  });

  it("reads raw Set-Cookie lines", () => {
    expectCookie(SESSION, "sessionId").toBeHttpOnly();
    expectCookie([THEME, SESSION], "sessionId").toHaveSameSite("Strict");
  });

  it("uses the last Set-Cookie of a name, as the browser does", () => {
    expectCookie(["a=1; Path=/", "a=2; Path=/; Secure"], "a").toHaveValue("2").toBeSecure();
  });
});

describe("failure messages name the cookie, the attribute and what was found", () => {
  it("a missing attribute", () => {
    expect(failure(() => expectCookie(THEME, "theme").toBeSecure())).toBe(
      `cookie "theme": expected Secure, got none (Set-Cookie: ${THEME})`,
    );
  });

  it("a different SameSite, Path, Max-Age", () => {
    expect(failure(() => expectCookie(THEME, "theme").toHaveSameSite("Strict"))).toContain(
      'cookie "theme": expected SameSite=Strict, got SameSite=Lax',
    );
    expect(failure(() => expectCookie(THEME, "theme").toHavePath("/"))).toContain(
      "expected Path=/, got Path=/prefs",
    );
    expect(failure(() => expectCookie(THEME, "theme").toHaveMaxAge(60))).toContain(
      "expected Max-Age=60, got no Max-Age",
    );
  });

  it("a negated assertion", () => {
    expect(failure(() => expectCookie(SESSION, "sessionId").not.toBeHttpOnly())).toContain(
      'cookie "sessionId": expected no HttpOnly, got HttpOnly',
    );
  });

  it("an absent cookie lists what the response did set", () => {
    expect(failure(() => expectCookie([SESSION, THEME], "csrf").toBeSecure())).toBe(
      'cookie "csrf": expected Secure, got no Set-Cookie for it (the response sets: sessionId, theme)',
    );
    expect(failure(() => expectCookie([], "csrf").toBePresent())).toBe(
      'cookie "csrf": expected a Set-Cookie for it, got no Set-Cookie for it (the response sets no cookies)',
    );
    expect(failure(() => expectCookie(SESSION, "sessionId").toBeAbsent())).toBe(
      `cookie "sessionId": expected no Set-Cookie for it, got ${SESSION}`,
    );
  });

  it(".not applies to the next assertion only", () => {
    expect(failure(() => expectCookie(THEME, "theme").not.toBeSecure().toBeHttpOnly())).toContain(
      "expected HttpOnly, got none",
    );
  });
});
