import type { ResolvedProfile } from "../types.js";

/** The SPEC §2.1 built-in base profile, with test overrides (tests only). */
export function baseProfile(over: Partial<ResolvedProfile> = {}): ResolvedProfile {
  return {
    proxy: { trust: false, headers: ["forwarded", "x-forwarded-for", "x-forwarded-proto"] },
    https: { redirect: false, hsts: false },
    localhost: "insecure",
    mode: "enforce",
    defaults: { secure: "auto", httpOnly: false, sameSite: "lax", path: "/", onInsecure: "drop" },
    sensitive: {
      secure: "always",
      httpOnly: true,
      sameSite: "lax",
      patterns: ["session", "sess", "sid", "token", "auth", "jwt", "remember", "csrf", "xsrf"],
    },
    cookies: {},
    ...over,
  };
}
