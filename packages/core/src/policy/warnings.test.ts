import { describe, expect, test } from "vitest";
import { policyWarnings } from "./warnings.js";

describe("policyWarnings(policy)", () => {
  test("SPEC §2's kind of policy (address lists, no preload) has no warnings", () => {
    expect(
      policyWarnings({
        proxy: { trust: ["loopback"] },
        profiles: {
          production: {
            proxy: { trust: ["10.0.0.0/8"] },
            https: { hsts: { maxAge: 31536000, includeSubDomains: true, preload: false } },
          },
        },
      }),
    ).toEqual([]);
  });

  test("trust: true is spoofable, wherever it is written", () => {
    const warnings = policyWarnings({ profiles: { staging: { proxy: { trust: true } } } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.path).toBe("/profiles/staging/proxy/trust");
    expect(warnings[0]?.message).toMatch(/every peer/);
  });

  test("a hop count applies whatever the peer, even an unknown one", () => {
    const warnings = policyWarnings({ proxy: { trust: 1 } });
    expect(warnings.map((w) => w.path)).toEqual(["/proxy/trust"]);
    expect(warnings[0]?.message).toMatch(
      /whatever their addresses, even when the peer address is unknown/,
    );
    expect(policyWarnings({ proxy: { trust: 0 } })).toEqual([]);
  });

  test('localhost: "secure-context" is explained (Chromium/Firefox vs Safari)', () => {
    const [warning] = policyWarnings({
      profiles: { development: { localhost: "secure-context" } },
    });
    expect(warning?.path).toBe("/profiles/development/localhost");
    expect(warning?.message).toMatch(/Chromium and Firefox/);
    expect(warning?.message).toMatch(/Safari/);
  });

  test("HSTS preload without a year's max-age and includeSubDomains", () => {
    expect(
      policyWarnings({
        https: { hsts: { maxAge: 31536000, includeSubDomains: true, preload: true } },
      }),
    ).toEqual([]);
    const short = policyWarnings({
      profiles: {
        production: { https: { hsts: { maxAge: 86400, includeSubDomains: true, preload: true } } },
      },
    });
    expect(short.map((w) => w.path)).toEqual(["/profiles/production/https/hsts/preload"]);
    expect(short[0]?.message).toMatch(/31536000/);
    // includeSubDomains set at the top level and preload in a profile still merge before judging.
    expect(
      policyWarnings({
        https: { hsts: { includeSubDomains: true } },
        profiles: { production: { https: { hsts: { preload: true } } } },
      }),
    ).toEqual([]);
    expect(policyWarnings({ https: { hsts: { preload: true } } }).map((w) => w.path)).toEqual([
      "/https/hsts/preload",
    ]);
  });

  test("report-only in production is flagged", () => {
    expect(policyWarnings({ mode: "report-only" }).map((w) => w.path)).toEqual(["/mode"]);
    expect(policyWarnings({ profiles: { development: { mode: "report-only" } } })).toEqual([]);
  });
});

describe("policyWarnings(policy): pointers follow the extends chain", () => {
  test("a setting inherited through extends is pointed at where it is written", () => {
    const warnings = policyWarnings({
      https: { hsts: { preload: true } },
      profiles: {
        shared: { mode: "report-only" },
        production: { extends: "shared", https: { hsts: { maxAge: 300 } } },
      },
    });
    expect(warnings.map((w) => w.path).sort()).toEqual([
      "/https/hsts/preload",
      "/profiles/shared/mode",
    ]);
  });
});
