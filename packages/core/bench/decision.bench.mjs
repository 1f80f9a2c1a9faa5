/**
 * One full request decision by cookie-policy vs the minimum Express does for the same
 * request with `trust proxy` (proxy-addr for the client address, X-Forwarded-Proto for
 * req.protocol, cookie.serialize twice), in the same process, on realistic traffic: every
 * request comes from a different client through a trusted proxy and carries different
 * cookie values. Run after `pnpm build`: `pnpm bench` (node --expose-gc, for the heap line).
 *
 * Prints, over ROUNDS rounds (each candidate measured in turn within a round, so a burst of
 * load hits both): each candidate's median time per request, and the ratio ours / Express
 * as the median and quartiles of the per-round ratios. Then the two halves of our cost,
 * the repeated-request figure, the heap around 10^6 distinct requests, and what a 64 KiB
 * forwarding header costs against a 1 KiB one of the same shape.
 */
import * as cookie from "cookie";
import { do_not_optimize, measure } from "mitata";
import proxyaddr from "proxy-addr";
import { createCookiePolicy, nodeRequest } from "../dist/index.js";

const TRUST = ["loopback", "10.0.0.0/8"];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const DISTINCT = 4096; // a power of two: the request index wraps with a mask

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
const trustFn = proxyaddr.compile(TRUST);

/** Request i: client 203.0.113.x / 198.51.x.y behind proxy 10.0.0.1, as Node gives it. */
function clientAddress(i) {
  return i < 256 ? `203.0.113.${i}` : `198.51.${(i >> 8) & 255}.${i & 255}`;
}
function makeRequest(i) {
  return {
    socket: { remoteAddress: "10.0.0.1", encrypted: false },
    headers: {
      host: "example.com",
      "x-forwarded-for": clientAddress(i),
      "x-forwarded-proto": "https",
      accept: "text/html",
      "user-agent": "bench",
    },
    method: "GET",
    url: "/account",
  };
}
const requests = Array.from({ length: DISTINCT }, (_, i) => makeRequest(i));
const sessions = Array.from({ length: DISTINCT }, (_, i) => (i * 2654435761).toString(16) + i);
const themes = Array.from({ length: DISTINCT }, (_, i) => `t${i}`);

let i = 0;
const next = () => {
  i = (i + 1) & (DISTINCT - 1);
  return i;
};

function ours() {
  const n = next();
  const ctx = policy.decideRequest(nodeRequest(requests[n]));
  const a = ctx.setCookie("sessionId", sessions[n]);
  const b = ctx.setCookie("theme", themes[n]);
  return a.header.length + b.header.length + ctx.transport.trustedHops;
}

/** The transport half alone: decideRequest (the walk, redirect and HSTS decisions). */
function oursBegin() {
  const n = next();
  return policy.decideRequest(nodeRequest(requests[n])).transport.trustedHops;
}

/**
 * What Express 5 does with `trust proxy`: req.ip (proxy-addr), req.protocol, and res.cookie
 * → cookie.serialize. `cookie` 1.1.1's object form costs what the cookie 0.7
 * serialize(name, value, options) that Express 5 calls does.
 */
function express() {
  const n = next();
  const req = requests[n];
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
    value: sessions[n],
    maxAge: 3600,
    path: "/",
    httpOnly: true,
    secure,
    sameSite: "strict",
  });
  const b = cookie.serialize({
    name: "theme",
    value: themes[n],
    maxAge: 31536000,
    path: "/",
    secure,
    sameSite: "lax",
  });
  return a.length + b.length + ip.length;
}

/** The same request every time (one keep-alive client): the figure earlier benches gave. */
const repeated = makeRequest(7);
function oursRepeated() {
  const ctx = policy.decideRequest(nodeRequest(repeated));
  return (
    ctx.setCookie("sessionId", "abc123").header.length +
    ctx.setCookie("theme", "dark").header.length
  );
}

// Both must compute the same answer before their speed means anything.
for (let n = 0; n < DISTINCT; n += 97) {
  const ctx = policy.decideRequest(nodeRequest(requests[n]));
  const header = ctx.setCookie("sessionId", sessions[n]).header;
  if (ctx.transport.clientAddress !== proxyaddr(requests[n], trustFn) || !header.includes("Secure"))
    throw new Error(`bench setup disagrees with the baseline at ${n}: ${header}`);
}

const candidates = [
  ["cookie-policy: decideRequest + 2 setCookie (distinct clients)", ours],
  ["express minimum path (proxy-addr + protocol + 2 serialize)", express],
  ["cookie-policy: decideRequest only (transport half)", oursBegin],
  ["cookie-policy: same request repeated", oursRepeated],
];
const medians = candidates.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  for (const [k, [, fn]] of candidates.entries()) {
    const stats = await measure(() => do_not_optimize(fn()), { min_cpu_time: 100e6 });
    medians[k].push(stats.p50);
  }
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo] + (s[Math.ceil(at)] - s[lo]) * (at - lo);
};
const spread = (xs, digits, unit = "") =>
  `${quantile(xs, 0.5).toFixed(digits)}${unit} (quartiles ${quantile(xs, 0.25).toFixed(digits)}–${quantile(xs, 0.75).toFixed(digits)})`;

console.log(
  `${ROUNDS} rounds, ${DISTINCT} distinct clients and cookie values, median ns/request per round:`,
);
for (const [k, [name]] of candidates.entries())
  console.log(`  ${spread(medians[k], 0, " ns").padEnd(34)} ${name}`);
const ratio = (a, b) => medians[a].map((x, r) => x / medians[b][r]);
console.log(`ratio ours/express          ${spread(ratio(0, 1), 3)}  (target <= 0.25, aim 0.2)`);
const cookieHalf = medians[0].map((x, r) => x - medians[2][r]);
console.log(
  `  transport half (decideRequest) ${spread(medians[2], 0, " ns")} = ${spread(ratio(2, 1), 3)} of express`,
);
console.log(
  `  cookie half (2 setCookie) ${spread(cookieHalf, 0, " ns")} = ${spread(
    cookieHalf.map((x, r) => x / medians[1][r]),
    3,
  )} of express`,
);
console.log(`ratio repeated/express      ${spread(ratio(3, 1), 3)}`);

// Heap around 10^6 distinct requests (distinct clients, distinct values).
const gc = globalThis.gc;
const heap = () => {
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
const before = heap();
for (let n = 0; n < 1_000_000; n++) {
  const req = makeRequest(n & 0xffff);
  req.headers["x-forwarded-for"] = `198.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  const ctx = policy.decideRequest(nodeRequest(req));
  ctx.setCookie("sessionId", `s${n}`);
  ctx.setCookie("theme", `t${n}`);
}
const after = heap();
console.log(
  `heap ${before.toFixed(1)} MiB before, ${after.toFixed(1)} MiB after 10^6 distinct requests${gc ? "" : " (run with --expose-gc for settled figures)"}`,
);

// A forwarding header's cost is bounded: 64 KiB of any shape against 1 KiB of the same.
const shapes = {
  "untrusted entries": (size) => repeatTo(size, "198.51.100.7, ", "203.0.113.7"),
  "trusted entries": (size) => repeatTo(size, "10.1.2.3, ", "10.0.0.2"),
  commas: (size) => repeatTo(size, ",", "203.0.113.7"),
  spaces: (size) => `${" ".repeat(size - 11)}203.0.113.7`,
  "junk left of the client": (size) => repeatTo(size, "x", ", 203.0.113.7"),
};
function repeatTo(size, unit, tail) {
  return unit.repeat(Math.max(0, Math.floor((size - tail.length) / unit.length))) + tail;
}
const view = (xff, xfp) => {
  const req = makeRequest(0);
  req.headers["x-forwarded-for"] = xff;
  req.headers["x-forwarded-proto"] = xfp;
  return nodeRequest(req);
};
/** Median over 5 rounds of cost(large) / cost(small), measured in turn. */
const sizeRatio = async (small, large) => {
  const ratios = [];
  for (let round = 0; round < 5; round++) {
    const s = (
      await measure(() => do_not_optimize(policy.decideRequest(small)), { min_cpu_time: 20e6 })
    ).p50;
    const l = (
      await measure(() => do_not_optimize(policy.decideRequest(large)), { min_cpu_time: 20e6 })
    ).p50;
    ratios.push(l / s);
  }
  return quantile(ratios, 0.5);
};
const line = [];
for (const [name, make] of Object.entries(shapes)) {
  const r = await sizeRatio(view(make(1024), "https"), view(make(65536), "https"));
  line.push(`${name} ${r.toFixed(2)}x`);
}
const xfp = await sizeRatio(
  view("203.0.113.7", `${"https, ".repeat(146)}https`),
  view("203.0.113.7", `${"https, ".repeat(9362)}https`),
);
line.push(`X-Forwarded-Proto values ${xfp.toFixed(2)}x`);
console.log(
  `64 KiB / 1 KiB forwarding header, cost of decideRequest (median of 5): ${line.join(", ")}`,
);
