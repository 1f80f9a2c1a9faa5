/**
 * One full request decision by cookie-policy vs the minimum Express does today for the
 * same request (proxy-addr for the client address, the first X-Forwarded-Proto value for
 * req.protocol, cookie.serialize twice), in the same process. Run after `pnpm build`.
 * Prints the timings and the ratio ours / baseline (target ≤ 1.0).
 */
import * as cookie from "cookie";
import { do_not_optimize, measure } from "mitata";
import proxyaddr from "proxy-addr";
import { createCookiePolicy, nodeRequest } from "../dist/index.js";

const TRUST = ["loopback", "10.0.0.0/8"];

/** A Node-shaped request: trusted peer 10.0.0.1, two forwarded hops, HTTPS at the edge. */
const req = {
  socket: { remoteAddress: "10.0.0.1", encrypted: false },
  headers: {
    host: "example.com",
    "x-forwarded-for": "203.0.113.7, 10.0.0.2",
    "x-forwarded-proto": "https",
    accept: "text/html",
    "user-agent": "bench",
  },
  method: "GET",
  url: "/account",
};

const policy = createCookiePolicy(
  {
    proxy: { trust: TRUST },
    cookies: {
      sessionId: { sensitive: true, maxAge: 3600 },
      theme: { httpOnly: false, maxAge: 31536000 },
    },
  },
  { env: "production", onReport: () => {} },
);

function ours() {
  const ctx = policy.begin(nodeRequest(req));
  const a = ctx.setCookie("sessionId", "abc123");
  const b = ctx.setCookie("theme", "dark");
  return a.header.length + b.header.length + ctx.transport.trustedHops;
}

const trustFn = proxyaddr.compile(TRUST);

/**
 * What Express 5 does: req.ip (proxy-addr), req.protocol, res.cookie → cookie.serialize,
 * with `cookie` 1.1.1's three-argument form. That form copies the options (a spread)
 * and is far slower than the object form on Node 20, so it is not the reference: Express
 * 5.3 calls cookie 0.7's serialize, which costs about what 1.1.1's object form does.
 */
function baselineThreeArgs() {
  const ip = proxyaddr(req, trustFn);
  let protocol = req.socket.encrypted ? "https" : "http";
  if (trustFn(req.socket.remoteAddress, 0)) {
    const header = req.headers["x-forwarded-proto"] || protocol;
    const comma = header.indexOf(",");
    protocol = comma !== -1 ? header.substring(0, comma).trim() : header.trim();
  }
  const secure = protocol === "https";
  const a = cookie.serialize("sessionId", "abc123", {
    maxAge: 3600,
    path: "/",
    httpOnly: true,
    secure,
    sameSite: "strict",
  });
  const b = cookie.serialize("theme", "dark", {
    maxAge: 31536000,
    path: "/",
    secure,
    sameSite: "lax",
  });
  return a.length + b.length + ip.length;
}

/**
 * The reference baseline: the same work with `cookie`'s object form,
 * `serialize({ name, value, ...options })`, whose cost matches the cookie 0.7
 * `serialize(name, value, options)` that Express 5.3 actually calls.
 */
function baseline() {
  const ip = proxyaddr(req, trustFn);
  let protocol = req.socket.encrypted ? "https" : "http";
  if (trustFn(req.socket.remoteAddress, 0)) {
    const header = req.headers["x-forwarded-proto"] || protocol;
    const comma = header.indexOf(",");
    protocol = comma !== -1 ? header.substring(0, comma).trim() : header.trim();
  }
  const secure = protocol === "https";
  const a = cookie.serialize({
    name: "sessionId",
    value: "abc123",
    maxAge: 3600,
    path: "/",
    httpOnly: true,
    secure,
    sameSite: "strict",
  });
  const b = cookie.serialize({
    name: "theme",
    value: "dark",
    maxAge: 31536000,
    path: "/",
    secure,
    sameSite: "lax",
  });
  return a.length + b.length + ip.length;
}

// Both must compute the same answer before their speed means anything.
const check = policy.begin(nodeRequest(req));
const decided = [
  check.setCookie("sessionId", "abc123").header,
  check.setCookie("theme", "dark").header,
];
if (
  check.transport.clientAddress !== proxyaddr(req, trustFn) ||
  !decided.every((h) => h.includes("Secure"))
)
  throw new Error(`bench setup disagrees with the baseline: ${JSON.stringify(decided)}`);

/**
 * The machine may be shared: the three are measured in turn for several rounds and each
 * keeps its best median, so a burst of load on one round does not decide the ratio.
 */
const candidates = [
  ["cookie-policy: begin + 2 setCookie", ours],
  ["express baseline: proxy-addr + protocol + 2 serialize", baseline],
  ["same, cookie 1.1.1 three-argument serialize (slow form)", baselineThreeArgs],
];
const best = candidates.map(() => Number.POSITIVE_INFINITY);
for (let round = 0; round < 5; round++) {
  for (const [i, [, fn]] of candidates.entries()) {
    const stats = await measure(() => do_not_optimize(fn()), { min_cpu_time: 200e6 });
    best[i] = Math.min(best[i], stats.p50);
  }
}
const fmt = (ns) => `${ns.toFixed(0).padStart(7)} ns/iter (median)`;
for (const [i, [name]] of candidates.entries()) console.log(`${fmt(best[i])}  ${name}`);
console.log(`ratio ours/baseline ${(best[0] / best[1]).toFixed(2)} (target <= 1.00)`);
console.log(`(ratio ours/three-argument baseline ${(best[0] / best[2]).toFixed(2)})`);
