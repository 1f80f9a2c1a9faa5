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

/** The transports a case expects: the socket's own scheme, or the trusted proxy's HTTPS. */
const SOCKET_HTTPS = { protocol: "https", source: "socket" };
const SOCKET_HTTP = { protocol: "http", source: "socket" };
const PROXIED_HTTPS = {
  protocol: "https",
  source: "x-forwarded-proto",
  clientAddress: "127.0.0.1",
  trustedHops: 1,
};

/** Per cookie: the Secure attribute the policy decides, and whether Chromium keeps it. */
const SECURE = { secure: true, stored: true };
const NOT_SECURE = { secure: false, stored: true };
const SECURE_DISCARDED = { secure: true, stored: false };
const NOT_EMITTED = null;

/** The demo file's own profiles; a server for any other reads the suite's file (`--config`). */
const DEMO_PROFILES = Object.keys(demoPolicy().profiles);

/**
 * A `page` case (log in, set a theme, reload, log out on the explanation page): the
 * transport the policy must find, then sessionId's and theme's expected outcome. Options:
 * `via: "proxy"` when the browser goes through the TLS-terminating proxy, `hsts` when the
 * answers carry it, `screenshot` for the README's picture.
 */
function pageCase(profile, origin, transport, sessionId, theme, { hsts = null, ...more } = {}) {
  return { ...base(profile, origin, more), flow: "page", transport, hsts, sessionId, theme };
}

/** A `redirect` case: every route but /healthz answers 308 to HTTPS, no cookie is emitted. */
function redirectCase(profile, origin, more = {}) {
  return {
    ...base(profile, origin, more),
    flow: "redirect",
    transport: SOCKET_HTTP,
    redirect: PRODUCTION_REDIRECT,
    sessionId: NOT_EMITTED,
    theme: NOT_EMITTED,
  };
}

/**
 * What every case has: its id, and `server`, the server it needs (the profile as env, HTTPS
 * when the browser speaks it to the app itself). `forged`: the browser sends the proxy's
 * headers itself.
 */
function base(profile, origin, { via, forged, screenshot }) {
  const how = via === "proxy" ? " via the TLS proxy" : "";
  const faked = forged ? " straight to the app, forged X-Forwarded-*" : "";
  const server = {
    env: profile,
    ...(origin.startsWith("https:") && via !== "proxy" ? { https: true } : {}),
    ...(DEMO_PROFILES.includes(profile) ? {} : { config: true }),
  };
  return {
    id: `${profile} · ${origin}${how}${faked}`,
    profile,
    server,
    origin,
    ...(via ? { via } : {}),
    ...(forged ? { forged } : {}),
    ...(screenshot ? { screenshot } : {}),
  };
}

/**
 * The matrix, one case a row (see pageCase/redirectCase). A cookie is NOT_EMITTED when the
 * policy drops it; else its Secure attribute and whether Chromium stores it (the rule above).
 */
export const CASES = [
  // development: proxy.trust false; sensitive.secure "auto" → Secure exactly on HTTPS.
  pageCase("development", "https://localhost", SOCKET_HTTPS, SECURE, SECURE),
  pageCase("development", "http://localhost", SOCKET_HTTP, NOT_SECURE, NOT_SECURE),
  pageCase("development", "http://demo.test", SOCKET_HTTP, NOT_SECURE, NOT_SECURE),
  // production: sessionId always Secure; plain HTTP is redirected to https://example.com;
  // HSTS is never sent to localhost.
  pageCase("production", "https://localhost", SOCKET_HTTPS, SECURE, SECURE),
  redirectCase("production", "http://localhost"),
  redirectCase("production", "http://demo.test"),
  // production behind a TLS-terminating proxy that the policy trusts: the visitor's HTTPS
  // comes from the proxy's X-Forwarded-Proto; the app's socket is plain HTTP.
  pageCase("behind-proxy", "https://localhost", PROXIED_HTTPS, SECURE, SECURE, { via: "proxy" }),
  pageCase("behind-proxy", "https://demo.test", PROXIED_HTTPS, SECURE, SECURE, {
    via: "proxy",
    hsts: HSTS,
    screenshot: true,
  }),
  // The same forwarding headers, sent by the browser straight to the app: Chromium's
  // 127.0.0.1 is not the trusted proxy, so they are not believed: plain HTTP, redirected.
  redirectCase("behind-proxy", "http://demo.test", { forged: true }),
  // A server that sends a Secure cookie over plain HTTP: Chromium keeps it on localhost only.
  pageCase("secure-over-http", "http://localhost", SOCKET_HTTP, SECURE, NOT_SECURE),
  pageCase("secure-over-http", "http://demo.test", SOCKET_HTTP, SECURE_DISCARDED, NOT_SECURE),
  // localhost: "secure-context": the policy counts http://localhost as secure for cookies
  // (theme's "auto" becomes Secure too) and drops sessionId on any other HTTP origin.
  pageCase("secure-context", "http://localhost", SOCKET_HTTP, SECURE, SECURE),
  pageCase("secure-context", "http://demo.test", SOCKET_HTTP, NOT_EMITTED, NOT_SECURE),
];
