import { describe, expect, test } from "vitest";
import { policyWarnings } from "./warnings.js";

describe("PROXY_HEADERS_MIXED (SPEC §2.2 step 4)", () => {
  test("warns where forwarded is listed together with an x-forwarded-* header", () => {
    const warnings = policyWarnings({
      profiles: {
        production: { proxy: { headers: ["forwarded", "x-forwarded-for", "x-forwarded-proto"] } },
      },
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.path).toBe("/profiles/production/proxy/headers");
    expect(warnings[0]?.message).toMatch(/^PROXY_HEADERS_MIXED: /);
  });

  test("is silent for one kind of header: the built-in list, forwarded alone, or forwarded with cf-visitor", () => {
    for (const headers of [
      ["x-forwarded-for", "x-forwarded-proto"],
      ["forwarded"],
      ["forwarded", "cf-visitor"],
    ] as const) {
      expect(policyWarnings({ proxy: { headers: [...headers] } }), headers.join()).toEqual([]);
    }
    expect(policyWarnings({})).toEqual([]);
  });
});
