/**
 * The benchmarks start and print their figures (`pnpm bench` runs them at full length; no
 * figure is checked here: a timed test would only measure the machine running it).
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const bench = (name) => fileURLToPath(new URL(`../bench/${name}`, import.meta.url));

describe("pnpm bench", () => {
  it("in-process: prints A/N for realistic, then repeated traffic, Hono's setCookie included", async () => {
    const { stdout } = await run(process.execPath, [
      bench("in-process.bench.mjs"),
      ...["--framework", "hono,koa", "--rounds", "3", "--repeated-rounds", "3", "--warmup", "2"],
    ]);
    const realistic = stdout.indexOf("Realistic traffic");
    const repeated = stdout.indexOf("Repeated traffic");
    expect(realistic).toBeGreaterThan(-1);
    expect(repeated).toBeGreaterThan(realistic);
    const ratioRow = /^(hono|hono \(D\)|koa) +\| [\d.]+ \/ [\d.]+ \/ [\d.]+ +\| \d\.\d{3} \[/gm;
    const rows = (text) => [...text.matchAll(ratioRow)].map((m) => m[1]);
    expect(rows(stdout.slice(realistic, repeated))).toEqual(["hono", "hono (D)", "koa"]);
    expect(rows(stdout.slice(repeated))).toEqual(["hono", "hono (D)", "koa"]);
    // Every variant sent the policy's cookie, Secure: the proxy said https.
    expect(stdout).toMatch(
      /hono decided: +sessionId Max-Age=3600 Path=\/ HttpOnly=true Secure=true SameSite=strict/,
    );
    expect(stdout).toMatch(/koa native: +sessionId .* Secure=true SameSite=strict/);
  });

  it("heap: prints the heap after GC at the start and the end of distinct requests", async () => {
    const { stdout } = await run(process.execPath, [
      bench("heap.bench.mjs"),
      "--requests",
      "20000",
    ]);
    expect(stdout).toMatch(/heapUsed after GC: \d+ KB warmed up, \d+ KB at the end/);
    expect(stdout).toMatch(/20000 of 20000 decided Secure/);
  });
});
