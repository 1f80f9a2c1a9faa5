/**
 * The adapters' cost without the noise of a shared machine: for each framework, the apps of
 * apps.mjs (native N, empty middleware M, adapter A; Hono also D, its adapter's own
 * setCookie) live in this one process, each behind a real http.Server fed raw HTTP/1.1
 * through an in-memory keep-alive socket from 127.0.0.1, and take turns in batches of
 * requests (order reversed every round), so a slow spell of the host falls on all alike.
 *
 * Realistic traffic first (traffic.mjs): every request a different client in
 * X-Forwarded-For, X-Forwarded-Proto https, its own cookie values; every variant gets the
 * same requests in the same order, built before the clock starts. Then repeated traffic:
 * one of those requests over and over.
 *
 * A batch is timed by this process's CPU time (user + system, process.cpuUsage), not the
 * wall clock: on a host shared with other busy processes the wall clock mostly measures how
 * long this one waited for a core. A ratio is paired: each round gives one (N's batch time
 * / A's, the batches a few milliseconds apart), and the figure is the median over rounds,
 * with its interquartile range and its own 95% confidence interval; the same from
 * wall-clock times is printed beside it.
 * µs per request are medians over batches, in CPU time.
 *   node bench/in-process.bench.mjs [--framework express,koa] [--rounds 2500] [--batch 20]
 *     [--repeated-rounds 1000] (0: realistic traffic only) [--warmup 200] (rounds)
 * Express's native variants run on their own copy of Express: the adapter wraps Express's
 * prototypes, and requests that did not pass it would otherwise still go through the wraps.
 */
import { createRequire } from "node:module";
import { Duplex } from "node:stream";
import { parseArgs } from "node:util";
// Loaded before any copy is made, as the adapter will import it (see freshExpress).
import "express";
import { benchServer, FRAMEWORKS, preloadAdapters, variantsOf } from "./apps.mjs";
import { describeCookie } from "./login-cookie.mjs";
import { CLIENTS, clientAddresses, proxiedHeaders } from "./traffic.mjs";

const { values } = parseArgs({
  options: {
    framework: { type: "string", default: FRAMEWORKS.join(",") },
    rounds: { type: "string", default: "2500" },
    batch: { type: "string", default: "20" },
    "repeated-rounds": { type: "string", default: "1000" },
    warmup: { type: "string", default: "200" },
  },
});
const ROUNDS = Number(values.rounds);
const REPEATED_ROUNDS = Number(values["repeated-rounds"]);
const BATCH = Number(values.batch);
const WARMUP_ROUNDS = Number(values.warmup);
const TARGET = 0.97;

await preloadAdapters();

/** `POST /login` as the proxy forwards it for client `address`, as raw HTTP/1.1. */
function rawRequest(address, i) {
  const headers = Object.entries(proxiedHeaders(address, i))
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  return Buffer.from(`POST /login HTTP/1.1\r\n${headers}Content-Length: 0\r\n\r\n`, "latin1");
}
const REALISTIC = clientAddresses(CLIENTS).map(rawRequest);
const REPEATED = [REALISTIC[0]];

/**
 * A copy of Express of its own (fresh request/response prototypes), loaded past the module
 * cache and then taken out of it again. The Express that this module imported first (see the
 * imports) stays the one every `import "express"` gets, the adapter's included: that is the
 * one it wraps.
 */
function freshExpress() {
  const require = createRequire(import.meta.url);
  const root = require.resolve("express").replace(/index\.js$/, "");
  const ours = (key) => key.startsWith(root);
  const cached = Object.keys(require.cache)
    .filter(ours)
    .map((key) => [key, require.cache[key]]);
  for (const [key] of cached) delete require.cache[key];
  const copy = require("express");
  for (const key of Object.keys(require.cache).filter(ours)) delete require.cache[key];
  for (const [key, module] of cached) require.cache[key] = module;
  return copy;
}

/**
 * A keep-alive connection into `server` without the kernel: `send()` writes one request
 * and resolves with the response head once the whole response (Content-Length or chunked)
 * has been written back.
 */
function connect(server) {
  let received = "";
  let pending = null;
  const complete = () => {
    const headEnd = received.indexOf("\r\n\r\n");
    if (headEnd < 0) return null;
    const head = received.slice(0, headEnd);
    const body = received.slice(headEnd + 4);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (length) return body.length >= Number(length[1]) ? head : null;
    return /\r\ntransfer-encoding: *chunked/i.test(head) && body.endsWith("0\r\n\r\n")
      ? head
      : null;
  };
  const onData = (chunk) => {
    received += chunk.toString("latin1");
    const head = complete();
    if (head === null || pending === null) return;
    received = "";
    const resolve = pending;
    pending = null;
    resolve(head);
  };
  const socket = new Duplex({
    read() {},
    write(chunk, _encoding, callback) {
      onData(chunk);
      callback();
    },
    writev(chunks, callback) {
      for (const { chunk } of chunks) onData(chunk);
      callback();
    },
  });
  // What Node's http server and the adapters read from a net.Socket.
  Object.assign(socket, {
    remoteAddress: "127.0.0.1",
    remotePort: 40000,
    localAddress: "127.0.0.1",
    localPort: 3000,
    encrypted: false,
  });
  socket.setTimeout = socket.setNoDelay = socket.setKeepAlive = () => socket;
  server.emit("connection", socket);
  return {
    send: (request) =>
      new Promise((resolve) => {
        pending = resolve;
        socket.push(request);
      }),
    close: () => socket.destroy(),
  };
}

/** The Set-Cookie lines of a response head. */
function setCookieLines(head) {
  return head
    .split("\r\n")
    .filter((line) => /^set-cookie:/i.test(line))
    .map((line) => line.slice(line.indexOf(":") + 1).trim());
}

/**
 * Batch times per variant of `framework` over `rounds` rounds of `requests` (cycled, each
 * variant from the start), and the cookie each variant sent for the first request.
 */
async function measure(framework, requests, rounds) {
  const apps = [];
  try {
    for (const variant of variantsOf(framework)) {
      const modules =
        framework === "express" && variant !== "adapter" ? { express: freshExpress() } : {};
      const app = await benchServer(framework, variant, modules);
      apps.push({
        variant,
        ...app,
        connection: connect(app.server),
        batches: [],
        walls: [],
        sent: 0,
      });
    }
    const cookies = [];
    for (const app of apps)
      cookies.push(describeCookie(setCookieLines(await app.connection.send(requests[0]))));
    for (let round = 0; round < WARMUP_ROUNDS + rounds; round++) {
      const order = round % 2 ? [...apps].reverse() : apps;
      for (const app of order) {
        const cpu = process.cpuUsage();
        const start = process.hrtime.bigint();
        for (let i = 0; i < BATCH; i++)
          await app.connection.send(requests[++app.sent % requests.length]);
        if (round < WARMUP_ROUNDS) continue;
        app.walls.push(Number(process.hrtime.bigint() - start));
        const used = process.cpuUsage(cpu);
        app.batches.push((used.user + used.system) * 1000);
      }
    }
    const of = (key) => Object.fromEntries(apps.map((app) => [app.variant, app[key]]));
    return {
      framework,
      batches: of("batches"),
      walls: of("walls"),
      cookies,
      variants: apps.map((app) => app.variant),
    };
  } finally {
    for (const app of apps) {
      app.connection.close();
      await app.close();
    }
  }
}

/** The value at fraction `f` of the sorted values. */
function quantile(values, f) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * f))];
}
/**
 * Requests per CPU second (or per second of wall clock, `times` "walls") of `b` relative
 * to `a`, paired by round: median and quartiles.
 */
function pairedRatio(r, a, b, times = "batches") {
  const ratios = r[times][a].map((ns, i) => ns / r[times][b][i]);
  return [0.5, 0.25, 0.75].map((f) => quantile(ratios, f));
}
/**
 * A 95% confidence interval of that median, from order statistics (no assumption on the
 * ratios' distribution): the values at ranks n/2 ± 1.96·√n/2.
 */
function medianInterval(r, a, b) {
  const ratios = r.batches[a].map((ns, i) => ns / r.batches[b][i]).sort((x, y) => x - y);
  const half = 0.98 * Math.sqrt(ratios.length);
  const at = (rank) => ratios[Math.max(0, Math.min(ratios.length - 1, Math.round(rank)))];
  return [at(ratios.length / 2 - half), at(ratios.length / 2 + half)];
}
const usPerRequest = (r, v) => quantile(r.batches[v], 0.5) / 1000 / BATCH;

/** One table row per adapter variant (A; for Hono also D, its own setCookie). */
function tableRows(r) {
  const rows = [];
  for (const variant of r.variants.filter((v) => v !== "native" && v !== "middleware")) {
    const [an, anLow, anHigh] = pairedRatio(r, "native", variant);
    const [ciLow, ciHigh] = medianInterval(r, "native", variant);
    const flag = an >= TARGET ? "" : `  (below ${TARGET})`;
    const times = ["native", "middleware", variant]
      .map((v) => usPerRequest(r, v).toFixed(1))
      .join(" / ");
    const label = variant === "adapter" ? r.framework : `${r.framework} (D)`;
    const cells = [
      label.padEnd(9),
      times.padEnd(20),
      `${an.toFixed(3)} [${anLow.toFixed(3)}–${anHigh.toFixed(3)}]`.padEnd(21),
      `${ciLow.toFixed(3)}–${ciHigh.toFixed(3)}`,
      pairedRatio(r, "native", "middleware")[0].toFixed(3),
      pairedRatio(r, "middleware", variant)[0].toFixed(3),
      `${pairedRatio(r, "native", variant, "walls")[0].toFixed(3)}${flag}`,
    ];
    rows.push(cells.join(" | "));
  }
  return rows;
}

const HEADER = [
  "framework | CPU µs/req N / M / A | A/N (target) [IQR]    | A/N 95% CI  | M/N   | A/M   | A/N by wall clock",
  "----------|----------------------|-----------------------|-------------|-------|-------|------------------",
];
const traffics = [
  {
    title: `Realistic traffic: a different client (X-Forwarded-For) and cookie value per request, through a trusted loopback proxy (X-Forwarded-Proto https), ${ROUNDS} rounds`,
    requests: REALISTIC,
    rounds: ROUNDS,
  },
  {
    title: `Repeated traffic: one request over and over, ${REPEATED_ROUNDS} rounds`,
    requests: REPEATED,
    rounds: REPEATED_ROUNDS,
  },
].filter((t) => t.rounds > 0);

const lines = [
  `POST /login in one process, batches of ${BATCH} requests per variant (after ${WARMUP_ROUNDS} rounds of warm-up)`,
  "N: native cookie call with the framework's own trust-proxy setting, M: native + one empty",
  "middleware, A: adapter; Hono (D): the adapter with @scope/cookie-hono's setCookie. Ratios are",
  "of requests per CPU second of this process, paired by round: the median over rounds",
  "[interquartile range], with the median's 95% confidence interval; the last column pairs",
  "wall-clock times instead (time spent waiting for a busy host's cores included).",
];
let first = null;
for (const traffic of traffics) {
  lines.push("", traffic.title, ...HEADER);
  for (const framework of values.framework.split(",")) {
    const r = await measure(framework, traffic.requests, traffic.rounds);
    first ??= [];
    if (traffic.requests === REALISTIC) first.push(r);
    lines.push(...tableRows(r));
  }
}
lines.push("", "Set-Cookie of one login (value and Expires left out):");
for (const r of first ?? []) {
  for (const [i, v] of r.variants.entries())
    lines.push(`  ${`${r.framework} ${v}:`.padEnd(19)} ${r.cookies[i]}`);
}
console.log(lines.join("\n"));
