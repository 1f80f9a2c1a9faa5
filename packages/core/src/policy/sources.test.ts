import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { compilePlans, SETTING_KEYS } from "../cookie/plan.js";
import { SPEC_POLICY } from "../spec-example.fixture.js";
import type { CookieSettings, PolicyFile } from "../types.js";
import { resolveProfile } from "./resolve.js";
import { formatSettingPath, policySources } from "./sources.js";

const inFile = (path: string[], value: unknown) => ({ path, builtIn: null, value });

describe("policySources(policy, env).cookie(name): the setting that decided each attribute", () => {
  test("development: sessionId's secure is the development profile's sensitive.secure", () => {
    const sessionId = policySources(SPEC_POLICY, "development").cookie("sessionId");
    expect(sessionId.secure).toEqual(
      inFile(["profiles", "development", "sensitive", "secure"], "auto"),
    );
    expect(sessionId.httpOnly).toEqual(inFile(["sensitive", "httpOnly"], true));
    expect(sessionId.sameSite).toEqual(inFile(["sensitive", "sameSite"], "strict"));
    expect(sessionId.maxAge).toEqual(inFile(["cookies", "sessionId", "maxAge"], 3600));
    expect(sessionId.path).toEqual(inFile(["defaults", "path"], "/"));
    expect(sessionId.domain).toBeUndefined();
  });

  test("a profile that extends development gets development's setting, named where it is written", () => {
    const { env, cookie } = policySources(SPEC_POLICY, "test");
    expect(env).toBe("test");
    expect(cookie("sessionId").secure?.path).toEqual([
      "profiles",
      "development",
      "sensitive",
      "secure",
    ]);
  });

  test("production: the file's top-level sensitive.secure; a cookie that is not sensitive gets defaults and its rule", () => {
    const sources = policySources(SPEC_POLICY, "production");
    expect(sources.cookie("sessionId").secure).toEqual(inFile(["sensitive", "secure"], "always"));
    const theme = sources.cookie("theme");
    expect(theme.secure).toEqual(inFile(["defaults", "secure"], "auto"));
    expect(theme.httpOnly).toEqual(inFile(["cookies", "theme", "httpOnly"], false));
    expect(theme.sameSite).toEqual(inFile(["defaults", "sameSite"], "lax"));
  });

  test("a glob rule is named by its glob; a name matching a sensitive pattern gets the sensitive layer", () => {
    const sources = policySources(SPEC_POLICY, "production");
    expect(sources.cookie("__Host-token").secure).toEqual(
      inFile(["sensitive", "secure"], "always"),
    );
    expect(sources.cookie("csrf_token").sameSite).toEqual(
      inFile(["sensitive", "sameSite"], "strict"),
    );
    expect(formatSettingPath(["cookies", "__Host-*", "sensitive"])).toBe(
      'cookies["__Host-*"].sensitive',
    );
  });

  test("what the file does not write comes from the built-in layers", () => {
    expect(policySources({}, "development").cookie("sessionId").secure).toEqual({
      path: ["sensitive", "secure"],
      builtIn: "development",
      value: "auto",
    });
    expect(policySources({}, "production").cookie("sessionId").secure).toEqual({
      path: ["sensitive", "secure"],
      builtIn: "base",
      value: "always",
    });
  });

  test("an unknown profile is production, as in the engine", () => {
    const sources = policySources(SPEC_POLICY, "prodution");
    expect(sources.env).toBe("production");
    expect(sources.cookie("sessionId").secure?.path).toEqual(["sensitive", "secure"]);
  });
});

describe("policySources(policy, env).setting(path): where a profile setting was last written", () => {
  test("HSTS and trust name the profile that set them", () => {
    const production = policySources(SPEC_POLICY, "production");
    expect(production.setting(["https", "hsts"])).toEqual(
      inFile(["profiles", "production", "https", "hsts"], {
        maxAge: 31536000,
        includeSubDomains: true,
        preload: false,
      }),
    );
    expect(production.setting(["proxy", "trust"])).toEqual(
      inFile(["profiles", "production", "proxy", "trust"], ["loopback", "10.0.0.0/8"]),
    );
    const development = policySources(SPEC_POLICY, "development");
    expect(development.setting(["https", "hsts"])).toEqual(inFile(["https", "hsts"], false));
    expect(development.setting(["proxy", "trust"])).toEqual(
      inFile(["profiles", "development", "proxy", "trust"], false),
    );
  });

  test("a scalar replacing an object takes the object's settings with it", () => {
    const sources = policySources(
      {
        https: { redirect: { status: 301, hosts: ["example.com"] } },
        profiles: { staging: { https: { redirect: false } } },
      },
      "staging",
    );
    expect(sources.setting(["https", "redirect"])).toEqual(
      inFile(["profiles", "staging", "https", "redirect"], false),
    );
    expect(sources.setting(["https", "redirect", "status"])).toBeUndefined();
  });

  test("what it gives is frozen", () => {
    const source = policySources(SPEC_POLICY, "production").setting(["proxy", "trust"]);
    expect(Object.isFrozen(source)).toBe(true);
    expect(Object.isFrozen(source?.value)).toBe(true);
    expect(Object.isFrozen(source?.path)).toBe(true);
  });
});

describe("policySources agrees with the engine's own merge", () => {
  const settings = fc.record(
    {
      secure: fc.constantFrom("always", "auto", "never"),
      httpOnly: fc.boolean(),
      sameSite: fc.constantFrom("strict", "lax"),
      path: fc.constantFrom("/", "/app", "/a/b"),
      maxAge: fc.integer({ min: 1, max: 1_000_000 }),
      onInsecure: fc.constantFrom("drop", "error", "set"),
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<CookieSettings>;
  const rule = fc.record(
    {
      secure: fc.constantFrom("always", "auto"),
      httpOnly: fc.boolean(),
      maxAge: fc.integer({ min: 1, max: 1_000_000 }),
      sensitive: fc.boolean(),
    },
    { requiredKeys: [] },
  );
  const cookies = fc.dictionary(fc.constantFrom("sid", "theme", "a*", "a_*", "*token"), rule, {
    maxKeys: 3,
  });
  const layer = fc.record(
    {
      proxy: fc.record({ trust: fc.oneof(fc.boolean(), fc.nat(3), fc.constant(["loopback"])) }),
      localhost: fc.constantFrom("insecure", "secure-context"),
      defaults: settings,
      sensitive: settings,
      cookies,
    },
    { requiredKeys: [] },
  );
  const policy = fc
    .record({
      top: layer,
      development: fc.option(layer, { nil: undefined }),
      staging: fc.option(layer, { nil: undefined }),
      stagingExtends: fc.constantFrom(undefined, "development", "production"),
    })
    .map(({ top, development, staging, stagingExtends }): PolicyFile => {
      const profiles: NonNullable<PolicyFile["profiles"]> = {};
      if (development) profiles.development = development as PolicyFile;
      if (staging || stagingExtends) {
        profiles.staging = { ...(staging as PolicyFile), extends: stagingExtends };
      }
      return { ...(top as PolicyFile), profiles };
    });
  const env = fc.constantFrom("development", "test", "staging", "production");
  const name = fc.constantFrom("sid", "theme", "abc", "a_b", "csrf_token", "sessionId", "x");
  test("every attribute's named value is the one the cookie floor resolved", () => {
    fc.assert(
      fc.property(policy, env, name, (file, envName, cookieName) => {
        let floor: Record<string, unknown>;
        try {
          floor = compilePlans(resolveProfile(file, envName).profile)(cookieName)
            .floor as unknown as Record<string, unknown>;
        } catch {
          // a policy the engine refuses (a `never` rule meeting a requirement): so do the sources
          expect(() => policySources(file, envName)).toThrow();
          return;
        }
        const sources = policySources(file, envName).cookie(cookieName);
        for (const key of SETTING_KEYS) {
          // the floor reads an unset boolean as false; nothing else is resolved without a source
          if (sources[key] === undefined) expect([undefined, false]).toContain(floor[key]);
          else expect(sources[key]?.value).toEqual(floor[key]);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test("every profile setting's named value is the one the profile resolved", () => {
    fc.assert(
      fc.property(policy, env, (file, envName) => {
        const { profile } = resolveProfile(file, envName);
        const sources = policySources(file, envName);
        expect(sources.setting(["proxy", "trust"])?.value).toEqual(profile.proxy.trust);
        expect(sources.setting(["localhost"])?.value).toEqual(profile.localhost);
        expect(sources.setting(["sensitive", "patterns"])?.value).toEqual(
          profile.sensitive.patterns,
        );
      }),
      { numRuns: 2000 },
    );
  });
});
