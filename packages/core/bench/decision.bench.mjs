/**
 * One full request decision by cookie-policy vs the minimum Express does today for the
 * same request (proxy-addr for the client address, the first X-Forwarded-Proto value for
 * req.protocol, cookie.serialize twice), in the same process. Run after `pnpm build`.
 * Prints both timings and the ratio ours / baseline (target ≤ 1.0).
 */
import * as cookie from "cookie";
import { bench, do_not_optimize, run } from "mitata";
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

/** What Express 5 does: req.ip (proxy-addr), req.protocol, res.cookie → cookie.serialize. */
function baseline() {
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
 * The same baseline with `cookie`'s object form, `serialize({ name, value, ...options })`,
 * which skips the options spread of the three-argument form Express calls. Printed for
 * honesty: it shows how much of the margin comes from that call shape.
 */
function baselineObjectForm() {
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

bench("cookie-policy: begin + 2 setCookie", () => do_not_optimize(ours()));
bench("express baseline: proxy-addr + protocol + 2 serialize", () => do_not_optimize(baseline()));
bench("baseline, serialize object form", () => do_not_optimize(baselineObjectForm()));

const { benchmarks } = await run({ format: "quiet" });
const avg = (i) => benchmarks[i].runs[0].stats.avg;
const fmt = (ns) => `${ns.toFixed(0)} ns/iter`;
console.log(`cookie-policy    ${fmt(avg(0))}`);
console.log(`express baseline ${fmt(avg(1))}`);
console.log(`ratio ours/baseline ${(avg(0) / avg(1)).toFixed(2)} (target <= 1.00)`);
console.log(
  `(baseline with cookie's object-form serialize: ${fmt(avg(2))}; ours/that ${(avg(0) / avg(2)).toFixed(2)})`,
);
