import { afterEach, describe, expect, it } from "vitest";
import { loadCookiePolicy } from "../node.js";
import { requestedEnvName } from "./resolve.js";

const original = process.env;
afterEach(() => {
  process.env = original;
});

/** An environment that refuses some reads, as Deno does without `--allow-env` (`NotCapable`). */
function refusing(allowed: Record<string, string>): NodeJS.ProcessEnv {
  return new Proxy(
    {},
    {
      get(_target, name) {
        if (typeof name === "string" && Object.hasOwn(allowed, name)) return allowed[name];
        throw new Error(`NotCapable: Requires env access to "${String(name)}"`);
      },
    },
  ) as NodeJS.ProcessEnv;
}

describe("the profile name where the runtime refuses environment reads", () => {
  it("falls back to production when every read is refused", () => {
    process.env = refusing({});
    expect(requestedEnvName()).toBe("production");
    expect(requestedEnvName("staging")).toBe("staging");
  });

  it("a refused COOKIE_POLICY_ENV falls back to NODE_ENV", () => {
    process.env = refusing({ NODE_ENV: "development" });
    expect(requestedEnvName()).toBe("development");
  });

  it("loading a policy reads no variable the runtime refuses (Deno with --allow-read only)", () => {
    process.env = refusing({});
    const policy = loadCookiePolicy({ config: { https: { hsts: true } }, onReport: () => {} });
    expect(policy.env).toBe("production");
  });
});
