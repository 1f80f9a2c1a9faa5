/**
 * The named policy files conformance cases run under. Each is written to a temporary
 * file and handed to `serve.mjs --config`. `spec` is the demo's own file, the SPEC §2
 * example.
 */
import { readFileSync } from "node:fs";

const specPolicy = JSON.parse(readFileSync(new URL("../../cookie-policy.json", import.meta.url)));
delete specPolicy.$schema;

/** A transport probe: `theme` has no rule, so Secure follows the transport (secure: auto). */
const transportPolicy = (trust, headers) => ({
  proxy: headers ? { trust, headers } : { trust },
  https: { hsts: { maxAge: 600 } },
  defaults: { secure: "auto", httpOnly: false, sameSite: "lax", path: "/", onInsecure: "drop" },
});

export const policies = {
  spec: specPolicy,

  // proxy.trust in each of its forms
  "trust-false": transportPolicy(false),
  "trust-loopback": transportPolicy(["loopback"]),
  "trust-private": transportPolicy(["private"]),
  "trust-cidr": transportPolicy(["127.0.0.0/30", "10.0.0.0/8", "::1"]),
  "trust-one-ipv4": transportPolicy(["127.0.0.2"]),
  "trust-hops-1": transportPolicy(1),
  "trust-hops-2": transportPolicy(2),
  "trust-all": transportPolicy(true),
  "trust-loopback-ssl-headers": transportPolicy(
    ["loopback"],
    ["x-forwarded-ssl", "front-end-https", "cf-visitor"],
  ),
  // proxy.headers opting in to Forwarded (SPEC v2: only when every proxy writes or strips it)
  "trust-cidr-forwarded": transportPolicy(["127.0.0.0/30", "10.0.0.0/8", "::1"], ["forwarded"]),
  "trust-cidr-forwarded-xfp": transportPolicy(
    ["127.0.0.0/30", "10.0.0.0/8", "::1"],
    ["forwarded", "x-forwarded-proto"],
  ),
  "trust-cidr-mixed": transportPolicy(
    ["127.0.0.0/30", "10.0.0.0/8", "::1"],
    ["forwarded", "x-forwarded-for", "x-forwarded-proto"],
  ),
  "trust-loopback-xfp-first": transportPolicy(
    ["loopback"],
    ["x-forwarded-proto", "forwarded", "x-forwarded-for"],
  ),

  // the per-cookie decision
  cookies: {
    proxy: { trust: false },
    https: { hsts: { maxAge: 63072000, includeSubDomains: true, preload: true } },
    defaults: { secure: "auto", httpOnly: true, sameSite: "lax", path: "/", onInsecure: "drop" },
    sensitive: {
      secure: "always",
      httpOnly: true,
      sameSite: "strict",
      patterns: ["session", "token"],
    },
    cookies: {
      sessionId: { sensitive: true, maxAge: 3600 },
      theme: { httpOnly: false, maxAge: 31536000 },
      notsession: { sensitive: false },
      cross: { sameSite: "none" },
      strictErr: { secure: "always", onInsecure: "error" },
      setAnyway: { secure: "always", onInsecure: "set" },
      plainOnly: { secure: "never" },
      pinned: { domain: "example.com" },
      embed: { partitioned: true },
      "__Host-*": { sensitive: true },
    },
  },

  // localhost: "secure-context" (production) and "insecure" (env plain)
  localhost: {
    proxy: { trust: false },
    https: { hsts: { maxAge: 600 } },
    localhost: "secure-context",
    defaults: { secure: "auto", httpOnly: false, sameSite: "lax", path: "/", onInsecure: "drop" },
    profiles: {
      plain: { localhost: "insecure" },
      redirecting: { https: { redirect: { hosts: [] } } },
    },
  },

  // HTTPS redirect and HSTS; one profile per redirect variant
  redirect: {
    proxy: { trust: ["127.0.0.1"] },
    https: {
      redirect: {
        hosts: ["example.com", "*.example.com"],
        exclude: ["/healthz", "/.well-known/*"],
      },
      hsts: { maxAge: 31536000, includeSubDomains: true },
    },
    profiles: {
      moved: { https: { redirect: { status: 301, hosts: ["example.com"] } } },
      found: { https: { redirect: { status: 302, hosts: ["example.com"] } } },
      open: { https: { redirect: { status: 307, hosts: [] } } },
      port: { https: { redirect: { hosts: ["example.com"], port: 8443 } } },
      audit: { mode: "report-only" },
    },
  },
};
