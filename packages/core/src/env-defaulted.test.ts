/**
 * SPEC §2.5: when nothing chose a profile (no `env` option, COOKIE_POLICY_ENV or NODE_ENV),
 * the policy reports once, when it is created, that production applies (ENV_DEFAULTED);
 * a chosen profile reports nothing of the kind.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createCookiePolicy } from "./index.js";
import { loadCookiePolicy } from "./node.js";
import type { ReportEvent } from "./types.js";

const POLICY = { profiles: { development: { proxy: { trust: false } } } };
const LOCALHOST = {
  encrypted: false,
  peer: "127.0.0.1",
  headers: { host: "localhost:3000" },
  method: "POST",
  url: "/login",
};

function collect() {
  const events: ReportEvent[] = [];
  return { events, onReport: (e: ReportEvent) => events.push(e) };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("ENV_DEFAULTED", () => {
  it("is reported once, at creation, when neither option nor variable names a profile", () => {
    vi.stubEnv("NODE_ENV", "");
    vi.stubEnv("COOKIE_POLICY_ENV", "");
    for (const create of [
      (onReport: (e: ReportEvent) => void) => createCookiePolicy(POLICY, { onReport }),
      (onReport: (e: ReportEvent) => void) => loadCookiePolicy({ config: POLICY, onReport }),
    ]) {
      const { events, onReport } = collect();
      const policy = create(onReport);
      expect(policy.env).toBe("production");
      expect(events.map((e) => e.code)).toEqual(["ENV_DEFAULTED"]);
      expect(events[0]?.env).toBe("production");
      expect(events[0]?.message).toContain("NODE_ENV");
      // Requests never repeat it: the developer hears it once, at start-up.
      for (let i = 0; i < 3; i++) policy.decideRequest(LOCALHOST).setCookie("sessionId", "abc");
      expect(events.filter((e) => e.code === "ENV_DEFAULTED")).toHaveLength(1);
    }
  });

  it.each([
    ["the env option", { env: "production" }, {}],
    ["COOKIE_POLICY_ENV", {}, { COOKIE_POLICY_ENV: "production" }],
    ["NODE_ENV", {}, { NODE_ENV: "development" }],
  ])("is not reported when %s chooses the profile", (_what, options, vars) => {
    vi.stubEnv("NODE_ENV", "");
    vi.stubEnv("COOKIE_POLICY_ENV", "");
    for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
    const { events, onReport } = collect();
    createCookiePolicy(POLICY, { ...options, onReport });
    expect(events.map((e) => e.code)).not.toContain("ENV_DEFAULTED");
  });
});
