import type { PolicyFile, PolicyRequest } from "./types.js";

/** The policy file of SPEC §2, as written there (tests only). */
export const SPEC_POLICY: PolicyFile = {
  proxy: {
    trust: ["loopback"],
    headers: ["x-forwarded-for", "x-forwarded-proto"],
  },
  https: { redirect: false, hsts: false },
  defaults: { secure: "auto", httpOnly: true, sameSite: "lax", path: "/", onInsecure: "drop" },
  sensitive: {
    secure: "always",
    httpOnly: true,
    sameSite: "strict",
    patterns: ["session", "sess", "sid", "token", "auth", "jwt", "remember"],
  },
  cookies: {
    sessionId: { sensitive: true, maxAge: 3600 },
    theme: { httpOnly: false, maxAge: 31536000 },
    "__Host-*": { sensitive: true },
  },
  profiles: {
    development: { proxy: { trust: false }, sensitive: { secure: "auto" } },
    test: { extends: "development" },
    production: {
      proxy: { trust: ["loopback", "10.0.0.0/8"] },
      https: {
        redirect: { status: 308, hosts: ["example.com", "*.example.com"], exclude: ["/healthz"] },
        hsts: { maxAge: 31536000, includeSubDomains: true, preload: false },
      },
    },
  },
};

/** A plain request view with defaults: GET / over plain HTTP from 203.0.113.9. */
export function request(over: Partial<PolicyRequest> = {}): PolicyRequest {
  return {
    encrypted: false,
    peer: "203.0.113.9",
    headers: { host: "example.com" },
    method: "GET",
    url: "/",
    ...over,
  };
}
