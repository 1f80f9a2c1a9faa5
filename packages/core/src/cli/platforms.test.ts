/**
 * `cookie-policy init --platform NAME` writes what docs/deployment.md tells a user to write
 * for that platform (its recipe's production `proxy`), and what it writes is a valid policy
 * that believes the platform's proxy and only it.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createCookiePolicy } from "../engine.js";
import type { PolicyFile } from "../types.js";
import { main } from "./main.js";
import { NEXT_PLATFORM, PLATFORMS, type Platform } from "./platforms.js";

const docs = readFileSync(
  fileURLToPath(new URL("../../../../docs/deployment.md", import.meta.url)),
  "utf8",
);

/** The first policy block of a `## ` section of docs/deployment.md. */
function recipe(heading: string): PolicyFile {
  const start = docs.indexOf(`\n## ${heading}\n`);
  if (start === -1) throw new Error(`docs/deployment.md has no section "${heading}"`);
  const end = docs.indexOf("\n## ", start + 1);
  const section = docs.slice(start, end === -1 ? undefined : end);
  const block = /```json policy[^\n]*\n([\s\S]*?)```/.exec(section);
  if (block === null) throw new Error(`"${heading}" has no policy block`);
  return JSON.parse(block[1] as string) as PolicyFile;
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function cli(argv: string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), cwd });
  return { code, out, err };
}

async function initIn(args: string[]): Promise<{ dir: string; written: PolicyFile }> {
  const dir = mkdtempSync(join(tmpdir(), "cookie-policy-platform-"));
  dirs.push(dir);
  const result = await cli(["init", ...args], dir);
  expect(result.code, result.err.join("\n")).toBe(0);
  return { dir, written: JSON.parse(readFileSync(join(dir, "cookie-policy.json"), "utf8")) };
}

describe("init --platform NAME", () => {
  it.each(Object.entries(PLATFORMS))("%s: the proxy settings of its docs recipe", (_, platform) => {
    const production = recipe(platform.docs).profiles?.production?.proxy;
    expect({ trust: platform.trust, headers: platform.headers }).toEqual(production);
  });

  it("next (and --next): the hop count of the Vercel recipe, since Next gives no peer address", () => {
    expect({ trust: NEXT_PLATFORM.trust, headers: NEXT_PLATFORM.headers }).toEqual(
      recipe("Vercel").profiles?.production?.proxy,
    );
  });

  const cases: Array<[string, string[], Platform]> = [
    ...Object.entries(PLATFORMS).map(([name, platform]): [string, string[], Platform] => [
      name,
      ["--platform", name],
      platform,
    ]),
    ["next", ["--next"], NEXT_PLATFORM],
  ];
  it.each(cases)(
    "%s: check accepts the file; production believes the platform's proxy, development none",
    async (name, args, platform) => {
      const { dir, written } = await initIn(args);
      const checked = await cli(["check"], dir);
      expect(checked.code).toBe(0);
      expect(checked.out[0]).toMatch(/^valid: /);
      expect(written.proxy).toEqual({ trust: platform.trust, headers: platform.headers });
      const trust = written.proxy?.trust;
      // A request as the platform delivers it: from its proxy (or, for hop counts, any peer).
      const peer = Array.isArray(trust) ? (trust[0] as string).replace(/\/\d+$/, "") : undefined;
      const req = {
        encrypted: false,
        peer,
        headers: {
          host: "www.example.com",
          "x-forwarded-for": "203.0.113.9",
          "x-forwarded-proto": "https",
          ...(name === "cloudflare" ? { "cf-visitor": '{"scheme":"https"}' } : {}),
        },
        method: "GET",
        url: "/",
      };
      const decide = (env: string) =>
        createCookiePolicy(written, { env, onReport: () => {} }).decideRequest(req).transport;
      expect(decide("production")).toMatchObject({ secure: true, clientAddress: "203.0.113.9" });
      expect(decide("development")).toMatchObject({ secure: false, source: "socket" });
    },
  );

  it("without --platform: a proxy on this host, at 127.0.0.1 or ::1, and check has nothing to say", async () => {
    const { dir, written } = await initIn([]);
    expect(written.proxy).toEqual({
      trust: ["127.0.0.1", "::1"],
      headers: ["x-forwarded-for", "x-forwarded-proto"],
    });
    expect((await cli(["check"], dir)).out).toEqual(["valid: 0 warnings"]);
  });

  it("an unknown platform is a usage error with a did-you-mean", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cookie-policy-platform-"));
    dirs.push(dir);
    const result = await cli(["init", "--platform", "ngnix"], dir);
    expect(result.code).toBe(2);
    expect(result.err[0]).toMatch(/^error: unknown platform "ngnix" \(did you mean "nginx"\?\)/);
    expect((await cli(["init", "--next", "--platform", "nginx"], dir)).code).toBe(2);
  });
});
