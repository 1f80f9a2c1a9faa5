import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import * as main from "./index.js";
import * as node from "./node.js";
import { loadCookiePolicy, loadPolicyFile, PolicyLoadError, type ReportEvent } from "./node.js";

let dir: string;
const savedTls = process.env.NODE_TLS_REJECT_UNAUTHORIZED;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cookie-policy-node-"));
  writeFileSync(
    join(dir, "cookie-policy.json"),
    JSON.stringify({
      cookies: { sessionId: { sensitive: true } },
      profiles: { staging: { mode: "report-only" } },
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  if (savedTls === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = savedTls;
  vi.restoreAllMocks();
});

function loadError(load: () => unknown): PolicyLoadError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyLoadError);
    return error as PolicyLoadError;
  }
  throw new Error("expected a PolicyLoadError");
}

describe("loadPolicyFile(path)", () => {
  test("reads and validates a file", () => {
    expect(loadPolicyFile(join(dir, "cookie-policy.json")).profiles?.staging?.mode).toBe(
      "report-only",
    );
  });

  test("a missing file names the path and suggests cookie-policy init", () => {
    const error = loadError(() => loadPolicyFile(join(dir, "absent.json")));
    expect(error.message).toContain(join(dir, "absent.json"));
    expect(error.message).toContain("cookie-policy init");
  });

  test("tolerates a BOM; rejects bytes that are not UTF-8", () => {
    const bom = join(dir, "bom.json");
    writeFileSync(
      bom,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"mode":"enforce"}')]),
    );
    expect(loadPolicyFile(bom)).toEqual({ mode: "enforce" });
    const latin1 = join(dir, "latin1.json");
    writeFileSync(latin1, Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d])); // {"é":1} in Latin-1
    expect(loadError(() => loadPolicyFile(latin1)).issues[0]?.message).toMatch(/not valid UTF-8/);
  });

  test("a syntax error names the file, the line and the column", () => {
    const broken = join(dir, "broken.json");
    writeFileSync(broken, '{\n  "mode": "enforce"\n  "localhost": "insecure"\n}\n');
    const error = loadError(() => loadPolicyFile(broken));
    expect(error.message).toContain(broken);
    expect(error.issues[0]?.message).toMatch(/^invalid JSON at line 3, column 3/);
  });
});

describe("loadCookiePolicy(options)", () => {
  test("reads cookie-policy.json from cwd by default", () => {
    const policy = loadCookiePolicy({ cwd: dir, env: "staging", onReport: () => {} });
    expect(policy.env).toBe("staging");
    expect(policy.mode).toBe("report-only");
  });

  test("a relative config is resolved against cwd; a missing one is a clear error", () => {
    expect(
      loadCookiePolicy({ cwd: dir, config: "cookie-policy.json", env: "production" }).env,
    ).toBe("production");
    expect(() => loadCookiePolicy({ cwd: dir, config: "nope.json" })).toThrow(/cookie-policy init/);
  });

  test("accepts a policy object and the mode override", () => {
    const policy = loadCookiePolicy({
      config: { mode: "report-only" },
      env: "development",
      mode: "enforce",
      onReport: () => {},
    });
    expect(policy.env).toBe("development");
    expect(policy.mode).toBe("enforce");
  });

  test("an invalid object is a PolicyLoadError with pointers", () => {
    const error = loadError(() => loadCookiePolicy({ config: { mode: "off" } as never }));
    expect(error.issues[0]?.path).toBe("/mode");
  });

  test("reports NODE_TLS_REJECT_UNAUTHORIZED=0 at start-up in production", () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    const events: ReportEvent[] = [];
    loadCookiePolicy({ config: {}, env: "production", onReport: (e) => events.push(e) });
    expect(events).toEqual([
      expect.objectContaining({
        code: "STARTUP_TLS_VERIFICATION_DISABLED",
        level: "warn",
        env: "production",
      }),
    ]);
    expect(events[0]?.message).toContain("NODE_TLS_REJECT_UNAUTHORIZED=0");
  });

  test("an unknown env falls back to production, so the start-up check runs too", () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    const codes: string[] = [];
    loadCookiePolicy({ config: {}, env: "prod", onReport: (e) => codes.push(e.code) });
    expect(codes.sort()).toEqual(["ENV_UNKNOWN", "STARTUP_TLS_VERIFICATION_DISABLED"]);
  });

  test("no start-up report outside production, nor when verification is on", () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    const events: ReportEvent[] = [];
    loadCookiePolicy({ config: {}, env: "development", onReport: (e) => events.push(e) });
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "1";
    loadCookiePolicy({ config: {}, env: "production", onReport: (e) => events.push(e) });
    expect(events).toEqual([]);
  });

  test("without onReport the default reporter warns once on the console", () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    loadCookiePolicy({ config: {}, env: "production" });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain("STARTUP_TLS_VERIFICATION_DISABLED");
  });
});

describe("@scope/cookie-core/node", () => {
  test("re-exports everything of the main entry", () => {
    for (const name of Object.keys(main)) expect(node).toHaveProperty(name);
  });
});
