import type { ExplainResult, PolicyFile, PolicyRequest } from "./types.js";

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

/**
 * SPEC §3's `explain --json` example, as written there plus the `mode` it says is added:
 * the SPEC policy in production, 10.0.0.1 forwarding an HTTPS request from 203.0.113.7 for
 * example.com, and the app setting `sessionId=abc`.
 */
export const SPEC_EXPLAIN: ExplainResult = {
  env: "production",
  mode: "enforce",
  transport: {
    protocol: "https",
    secure: true,
    source: "x-forwarded-proto",
    clientAddress: "203.0.113.7",
    host: "example.com",
    trustedHops: 1,
  },
  redirect: null,
  hsts: "max-age=31536000; includeSubDomains",
  cookies: [
    {
      name: "sessionId",
      action: "set",
      secure: true,
      header: "sessionId=abc; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Strict",
      reasons: ["SECURE_REQUIRED_MODE"],
    },
  ],
  diagnostics: [],
};

/** An explanation with each cookie header's attributes as a set (SPEC §3: their order is free). */
export function attributesUnordered(explained: ExplainResult) {
  return {
    ...explained,
    cookies: explained.cookies.map((c) => {
      if (c.header === null) return c;
      const [pair, ...attributes] = c.header.split("; ");
      return { ...c, header: { pair, attributes: new Set(attributes) } };
    }),
  };
}
