/**
 * What each case must give, written by hand from SPEC §2 and apps/demo/cookie-policy.json
 * (never copied from a run), and the one browser rule that decides what Chromium keeps.
 *
 * The file's cookies: `sessionId` is sensitive (HttpOnly, SameSite=Strict, Max-Age=3600;
 * Secure "always" except under development's `sensitive.secure: "auto"`); `theme` is not
 * (readable by scripts, SameSite=Lax, Max-Age=31536000, Secure "auto": Secure exactly when
 * the request counts as HTTPS).
 */
import { readFileSync } from "node:fs";

export const POLICY_FILE = new URL("../../cookie-policy.json", import.meta.url);

/** The demo's own policy file: the `development` and `production` profiles. */
export function demoPolicy() {
  return JSON.parse(readFileSync(POLICY_FILE, "utf8"));
}

/** The proxy's address toward the app: the only peer `behind-proxy` trusts. */
export const PROXY_ADDRESS = "127.0.0.2";
/** A direct client that is not the proxy (node:http can bind it; Chromium comes from 127.0.0.1). */
export const STRANGER_ADDRESS = "127.0.0.3";

/**
 * The demo's file plus three profiles this suite needs, written to a temp file for
 * `--config`:
 * - `behind-proxy`: production, trusting only the proxy's address (so Chromium, which
 *   always connects from 127.0.0.1, is an untrusted peer when it goes straight to the app);
 * - `secure-over-http`: sessionId always Secure, and `onInsecure: "set"`: the server sends
 *   a Secure cookie over plain HTTP (the policy's INSECURE_TRANSPORT_SET: "the browser will
 *   discard it");
 * - `secure-context`: sessionId always Secure and `localhost: "secure-context"`, the
 *   policy's model of Chromium's rule.
 */
export function suitePolicy() {
  const policy = demoPolicy();
  policy.profiles = {
    ...policy.profiles,
    "behind-proxy": { extends: "production", proxy: { trust: [PROXY_ADDRESS] } },
    "secure-over-http": {
      extends: "development",
      sensitive: { secure: "always", onInsecure: "set" },
    },
    "secure-context": {
      extends: "development",
      localhost: "secure-context",
      sensitive: { secure: "always" },
    },
  };
  return policy;
}

/**
 * A `Forwarded` header the browser sends itself through the TLS proxy, which passes it on
 * untouched (as nginx, Caddy, HAProxy and Apache do). SPEC v2's default headers, which the
 * demo's file lists, do not include `forwarded`: it is never read, so it cannot turn the
 * proxy's HTTPS into plain HTTP (nor, listed beside X-Forwarded-Proto, into a conflict).
 */
export const CLIENT_FORWARDED = { forwarded: "for=203.0.113.66;proto=http" };

/** The attributes every profile here gives the two cookies, besides Secure. */
export const COOKIE_SHAPE = {
  sessionId: { httpOnly: true, sameSite: "strict", maxAge: 3600, path: "/" },
  theme: { httpOnly: false, sameSite: "lax", maxAge: 31_536_000, path: "/" },
};

/**
 * Chromium's rule, stated by hand: a cookie with Secure is kept only when it comes from a
 * potentially trustworthy origin, i.e. https:, or http: on localhost / a loopback literal
 * (Chromium treats http://localhost as secure for cookies); any other http: origin has it
 * thrown away, and cannot overwrite or clear an existing Secure cookie either.
 */
export function chromiumKeepsSecureFrom(origin) {
  const { protocol, hostname } = new URL(origin);
  if (protocol === "https:") return true;
  return (
    hostname === "localhost" ||
    hostname.endsWith(".localhost") ||
    /^127\.\d+\.\d+\.\d+$/.test(hostname) ||
    hostname === "[::1]"
  );
}

const PRODUCTION_REDIRECT = "https://example.com"; // redirect.hosts[0]: localhost/demo.test are not allowed hosts
const HSTS = "max-age=31536000; includeSubDomains";

/**
 * The matrix. `server`: which server the case needs; `via`: `proxy` when the browser goes
 * through the TLS-terminating proxy; `flow`: `page` (log in, set a theme, reload, log out on
 * the explanation page) or `redirect` (every route but /healthz answers 308 to HTTPS).
 * Per cookie: `null` = the policy does not emit it; else `secure` (the Secure attribute the
 * policy decides) and `stored` (whether Chromium keeps it, by the rule above).
 */
export const CASES = [
  // development: proxy.trust false; sensitive.secure "auto" → Secure exactly on HTTPS.
  {
    id: "development · https://localhost",
    profile: "development",
    server: { env: "development", https: true },
    origin: "https://localhost",
    flow: "page",
    transport: { protocol: "https", source: "socket" },
    hsts: null,
    sessionId: { secure: true, stored: true },
    theme: { secure: true, stored: true },
  },
  {
    id: "development · http://localhost",
    profile: "development",
    server: { env: "development" },
    origin: "http://localhost",
    flow: "page",
    transport: { protocol: "http", source: "socket" },
    hsts: null,
    sessionId: { secure: false, stored: true },
    theme: { secure: false, stored: true },
  },
  {
    id: "development · http://demo.test",
    profile: "development",
    server: { env: "development" },
    origin: "http://demo.test",
    flow: "page",
    transport: { protocol: "http", source: "socket" },
    hsts: null,
    sessionId: { secure: false, stored: true },
    theme: { secure: false, stored: true },
  },
  // production: sessionId always Secure; plain HTTP is redirected to https://example.com;
  // HSTS is never sent to localhost.
  {
    id: "production · https://localhost",
    profile: "production",
    server: { env: "production", https: true },
    origin: "https://localhost",
    flow: "page",
    transport: { protocol: "https", source: "socket" },
    hsts: null,
    sessionId: { secure: true, stored: true },
    theme: { secure: true, stored: true },
  },
  {
    id: "production · http://localhost",
    profile: "production",
    server: { env: "production" },
    origin: "http://localhost",
    flow: "redirect",
    transport: { protocol: "http", source: "socket" },
    redirect: PRODUCTION_REDIRECT,
    sessionId: null,
    theme: null,
  },
  {
    id: "production · http://demo.test",
    profile: "production",
    server: { env: "production" },
    origin: "http://demo.test",
    flow: "redirect",
    transport: { protocol: "http", source: "socket" },
    redirect: PRODUCTION_REDIRECT,
    sessionId: null,
    theme: null,
  },
  // production behind a TLS-terminating proxy that the policy trusts: the visitor's HTTPS
  // comes from the proxy's X-Forwarded-Proto; the app's socket is plain HTTP.
  {
    id: "behind-proxy · https://localhost via the TLS proxy",
    profile: "behind-proxy",
    server: { env: "behind-proxy", config: true },
    via: "proxy",
    origin: "https://localhost",
    flow: "page",
    transport: {
      protocol: "https",
      source: "x-forwarded-proto",
      clientAddress: "127.0.0.1",
      trustedHops: 1,
    },
    hsts: null,
    sessionId: { secure: true, stored: true },
    theme: { secure: true, stored: true },
  },
  {
    id: "behind-proxy · https://demo.test via the TLS proxy",
    profile: "behind-proxy",
    server: { env: "behind-proxy", config: true },
    via: "proxy",
    origin: "https://demo.test",
    flow: "page",
    screenshot: true,
    transport: {
      protocol: "https",
      source: "x-forwarded-proto",
      clientAddress: "127.0.0.1",
      trustedHops: 1,
    },
    hsts: HSTS,
    sessionId: { secure: true, stored: true },
    theme: { secure: true, stored: true },
  },
  // The same forwarding headers, sent by the browser straight to the app: Chromium's
  // 127.0.0.1 is not the trusted proxy, so they are not believed: plain HTTP, redirected.
  {
    id: "behind-proxy · http://demo.test straight to the app, forged X-Forwarded-*",
    profile: "behind-proxy",
    server: { env: "behind-proxy", config: true },
    forged: true,
    origin: "http://demo.test",
    flow: "redirect",
    transport: { protocol: "http", source: "socket" },
    redirect: PRODUCTION_REDIRECT,
    sessionId: null,
    theme: null,
  },
  // A server that sends a Secure cookie over plain HTTP: Chromium keeps it on localhost only.
  {
    id: "secure-over-http · http://localhost",
    profile: "secure-over-http",
    server: { env: "secure-over-http", config: true },
    origin: "http://localhost",
    flow: "page",
    transport: { protocol: "http", source: "socket" },
    hsts: null,
    sessionId: { secure: true, stored: true },
    theme: { secure: false, stored: true },
  },
  {
    id: "secure-over-http · http://demo.test",
    profile: "secure-over-http",
    server: { env: "secure-over-http", config: true },
    origin: "http://demo.test",
    flow: "page",
    transport: { protocol: "http", source: "socket" },
    hsts: null,
    sessionId: { secure: true, stored: false },
    theme: { secure: false, stored: true },
  },
  // localhost: "secure-context": the policy counts http://localhost as secure for cookies
  // (theme's "auto" becomes Secure too) and drops sessionId on any other HTTP origin.
  {
    id: "secure-context · http://localhost",
    profile: "secure-context",
    server: { env: "secure-context", config: true },
    origin: "http://localhost",
    flow: "page",
    transport: { protocol: "http", source: "socket" },
    hsts: null,
    sessionId: { secure: true, stored: true },
    theme: { secure: true, stored: true },
  },
  {
    id: "secure-context · http://demo.test",
    profile: "secure-context",
    server: { env: "secure-context", config: true },
    origin: "http://demo.test",
    flow: "page",
    transport: { protocol: "http", source: "socket" },
    hsts: null,
    sessionId: null,
    theme: { secure: false, stored: true },
  },
];
