/**
 * The `cookie-policy` bin as a user runs it: the BUILT dist/cli.js in a child process
 * (run `pnpm --filter @scope/cookie-core build` first; turbo's test task does).
 */
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { attributesUnordered, SPEC_EXPLAIN } from "../spec-example.fixture.js";

// Each test starts node processes; on a busy machine that takes seconds.
vi.setConfig({ testTimeout: 30_000 });

const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));
const CORE_MODULES = fileURLToPath(new URL("../../node_modules/", import.meta.url));
let CLI: string;
let binDir: string;

/** SPEC §2's example policy, verbatim. */
const SPEC_POLICY = `{
  "$schema": "./node_modules/@scope/cookie-core/schema.json",
  "proxy":   { "trust": ["loopback"],
               "headers": ["x-forwarded-for", "x-forwarded-proto"] },
  "https":   { "redirect": false, "hsts": false },
  "defaults": { "secure": "auto", "httpOnly": true, "sameSite": "lax", "path": "/",
                "onInsecure": "drop" },
  "sensitive": { "secure": "always", "httpOnly": true, "sameSite": "strict",
                 "patterns": ["session", "sess", "sid", "token", "auth", "jwt", "remember"] },
  "cookies": {
    "sessionId": { "sensitive": true, "maxAge": 3600 },
    "theme":     { "httpOnly": false, "maxAge": 31536000 },
    "__Host-*":  { "sensitive": true }
  },
  "profiles": {
    "development": { "proxy": { "trust": false }, "sensitive": { "secure": "auto" } },
    "test":        { "extends": "development" },
    "production":  {
      "proxy": { "trust": ["loopback", "10.0.0.0/8"] },
      "https": {
        "redirect": { "status": 308, "hosts": ["example.com", "*.example.com"], "exclude": ["/healthz"] },
        "hsts": { "maxAge": 31536000, "includeSubDomains": true, "preload": false }
      }
    }
  }
}
`;

/** A request for http://example.com/ from 10.0.0.1, which production trusts as a proxy. */
const BEHIND_PROXY = ["--env", "production", "--url", "http://example.com/", "--peer", "10.0.0.1"];

let dir: string;

beforeAll(() => {
  if (!existsSync(join(DIST, "cli.js"))) {
    throw new Error(`${DIST}cli.js is missing: run pnpm --filter @scope/cookie-core build`);
  }
  // A private copy of the built files: a rebuild (tsup cleans dist/) during the run cannot
  // pull the binary away. It sits under core's node_modules so zod & co. resolve as from dist/.
  binDir = mkdtempSync(join(CORE_MODULES, ".cli-test-"));
  for (const file of readdirSync(DIST)) {
    if (/\.c?js$/.test(file)) cpSync(join(DIST, file), join(binDir, file));
  }
  CLI = join(binDir, "cli.js");
  dir = mkdtempSync(join(tmpdir(), "cookie-policy-cli-"));
  writeFileSync(join(dir, "cookie-policy.json"), SPEC_POLICY);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(binDir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd = dir, extraEnv: Record<string, string> = {}): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  for (const key of ["COOKIE_POLICY_ENV", "NODE_ENV"]) if (!(key in extraEnv)) delete env[key];
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function explainJson(args: string[]) {
  const result = run(["explain", "--json", ...args]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

/** A Set-Cookie value as its first pair plus a set of attributes (attribute order is free). */
function parts(header: string | null) {
  if (header === null) return null;
  const [pair, ...attributes] = header.split("; ");
  return { pair, attributes: new Set(attributes) };
}

describe("cookie-policy (usage)", () => {
  test("--help prints the commands and exits 0", () => {
    const result = run(["--help"]);
    expect(result.code).toBe(0);
    for (const command of ["init", "check", "explain", "audit"]) {
      expect(result.stdout).toContain(command);
    }
  });

  test("no command is a usage error (exit 2)", () => {
    const result = run([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: cookie-policy");
  });

  test("an unknown command is a usage error", () => {
    for (const name of ["lint", "toString"]) {
      const result = run([name]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`unknown command "${name}"`);
    }
  });

  test.each([
    [["check", "--verbose"]],
    [["explain", "--peer"]],
    [["explain", "--cookie", "a=b"]],
    [["explain", "-H", "no colon here"]],
    [["explain", "--url", "ftp://example.com/"]],
    [["explain", "--url", "not a url"]],
    [["explain", "--set", "=novalue"]],
    [["check", "--env", "a", "--env", "b"]],
    [["init", "extra"]],
    [["audit"]],
  ])("%j is a usage error (exit 2) that points to --help", (args) => {
    const result = run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: /);
    expect(result.stderr).toContain("--help");
    expect(result.stdout).toBe("");
  });

  test("each command has --help", () => {
    for (const command of ["init", "check", "explain", "audit"]) {
      const result = run([command, "--help"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: cookie-policy ${command}`);
    }
  });
});

describe("cookie-policy init", () => {
  test("writes a starter file with $schema that check accepts without warnings", () => {
    const cwd = mkdtempSync(join(tmpdir(), "cookie-policy-init-"));
    try {
      const result = run(["init"], cwd);
      expect(result.code).toBe(0);
      const written = JSON.parse(readFileSync(join(cwd, "cookie-policy.json"), "utf8"));
      expect(written.$schema).toBe("./node_modules/@scope/cookie-core/schema.json");
      const checked = run(["check"], cwd);
      expect(checked.code).toBe(0);
      expect(checked.stderr).toBe("");
      expect(checked.stdout).toBe("valid: 0 warnings\n");
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test("refuses to overwrite unless --force", () => {
    const cwd = mkdtempSync(join(tmpdir(), "cookie-policy-init-"));
    try {
      const path = join(cwd, "cookie-policy.json");
      writeFileSync(path, '{"mode":"report-only"}');
      const refused = run(["init"], cwd);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("already exists");
      expect(readFileSync(path, "utf8")).toBe('{"mode":"report-only"}');
      expect(run(["init", "--force"], cwd).code).toBe(0);
      expect(JSON.parse(readFileSync(path, "utf8")).profiles.production).toBeDefined();
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

/** Code points a terminal acts on: C0 (but the line feed), DEL, C1, bidirectional overrides. */
function unprintable(text: string): number[] {
  return [...text]
    .map((c) => c.codePointAt(0) ?? 0)
    .filter(
      (n) => (n < 0x20 && n !== 0x0a) || (n >= 0x7f && n <= 0x9f) || (n >= 0x202a && n <= 0x202e),
    );
}

describe("cookie-policy check", () => {
  /** stdout's lines: the verdict first, then the error and warning lines. */
  const lines = (result: Run) => result.stdout.split("\n").filter((l) => l !== "");

  test("SPEC's policy is valid: the verdict is the whole output, exit 0", () => {
    const result = run(["check"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(lines(result)).toEqual(["valid: 0 warnings"]);
  });

  test("--print adds the resolved profiles after the verdict", () => {
    const result = run(["check", "--print"]);
    expect(result.code).toBe(0);
    expect(lines(result)[0]).toBe("valid: 0 warnings");
    for (const name of ["development", "test", "production"]) {
      expect(result.stdout).toContain(`profile ${name}:`);
    }
    expect(result.stdout).toContain('"includeSubDomains": true');
  });

  test("--env with --print prints that profile only", () => {
    const result = run(["check", "--env", "development", "--print"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("profile development:");
    expect(result.stdout).not.toContain("profile production:");
  });

  test("an unknown --env resolves production and warns (fail-closed)", () => {
    const result = run(["check", "--env", "staging", "--print"]);
    expect(result.code).toBe(0);
    expect(lines(result)[0]).toBe("valid: 1 warning");
    expect(lines(result)[1]).toMatch(/^warning: \/profiles: unknown environment "staging"/);
    expect(result.stdout).toContain("profile production (requested: staging):");
  });

  test("an invalid policy: the verdict, then one `error: <pointer>: <message>` line per issue", () => {
    const path = write(
      "invalid.json",
      JSON.stringify({
        sensitve: { secure: "always" },
        profiles: { production: { proxy: { trust: ["loopback", "10.0.0.1", "10.0.0.0/33"] } } },
      }),
    );
    const result = run(["check", "--config", path]);
    expect(result.code).toBe(1);
    const [verdict, ...errors] = lines(result);
    expect(verdict).toBe("invalid: 2 errors");
    expect(errors.sort()).toEqual(
      [
        'error: /profiles/production/proxy/trust/2: "10.0.0.0/33" is not an IP address or CIDR range',
        'error: /sensitve: unknown key "sensitve" (did you mean "sensitive"?)',
      ].sort(),
    );
  });

  test("a Secure conflict is an error at the rule", () => {
    const path = write(
      "never.json",
      JSON.stringify({ cookies: { "__Secure-id": { secure: "never" } } }),
    );
    const result = run(["check", "--config", path]);
    expect(result.code).toBe(1);
    expect(lines(result)[0]).toBe("invalid: 1 error");
    expect(result.stdout).toMatch(/^error: \/cookies\/__Secure-id\/secure: secure "never"/m);
  });

  test("a JSON syntax error says invalid JSON with line and column", () => {
    const path = write(
      "syntax.json",
      '{\n  "mode": "enforce",\n  "proxy": { "trust": [loopback] }\n}\n',
    );
    const result = run(["check", "--config", path]);
    expect(result.code).toBe(1);
    expect(lines(result)[0]).toBe("invalid: 1 error");
    expect(lines(result)[1]).toMatch(/^error: \/: invalid JSON at line 3, column 24: /);
  });

  test("a missing file names the path and suggests init", () => {
    const result = run(["check", "--config", "nowhere.json"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(join(dir, "nowhere.json"));
    expect(result.stdout).toContain("cookie-policy init");
  });

  test("warnings are `warning: <pointer>: <message>` lines and keep exit 0", () => {
    const path = write(
      "warn.json",
      JSON.stringify({
        profiles: {
          production: { proxy: { trust: true }, https: { hsts: { maxAge: 300, preload: true } } },
          development: { localhost: "secure-context" },
        },
      }),
    );
    const result = run(["check", "--config", path]);
    expect(result.code).toBe(0);
    const [verdict, ...warnings] = lines(result);
    expect(verdict).toBe("valid: 3 warnings");
    expect(warnings.every((l) => l.startsWith("warning: "))).toBe(true);
    expect(warnings.map((l) => l.split(": ")[1]).sort()).toEqual([
      "/profiles/development/localhost",
      "/profiles/production/https/hsts/preload",
      "/profiles/production/proxy/trust",
    ]);
  });

  test("a profile named almost like a built-in one gets a did-you-mean warning", () => {
    const path = write(
      "typo.json",
      JSON.stringify({ profiles: { prodution: { https: { hsts: true } }, staging: {} } }),
    );
    const result = run(["check", "--config", path]);
    expect(result.code).toBe(0);
    expect(lines(result)).toEqual([
      "valid: 1 warning",
      expect.stringMatching(/^warning: \/profiles\/prodution: .*did you mean "production"\?/),
    ]);
  });

  test("control characters from the file are escaped in every line", () => {
    const path = write(
      "controls.json",
      JSON.stringify({
        profiles: { "prod\u001b[2J\nerror: /: forged": {}, "\u202eproduction": {} },
        cookies: { "a\u0007": {} },
      }),
    );
    for (const args of [
      ["check", "--config", path, "--print"],
      ["check", "--config", path],
    ]) {
      const result = run(args);
      const printed = result.stdout + result.stderr;
      expect(unprintable(printed)).toEqual([]);
      expect(printed.split("\n").filter((l) => l.startsWith("error: /: forged"))).toEqual([]);
    }
    const fine = write(
      "controls-valid.json",
      JSON.stringify({ profiles: { "x\u001b[31m\u0085": { extends: "production" } } }),
    );
    const printed = run(["check", "--config", fine, "--print"]);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain("\\u001b[31m");
    expect(unprintable(printed.stdout)).toEqual([]);
  });

  test("hostile files are answered with a verdict and error lines, never a crash", () => {
    const big = "x".repeat(10 * 1024 * 1024);
    const files: Record<string, string> = {
      "string-key.json": JSON.stringify({ cookies: { [big]: {} } }),
      "string-value.json": JSON.stringify({ proxy: { trust: [big] } }),
      "string-unterminated.json": `{"mode": "${big}`,
      "profile-name.json": JSON.stringify({ profiles: { [big]: {} } }),
      "deep-arrays.json": `${"[".repeat(200_000)}${"]".repeat(200_000)}`,
      "deep-objects.json": `${'{"a":'.repeat(200_000)}1${"}".repeat(200_000)}`,
      "many-keys.json": JSON.stringify({
        cookies: Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`c${i}`, {}])),
      }),
      "many-errors.json": JSON.stringify({
        cookies: Object.fromEntries(
          Array.from({ length: 5_000 }, (_, i) => [`c${i}`, { secure: "sometimes" }]),
        ),
      }),
    };
    for (const [name, text] of Object.entries(files)) {
      const result = run(["check", "--config", write(name, text)]);
      expect(result.stderr, name).toBe("");
      expect([0, 1], name).toContain(result.code);
      const [verdict, ...rest] = lines(result);
      expect(verdict, name).toMatch(/^(valid: \d+ warnings?|invalid: \d+ errors?)$/);
      for (const line of rest) {
        expect(line, name).toMatch(/^(error|warning): \//);
        expect(line.length, name).toBeLessThan(2_000);
      }
    }
  });
});

describe("cookie-policy explain", () => {
  test("hostile request input is answered, never a crash or a hang", () => {
    const chain = Array.from({ length: 5_000 }, () => "10.0.0.1").join(", ");
    const result = explainJson([
      "--env",
      "production",
      "--peer",
      "10.0.0.1",
      "-H",
      `X-Forwarded-For: ${chain}`,
      "-H",
      `Forwarded: ${"for=_x;".repeat(5_000)}`,
      "-H",
      "X-Forwarded-Proto: https",
      "--set",
      `sessionId=${"a".repeat(60_000)}`,
      "--set",
      "theme=dark; Path=/\u001b[2J",
    ]);
    // SPEC §2.2: at most 32 entries are walked; the client is then unknown.
    expect(result.transport).toMatchObject({ clientAddress: null, trustedHops: 32 });
    expect(result.cookies.map((c: { action: string }) => c.action)).toEqual(["error", "error"]);
  });

  test("SPEC §3's example: exactly its JSON object (plus mode)", () => {
    const result = explainJson([
      ...BEHIND_PROXY,
      "-H",
      "X-Forwarded-For: 203.0.113.7",
      "-H",
      "X-Forwarded-Proto: https",
      "--set",
      "sessionId=abc",
    ]);
    expect(Object.keys(result.cookies[0]).sort()).toEqual([
      "action",
      "header",
      "name",
      "reasons",
      "secure",
    ]);
    expect(attributesUnordered(result)).toEqual(attributesUnordered(SPEC_EXPLAIN));
  });

  test("an https socket behind a trusted peer: the socket's protocol stands when headers say nothing", () => {
    const result = explainJson([
      "--env",
      "production",
      "--url",
      "https://example.com/",
      "--peer",
      "10.0.0.1",
      "-H",
      "X-Forwarded-For: 203.0.113.7",
      "--set",
      "sessionId=abc",
    ]);
    expect(result.transport).toEqual({
      protocol: "https",
      secure: true,
      source: "socket",
      clientAddress: "203.0.113.7",
      host: "example.com",
      trustedHops: 1,
    });
    expect(result.cookies[0].action).toBe("set");
    expect(result.cookies[0].secure).toBe(true);
  });

  test("a plain HTTP request is redirected; its cookies are still reported", () => {
    const result = explainJson([
      "--env",
      "production",
      "--url",
      "http://www.example.com/account?tab=1",
      "--peer",
      "203.0.113.9",
      "-H",
      "X-Forwarded-Proto: https",
      "--set",
      "sessionId=abc",
      "--set",
      "theme=dark",
    ]);
    expect(result.transport.source).toBe("socket");
    expect(result.transport.protocol).toBe("http");
    expect(result.redirect).toEqual({
      status: 308,
      location: "https://www.example.com/account?tab=1",
    });
    expect(result.hsts).toBeNull();
    expect(result.cookies.map((c: { name: string; action: string }) => [c.name, c.action])).toEqual(
      [
        ["sessionId", "drop"],
        ["theme", "set"],
      ],
    );
    expect(result.cookies[0].header).toBeNull();
    expect(result.cookies[0].secure).toBe(true);
    expect(result.diagnostics.map((d: { code: string }) => d.code)).toContain(
      "TRANSPORT_UNTRUSTED_PEER",
    );
  });

  // The walk reads X-Forwarded-For from the right: the line given last names the client.
  test.each([
    ["198.51.100.1", "203.0.113.7"],
    ["203.0.113.7", "198.51.100.1"],
  ])("repeated -H values are kept in order (%s, then %s)", (first, last) => {
    const result = explainJson([
      ...BEHIND_PROXY,
      "-H",
      `X-Forwarded-For: ${first}`,
      "-H",
      `X-Forwarded-For: ${last}`,
    ]);
    expect(result.transport.clientAddress).toBe(last);
  });

  test("a Host given with -H replaces the URL's, and cannot pick the redirect target", () => {
    const result = explainJson([
      "--env",
      "production",
      "--url",
      "http://example.com/x",
      "-H",
      "Host: evil.test",
    ]);
    expect(result.transport.host).toBe("evil.test");
    expect(result.redirect).toEqual({ status: 308, location: "https://example.com/x" });
  });

  test("without --peer the peer is unknown: an address list cannot trust it", () => {
    const result = explainJson([
      "--env",
      "production",
      "--url",
      "http://example.com/",
      "-H",
      "X-Forwarded-Proto: https",
    ]);
    expect(result.transport.protocol).toBe("http");
    expect(result.transport.clientAddress).toBeNull();
    expect(result.diagnostics.map((d: { code: string }) => d.code)).toContain(
      "TRANSPORT_PEER_UNKNOWN",
    );
  });

  test("the defaults: http://localhost/, GET, the env from COOKIE_POLICY_ENV", () => {
    const result = run(["explain", "--json", "--set", "sessionId=abc"], dir, {
      COOKIE_POLICY_ENV: "development",
    });
    const json = JSON.parse(result.stdout);
    expect(json.env).toBe("development");
    expect(json.transport.host).toBe("localhost");
    expect(json.transport.protocol).toBe("http");
    expect(json.cookies[0].action).toBe("set");
    expect(json.cookies[0].secure).toBe(false);
  });

  test("an unknown --env is fail-closed: production, with ENV_UNKNOWN", () => {
    const result = explainJson(["--env", "staging", "--url", "https://example.com/"]);
    expect(result.env).toBe("production");
    expect(result.diagnostics[0].code).toBe("ENV_UNKNOWN");
    expect(result.diagnostics[0].message).toContain("staging");
  });

  test("--set attributes are the call site's options (a weakening is ignored and reported)", () => {
    const result = explainJson([
      "--env",
      "production",
      "--url",
      "https://example.com/",
      "--set",
      "theme=dark; Path=/app; SameSite=None; Secure",
    ]);
    const [theme] = result.cookies;
    expect(theme.action).toBe("set");
    expect(parts(theme.header)?.attributes).toEqual(
      new Set(["Max-Age=31536000", "Path=/app", "Secure", "SameSite=Lax"]),
    );
    expect(theme.reasons).toContain("CALLSITE_WEAKENING_IGNORED");
  });

  test("report-only prints mode and wouldBe per cookie", () => {
    const path = write("report-only.json", JSON.stringify({ mode: "report-only" }));
    const result = explainJson(["--config", path, "--env", "production", "--set", "sessionId=abc"]);
    expect(result.mode).toBe("report-only");
    expect(result.cookies[0].header).toBe("sessionId=abc");
    expect(result.cookies[0].wouldBe).toEqual({ action: "drop", secure: true, header: null });
  });

  test("--json prints exactly one JSON object", () => {
    const result = run([
      "explain",
      "--json",
      "--env",
      "production",
      "--set",
      "a=1",
      "--set",
      "b=2",
    ]);
    expect(result.code).toBe(0);
    expect(() => JSON.parse(result.stdout)).not.toThrow();
    expect(result.stdout.trim().startsWith("{")).toBe(true);
    expect(result.stdout.trim().endsWith("}")).toBe(true);
  });

  test("human output walks the hops and explains each cookie in words", () => {
    const result = run([
      "explain",
      ...BEHIND_PROXY,
      "-H",
      "X-Forwarded-For: 203.0.113.7, 10.0.0.2",
      "-H",
      "X-Forwarded-Proto: https",
      "--set",
      "sessionId=abc",
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/10\.0\.0\.1 \(peer\): trusted/);
    expect(result.stdout).toMatch(/10\.0\.0\.2 .*: trusted/);
    expect(result.stdout).toMatch(/203\.0\.113\.7 .*: not trusted, the client/);
    expect(result.stdout).toMatch(
      /Transport: https \(secure\), from the trusted X-Forwarded-Proto header/,
    );
    expect(result.stdout).toContain("HSTS: max-age=31536000; includeSubDomains");
    expect(result.stdout).toMatch(/sessionId: set with Secure/);
    expect(result.stdout).toContain('secure is "always"');
  });

  test("an invalid policy fails with error lines (exit 1)", () => {
    const path = write("bad-mode.json", JSON.stringify({ mode: "strict" }));
    const result = run(["explain", "--config", path]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: \/mode: must be "enforce" or "report-only"/m);
  });
});
