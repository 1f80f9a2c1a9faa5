import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const suite = fileURLToPath(new URL("./fixtures/node-test-suite.mjs", import.meta.url));
const built = fileURLToPath(new URL("../../dist/testing.js", import.meta.url));

/** Runs the fixture under `node --test`, as a user's CI would. */
function nodeTest(env: Record<string, string>): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--test", "--test-reporter=tap", suite],
      { env: { ...process.env, ...env } },
      (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
    );
  });
}

describe("@scope/cookie-core/testing under node:test (the built entry, imported by package name)", () => {
  it("is built and imports nothing from node: (edge runtimes can load it)", () => {
    expect(existsSync(built)).toBe(true);
    for (const file of [built, built.replace(/\.js$/, ".cjs")])
      expect(readFileSync(file, "utf8")).not.toMatch(/(from\s*|require\()["']node:/);
  });

  it("a passing suite exits 0", async () => {
    const { code, stdout } = await nodeTest({ COOKIE_TESTING_BREAK: "0" });
    expect(stdout).toMatch(/^# pass 1$/m);
    expect(code).toBe(0);
  });

  it("a failing assertion fails the node:test run with the cookie, attribute and what was found", async () => {
    const { code, stdout } = await nodeTest({ COOKIE_TESTING_BREAK: "1" });
    expect(stdout).toMatch(/^# fail 1$/m);
    expect(stdout).toContain(
      `error: 'cookie "sessionId": expected Secure, got none (Set-Cookie: sessionId=abc; Max-Age=3600; Path=/; HttpOnly; SameSite=Strict)'`,
    );
    expect(code).toBe(1);
  });
});
