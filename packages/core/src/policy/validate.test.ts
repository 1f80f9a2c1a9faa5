import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { SPEC_POLICY } from "../spec-example.fixture.js";
import { type PolicyIssue, PolicyLoadError } from "../types.js";
import { definePolicy } from "./schema.js";
import { parsePolicyText, validatePolicy } from "./validate.js";

/** The issues a load fails with (fails the test when it loads). */
function issuesOf(load: () => unknown): PolicyIssue[] {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyLoadError);
    return [...(error as PolicyLoadError).issues];
  }
  throw new Error("expected the policy to be rejected");
}

/** SPEC §2's example, with its `$schema` line, as a user writes the file. */
const SPEC_EXAMPLE = {
  $schema: "./node_modules/@scope/cookie-core/schema.json",
  ...SPEC_POLICY,
};

describe("validatePolicy(input, source?)", () => {
  test("accepts SPEC §2's example unchanged", () => {
    expect(validatePolicy(SPEC_EXAMPLE)).toEqual(SPEC_EXAMPLE);
  });

  test("accepts an empty policy (everything built in)", () => {
    expect(validatePolicy({})).toEqual({});
  });

  test("names SPEC's bad trust entry at its JSON pointer, in SPEC's words", () => {
    const issues = issuesOf(() =>
      validatePolicy({
        profiles: { production: { proxy: { trust: ["loopback", "10.0.0.1", "10.0.0.0/33"] } } },
      }),
    );
    expect(issues).toEqual([
      {
        path: "/profiles/production/proxy/trust/2",
        message: '"10.0.0.0/33" is not an IP address or CIDR range',
      },
    ]);
  });

  test("rejects an unknown key with the nearest known key as a hint", () => {
    expect(issuesOf(() => validatePolicy({ sensitve: {} }))).toEqual([
      { path: "/sensitve", message: 'unknown key "sensitve" (did you mean "sensitive"?)' },
    ]);
    expect(issuesOf(() => validatePolicy({ proxy: { tust: 1 } }))[0]?.message).toBe(
      'unknown key "tust" (did you mean "trust"?)',
    );
    expect(
      issuesOf(() => validatePolicy({ profiles: { p: { cookies: { a: { httponly: true } } } } })),
    ).toEqual([
      {
        path: "/profiles/p/cookies/a/httponly",
        message: 'unknown key "httponly" (did you mean "httpOnly"?)',
      },
    ]);
  });

  test("gives no hint when no known key is close", () => {
    expect(issuesOf(() => validatePolicy({ frobnicate: 1 }))).toEqual([
      { path: "/frobnicate", message: 'unknown key "frobnicate"' },
    ]);
  });

  test("extends is a profile key, not a top-level one; $schema is top-level only", () => {
    expect(issuesOf(() => validatePolicy({ extends: "production" }))[0]?.path).toBe("/extends");
    expect(issuesOf(() => validatePolicy({ profiles: { p: { $schema: "x" } } }))[0]?.path).toBe(
      "/profiles/p/$schema",
    );
  });

  test("reports every issue at once, each at its own pointer", () => {
    const issues = issuesOf(() =>
      validatePolicy({
        mode: "audit",
        defaults: { sameSite: "Strict", maxAge: -1, path: "nope" },
        https: { redirect: { status: 303, hots: [] }, hsts: "yes" },
        cookies: { "bad name": {}, ok: { secure: true } },
      }),
    );
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(Object.keys(byPath).sort()).toEqual(
      [
        "/mode",
        "/defaults/sameSite",
        "/defaults/maxAge",
        "/defaults/path",
        "/https/redirect/status",
        "/https/redirect/hots",
        "/https/hsts",
        "/cookies/bad name",
        "/cookies/ok/secure",
      ].sort(),
    );
    expect(byPath["/mode"]).toBe('must be "enforce" or "report-only" (got "audit")');
    expect(byPath["/defaults/sameSite"]).toContain('(did you mean "strict"?)');
    expect(byPath["/defaults/maxAge"]).toBe("must be at least 0 (got -1)");
    expect(byPath["/https/redirect/status"]).toBe("must be 301, 302, 307 or 308 (got 303)");
    expect(byPath["/https/redirect/hots"]).toBe('unknown key "hots" (did you mean "hosts"?)');
    expect(byPath["/https/hsts"]).toMatch(/^must be true, false or an object/);
    expect(byPath["/cookies/ok/secure"]).toBe('must be "always", "auto" or "never" (got true)');
    expect(byPath["/cookies/bad name"]).toMatch(/not a cookie name/);
    // Messages are the policy's words, never a validator library's.
    for (const issue of issues) expect(issue.message).not.toMatch(/Invalid input|expected one of/);
  });

  test("trust accepts false, true, a hop count and lists; rejects anything else", () => {
    for (const trust of [false, true, 0, 2, [], ["loopback", "::1", "fd00::/8", "private"]]) {
      expect(() => validatePolicy({ proxy: { trust } })).not.toThrow();
    }
    expect(issuesOf(() => validatePolicy({ proxy: { trust: "loopback" } }))[0]).toEqual({
      path: "/proxy/trust",
      message: expect.stringMatching(/^must be false, true, a number of hops, or a list/),
    });
    expect(issuesOf(() => validatePolicy({ proxy: { trust: 1.5 } }))[0]?.path).toBe("/proxy/trust");
  });

  test("escapes JSON pointer segments (RFC 6901)", () => {
    expect(issuesOf(() => validatePolicy({ profiles: { "a/b~c": { mode: 1 } } }))[0]?.path).toBe(
      "/profiles/a~1b~0c/mode",
    );
  });

  test("the root must be an object", () => {
    expect(issuesOf(() => validatePolicy([]))).toEqual([
      { path: "", message: "the policy must be an object (got a list)" },
    ]);
  });

  test("the error message names the source and every pointer", () => {
    try {
      validatePolicy({ sensitve: {}, mode: 1 }, "app/cookie-policy.json");
    } catch (error) {
      expect((error as Error).message).toMatch(/^app\/cookie-policy\.json: invalid cookie policy/);
      expect((error as Error).message).toContain("/sensitve:");
      expect((error as Error).message).toContain("/mode:");
      expect((error as PolicyLoadError).code).toBe("POLICY_INVALID");
      return;
    }
    throw new Error("expected a PolicyLoadError");
  });

  test("an extends target that does not exist is an error, with a hint", () => {
    expect(
      issuesOf(() => validatePolicy({ profiles: { staging: { extends: "prodution" } } })),
    ).toEqual([
      {
        path: "/profiles/staging/extends",
        message: 'unknown profile "prodution" (did you mean "production"?)',
      },
    ]);
  });

  test("an extends cycle is an error naming each extends in it", () => {
    const issues = issuesOf(() =>
      validatePolicy({
        profiles: { a: { extends: "b" }, b: { extends: "c" }, c: { extends: "a" } },
      }),
    );
    expect(issues.map((i) => i.path).sort()).toEqual([
      "/profiles/a/extends",
      "/profiles/b/extends",
      "/profiles/c/extends",
    ]);
    expect(issues[0]?.message).toMatch(/^extends cycle: /);
  });

  test("a self-extending profile is a cycle", () => {
    expect(issuesOf(() => validatePolicy({ profiles: { a: { extends: "a" } } }))).toEqual([
      { path: "/profiles/a/extends", message: "extends cycle: a → a" },
    ]);
  });

  test("a rule whose resolved secure is never but whose name or attributes need Secure is a load error", () => {
    const issues = issuesOf(() =>
      validatePolicy({
        defaults: { secure: "never" },
        cookies: {
          "__Secure-id": {},
          cross: { sameSite: "none" },
          chip: { partitioned: true },
          fine: {},
          autoNone: { secure: "auto", sameSite: "none" },
        },
        profiles: { production: { cookies: { "__host-*": { secure: "never" } } } },
      }),
    );
    expect(issues.map((i) => i.path).sort()).toEqual([
      "/cookies/__Secure-id/secure",
      "/cookies/chip/secure",
      "/cookies/cross/secure",
      "/profiles/production/cookies/__host-*/secure",
    ]);
    const cross = issues.find((i) => i.path === "/cookies/cross/secure");
    expect(cross?.message).toBe(
      'secure "never" (from defaults.secure) conflicts with sameSite "none", which requires Secure',
    );
  });

  test("never inherited from sensitive counts for sensitive rules only (patterns or sensitive: true)", () => {
    const policy = {
      sensitive: { secure: "never", sameSite: "none" },
      cookies: {
        sessionId: {},
        marked: { sensitive: true },
        plain: {},
        notSess: { sensitive: false },
      },
    } as const;
    const issues = issuesOf(() => validatePolicy(policy));
    expect(issues.map((i) => i.path).sort()).toEqual([
      "/cookies/marked/secure",
      "/cookies/sessionId/secure",
    ]);
    expect(issues[0]?.message).toContain("(from sensitive.secure)");
  });

  test("a conflict that only one profile creates is reported at that profile's rule", () => {
    const issues = issuesOf(() =>
      validatePolicy({
        cookies: { cross: { sameSite: "none" } },
        profiles: { development: { cookies: { cross: { secure: "never" } } } },
      }),
    );
    expect(issues).toEqual([
      {
        path: "/profiles/development/cookies/cross/secure",
        message: 'secure "never" conflicts with sameSite "none", which requires Secure',
      },
    ]);
  });

  test("definePolicy returns its argument, typed", () => {
    const policy = definePolicy({ mode: "report-only", proxy: { trust: 1 } });
    expect(validatePolicy(policy)).toEqual({ mode: "report-only", proxy: { trust: 1 } });
  });
});

describe("parsePolicyText(text, source?)", () => {
  test("parses strict JSON and validates it", () => {
    expect(parsePolicyText(JSON.stringify(SPEC_EXAMPLE, null, 2))).toEqual(SPEC_EXAMPLE);
  });

  test("tolerates a UTF-8 byte order mark", () => {
    expect(parsePolicyText('\uFEFF{"mode":"enforce"}')).toEqual({ mode: "enforce" });
  });

  test.each([
    ['{\n  "mode": "enforce",\n}', 3, 1],
    ['{\n  "proxy": {\n    "trust": tru\n  }\n}', 3, 14],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3],
    ['{"mode": "enforce"}}', 1, 20],
    ["// comment\n{}", 1, 1],
    ["{\n  'mode': 'enforce'\n}", 2, 3],
    ['{"mode": "enforce"', 1, 19],
    ["", 1, 1],
  ])("a syntax error says invalid JSON and names line and column: %j", (text, line, column) => {
    const issues = issuesOf(() => parsePolicyText(text, "cookie-policy.json"));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("");
    expect(issues[0]?.message).toMatch(
      new RegExp(`^invalid JSON at line ${line}, column ${column}: \\S`),
    );
  });

  test("a schema error after parsing still names its pointer", () => {
    expect(issuesOf(() => parsePolicyText('{"localhost": "secure"}'))).toEqual([
      {
        path: "/localhost",
        message: 'must be "insecure" or "secure-context" (got "secure")',
      },
    ]);
  });
});

describe("validatePolicy: keys that JavaScript objects treat specially", () => {
  test('a "__proto__" cookie rule or profile is refused, not silently dropped', () => {
    const issues = issuesOf(() =>
      parsePolicyText(
        '{"cookies": {"__proto__": {"secure": "always"}}, "profiles": {"__proto__": {}, "p": {"cookies": {"__proto__": {}}}}}',
      ),
    );
    expect(issues.map((i) => i.path).sort()).toEqual([
      "/cookies/__proto__",
      "/profiles/__proto__",
      "/profiles/p/cookies/__proto__",
    ]);
  });

  test("names such as constructor or toString are ordinary rules and profiles", () => {
    const policy = parsePolicyText(
      '{"cookies": {"constructor": {}}, "profiles": {"toString": {}}}',
    );
    expect(Object.keys(policy.cookies ?? {})).toEqual(["constructor"]);
    expect(Object.keys(policy.profiles ?? {})).toEqual(["toString"]);
  });
});

describe("parsePolicyText: what JSON.parse would hide", () => {
  test("a key written twice in one object is an error at its pointer, with line and column", () => {
    const text =
      '{\n  "profiles": {\n    "production": { "mode": "enforce" },\n    "production": {}\n  }\n}';
    expect(issuesOf(() => parsePolicyText(text))).toEqual([
      {
        path: "/profiles/production",
        message:
          'key "production" is written twice in the same object (again at line 4, column 5); keep one',
      },
    ]);
  });

  test("equal keys in different objects are fine; escapes are compared decoded", () => {
    expect(
      parsePolicyText('{"defaults": {"path": "/"}, "sensitive": {"path": "/"}}').sensitive,
    ).toEqual({ path: "/" });
    expect(
      issuesOf(() => parsePolicyText('{"mode": "enforce", "\\u006dode": "enforce"}'))[0]?.path,
    ).toBe("/mode");
  });

  test("absurd nesting is refused, not a stack overflow", () => {
    const deep = `{"cookies": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    expect(issuesOf(() => parsePolicyText(deep))[0]?.message).toMatch(
      /^invalid JSON at line 1, column \d+: nested deeper than 64 levels/,
    );
  });
});

describe("validatePolicy: redirect hosts", () => {
  test("names, *.wildcards and IP addresses are accepted", () => {
    expect(() =>
      validatePolicy({
        https: {
          redirect: {
            hosts: ["example.com", "*.example.com", "EXAMPLE.org", "203.0.113.7", "[::1]"],
          },
        },
      }),
    ).not.toThrow();
  });

  test("a URL, a port or a stray * is refused (it would end up in Location)", () => {
    const issues = issuesOf(() =>
      validatePolicy({
        https: {
          redirect: { hosts: ["https://example.com", "example.com:8443", "ex*ample.com", "*"] },
        },
      }),
    );
    expect(issues.map((i) => i.path)).toEqual([
      "/https/redirect/hosts/0",
      "/https/redirect/hosts/1",
      "/https/redirect/hosts/2",
      "/https/redirect/hosts/3",
    ]);
    expect(issues[0]?.message).toBe(
      '"https://example.com" is not a host: write a name (example.com), a wildcard (*.example.com) or an IP address, without scheme, port or path',
    );
  });
});

describe("validatePolicy: any input", () => {
  test("answers a PolicyLoadError or a copy of the policy, never anything else", () => {
    const value = fc.anything({ maxDepth: 2, maxKeys: 3 });
    const input = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      value.map((rule) => ({ cookies: { a: rule } })),
      value.map((profile) => ({ profiles: { p: profile } })),
    );
    fc.assert(
      fc.property(input, (input) => {
        let policy: unknown;
        try {
          policy = validatePolicy(input);
        } catch (error) {
          return error instanceof PolicyLoadError && error.issues.length > 0;
        }
        expect(policy).toEqual(input);
        return typeof input !== "object" || policy !== input;
      }),
      { numRuns: 10_000 },
    );
  });

  test("the policy given back is a copy: changing the object later changes nothing", () => {
    const input = { cookies: { sid: { maxAge: 60 } }, proxy: { trust: ["loopback"] } };
    const policy = validatePolicy(input);
    input.cookies.sid.maxAge = -1;
    input.proxy.trust.push("10.0.0.0/33");
    expect(policy).toEqual({ cookies: { sid: { maxAge: 60 } }, proxy: { trust: ["loopback"] } });
  });

  test("a key set to undefined in code is as if absent", () => {
    expect(validatePolicy({ mode: undefined, https: { redirect: undefined } })).toEqual({
      https: {},
    });
  });
});
