import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { type PolicyFile, PolicyLoadError } from "../types.js";
import { resolveProfile } from "./resolve.js";

const ENV_VARS = ["COOKIE_POLICY_ENV", "NODE_ENV"] as const;
let saved: Record<string, string | undefined> = {};

beforeEach(() => {
  saved = Object.fromEntries(ENV_VARS.map((k) => [k, process.env[k]]));
  for (const k of ENV_VARS) delete process.env[k];
});
afterEach(() => {
  for (const k of ENV_VARS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

/** SPEC §2.1's built-in base in its words, one setting a row: stated here, not copied from the resolver. */
const SPEC_BASE: Array<[string, unknown]> = [
  ["proxy.trust", false],
  ["proxy.headers", ["x-forwarded-for", "x-forwarded-proto"]],
  ["https.redirect", false],
  ["https.hsts", false],
  ["localhost", "insecure"],
  ["mode", "enforce"],
  ["defaults.secure", "auto"],
  ["defaults.httpOnly", false],
  ["defaults.sameSite", "lax"],
  ["defaults.path", "/"],
  ["defaults.onInsecure", "drop"],
  ["sensitive.secure", "always"],
  ["sensitive.httpOnly", true],
  ["sensitive.sameSite", "lax"],
  [
    "sensitive.patterns",
    ["session", "sess", "sid", "token", "auth", "jwt", "remember", "csrf", "xsrf"],
  ],
  ["cookies", {}],
];

/** A resolved profile's settings as `section.key` (or the section, when it is not an object of settings). */
function settingNames(profile: object): string[] {
  return Object.entries(profile).flatMap(([section, value]) =>
    typeof value === "object" && value !== null && !Array.isArray(value) && section !== "cookies"
      ? Object.keys(value).map((key) => `${section}.${key}`)
      : [section],
  );
}

describe("resolveProfile(policy, env?): built-in layers", () => {
  test("an empty file resolves to the built-in base in production", () => {
    const { env, requestedEnv, profile, diagnostics } = resolveProfile({}, "production");
    expect({ env, requestedEnv, diagnostics }).toEqual({
      env: "production",
      requestedEnv: "production",
      diagnostics: [],
    });
    expect(settingNames(profile).sort()).toEqual(SPEC_BASE.map(([name]) => name).sort());
  });

  test.each(SPEC_BASE)("the built-in base's %s is %j", (setting, value) => {
    const { profile } = resolveProfile({}, "production");
    const [section, key] = setting.split(".") as [keyof typeof profile, string | undefined];
    const found =
      key === undefined ? profile[section] : (profile[section] as Record<string, unknown>)[key];
    expect(found).toEqual(value);
  });

  test.each(["development", "test"])(
    "built-in %s relaxes sensitive.secure to auto only",
    (name) => {
      const { env, profile } = resolveProfile({}, name);
      expect(env).toBe(name);
      expect(profile.sensitive.secure).toBe("auto");
      expect(profile.sensitive.httpOnly).toBe(true);
      expect(profile.defaults.secure).toBe("auto");
    },
  );

  test("the file's top level overrides the built-in profile of the active name", () => {
    const { profile } = resolveProfile({ sensitive: { secure: "always" } }, "development");
    expect(profile.sensitive.secure).toBe("always");
  });

  test("results do not share arrays with the input or with the built-ins", () => {
    const policy: PolicyFile = { proxy: { trust: ["loopback"] } };
    const a = resolveProfile(policy, "production").profile;
    (a.proxy.trust as string[]).push("10.0.0.0/8");
    a.sensitive.patterns.push("mine");
    expect(policy.proxy?.trust).toEqual(["loopback"]);
    expect(resolveProfile({}, "production").profile.sensitive.patterns).not.toContain("mine");
  });
});

describe("resolveProfile(policy, env?): merge rules", () => {
  test("objects merge key by key, later layers winning", () => {
    const { profile } = resolveProfile(
      {
        defaults: { httpOnly: true, maxAge: 60 },
        profiles: { production: { defaults: { sameSite: "strict", maxAge: 120 } } },
      },
      "production",
    );
    expect(profile.defaults).toEqual({
      secure: "auto",
      httpOnly: true,
      sameSite: "strict",
      path: "/",
      onInsecure: "drop",
      maxAge: 120,
    });
  });

  test("arrays replace, they do not concatenate", () => {
    const { profile } = resolveProfile(
      {
        proxy: { trust: ["loopback"], headers: ["forwarded"] },
        sensitive: { patterns: ["sid"] },
        profiles: { production: { proxy: { trust: ["10.0.0.0/8"] } } },
      },
      "production",
    );
    expect(profile.proxy.trust).toEqual(["10.0.0.0/8"]);
    expect(profile.proxy.headers).toEqual(["forwarded"]);
    expect(profile.sensitive.patterns).toEqual(["sid"]);
  });

  test("scalars replace whatever type was there (a list by false, a hop count by a list)", () => {
    const policy: PolicyFile = {
      proxy: { trust: ["loopback"] },
      profiles: { development: { proxy: { trust: false } }, production: { proxy: { trust: 2 } } },
    };
    expect(resolveProfile(policy, "development").profile.proxy.trust).toBe(false);
    expect(resolveProfile(policy, "production").profile.proxy.trust).toBe(2);
  });

  test("cookies rules merge by name and, within a rule, key by key", () => {
    const { profile } = resolveProfile(
      {
        cookies: { sessionId: { sensitive: true, maxAge: 3600 }, theme: { httpOnly: false } },
        profiles: { production: { cookies: { sessionId: { maxAge: 600 }, lang: {} } } },
      },
      "production",
    );
    expect(profile.cookies).toEqual({
      sessionId: { sensitive: true, maxAge: 600 },
      theme: { httpOnly: false },
      lang: {},
    });
  });

  test("redirect: true and hsts: true become complete settings", () => {
    const { profile } = resolveProfile({ https: { redirect: true, hsts: true } }, "production");
    expect(profile.https).toEqual({
      redirect: { status: 308, hosts: [], exclude: [], port: 443 },
      hsts: { maxAge: 31536000, includeSubDomains: false, preload: false },
    });
  });

  test("partial redirect and hsts objects are filled with the defaults", () => {
    const { profile } = resolveProfile(
      { https: { redirect: { hosts: ["example.com"] }, hsts: { includeSubDomains: true } } },
      "production",
    );
    expect(profile.https).toEqual({
      redirect: { status: 308, hosts: ["example.com"], exclude: [], port: 443 },
      hsts: { maxAge: 31536000, includeSubDomains: true, preload: false },
    });
  });

  test("a redirect object merges over an earlier one; false switches it off", () => {
    const policy: PolicyFile = {
      https: { redirect: { status: 301, hosts: ["a.example"] } },
      profiles: {
        production: { https: { redirect: { port: 8443 } } },
        development: { https: { redirect: false } },
      },
    };
    expect(resolveProfile(policy, "production").profile.https.redirect).toEqual({
      status: 301,
      hosts: ["a.example"],
      exclude: [],
      port: 8443,
    });
    expect(resolveProfile(policy, "development").profile.https.redirect).toBe(false);
  });

  test("undefined values in a definePolicy object never overwrite", () => {
    const { profile } = resolveProfile(
      { mode: "report-only", profiles: { production: { mode: undefined } } },
      "production",
    );
    expect(profile.mode).toBe("report-only");
  });
});

describe("resolveProfile(policy, env?): extends", () => {
  test("parents apply first, the child last", () => {
    const policy: PolicyFile = {
      profiles: {
        base: { mode: "report-only", localhost: "secure-context", defaults: { maxAge: 10 } },
        middle: { extends: "base", mode: "enforce", defaults: { httpOnly: true } },
        leaf: { extends: "middle", defaults: { maxAge: 20 } },
      },
    };
    const { env, profile } = resolveProfile(policy, "leaf");
    expect(env).toBe("leaf");
    expect(profile.mode).toBe("enforce");
    expect(profile.localhost).toBe("secure-context");
    expect(profile.defaults).toMatchObject({ maxAge: 20, httpOnly: true });
  });

  test("the file's top level sits under every profile of the chain", () => {
    const { profile } = resolveProfile(
      { mode: "report-only", profiles: { a: { mode: "enforce" }, b: { extends: "a" } } },
      "b",
    );
    expect(profile.mode).toBe("enforce");
  });

  test("SPEC's test profile extends development", () => {
    const policy: PolicyFile = {
      sensitive: { secure: "always" },
      profiles: {
        development: { proxy: { trust: false }, sensitive: { secure: "auto" } },
        test: { extends: "development" },
      },
    };
    const { profile } = resolveProfile(policy, "test");
    expect(profile.sensitive.secure).toBe("auto");
    expect(profile.proxy.trust).toBe(false);
  });

  test("extending a built-in profile the file does not define brings its built-in settings", () => {
    const { profile } = resolveProfile(
      { profiles: { staging: { extends: "development" } } },
      "staging",
    );
    expect(profile.sensitive.secure).toBe("auto");
  });

  test("a cycle is a PolicyLoadError naming the extends", () => {
    const policy: PolicyFile = { profiles: { a: { extends: "b" }, b: { extends: "a" } } };
    expect(() => resolveProfile(policy, "a")).toThrow(PolicyLoadError);
    try {
      resolveProfile(policy, "a");
    } catch (error) {
      expect((error as PolicyLoadError).issues).toEqual([
        { path: "/profiles/b/extends", message: "extends cycle: a → b → a" },
      ]);
    }
  });

  test("an unknown extends target is a PolicyLoadError", () => {
    expect(() => resolveProfile({ profiles: { a: { extends: "nope" } } }, "a")).toThrow(
      /\/profiles\/a\/extends: unknown profile "nope"/,
    );
  });
});

describe("resolveProfile(policy, env?): choosing the environment", () => {
  const policy: PolicyFile = {
    profiles: { staging: { mode: "report-only" }, production: { localhost: "secure-context" } },
  };

  test("explicit env wins over COOKIE_POLICY_ENV and NODE_ENV", () => {
    process.env.COOKIE_POLICY_ENV = "development";
    process.env.NODE_ENV = "test";
    expect(resolveProfile(policy, "staging").env).toBe("staging");
  });

  test("COOKIE_POLICY_ENV wins over NODE_ENV", () => {
    process.env.COOKIE_POLICY_ENV = "staging";
    process.env.NODE_ENV = "development";
    expect(resolveProfile(policy).env).toBe("staging");
  });

  test("NODE_ENV is used when COOKIE_POLICY_ENV is not set (or empty)", () => {
    process.env.COOKIE_POLICY_ENV = "";
    process.env.NODE_ENV = "development";
    expect(resolveProfile(policy).env).toBe("development");
  });

  test("production when nothing is set", () => {
    const result = resolveProfile(policy);
    expect(result.env).toBe("production");
    expect(result.requestedEnv).toBe("production");
    expect(result.profile.localhost).toBe("secure-context");
  });

  test("an unknown name is fail-closed: production applies and ENV_UNKNOWN names the request", () => {
    process.env.NODE_ENV = "developement";
    const result = resolveProfile(policy);
    expect(result.env).toBe("production");
    expect(result.requestedEnv).toBe("developement");
    expect(result.profile).toEqual(resolveProfile(policy, "production").profile);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]?.code).toBe("ENV_UNKNOWN");
    expect(result.diagnostics[0]?.message).toContain('"developement"');
    expect(result.diagnostics[0]?.message).toContain('did you mean "development"?');
  });

  test("works where there is no process at all (edge runtimes)", () => {
    const real = globalThis.process;
    // biome-ignore lint/suspicious/noExplicitAny: simulating a runtime without `process`
    (globalThis as any).process = undefined;
    try {
      expect(resolveProfile(policy).env).toBe("production");
    } finally {
      globalThis.process = real;
    }
  });
});

describe("resolveProfile(policy, env?): Secure conflicts of the active profile", () => {
  test("throws at the rule's pointer when never meets a Secure requirement", () => {
    const policy: PolicyFile = { cookies: { "__Secure-x": { secure: "never" } } };
    expect(() => resolveProfile(policy, "production")).toThrow(
      /\/cookies\/__Secure-x\/secure: secure "never" conflicts with its name prefix/,
    );
  });

  test("only the active profile's rules count", () => {
    const policy: PolicyFile = {
      profiles: { development: { cookies: { x: { secure: "never", sameSite: "none" } } } },
    };
    expect(resolveProfile(policy, "production").env).toBe("production");
    expect(() => resolveProfile(policy, "development")).toThrow(
      /\/profiles\/development\/cookies\/x\/secure/,
    );
  });
});
