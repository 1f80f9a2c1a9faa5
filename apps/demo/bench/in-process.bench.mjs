/**
 * The adapters' cost without the noise of a shared machine: for each framework, the three
 * apps of apps.mjs (native N, empty middleware M, adapter A) live in this one process, each
 * behind a real http.Server fed raw HTTP/1.1 through an in-memory keep-alive socket, and
 * take turns in batches of requests (order reversed every round), so a slow spell of the
 * host falls on all three alike.
 *
 * A ratio is paired: each round gives one (N's batch time / A's batch time, the batches a
 * few milliseconds apart), and the figure is the median over rounds, with its interquartile
 * range. A host that switches between fast and slow spells, and stalls a batch now and then
 * (here a batch's time runs from 38 µs to over 500 µs per request within one run), moves
 * sums and means by several percent; the paired median moves by 1–2%. The means' ratio
 * is printed beside it. µs per request are medians over batches.
 *   node bench/in-process.bench.mjs [--framework express,koa] [--rounds 2500] [--batch 20]
 * Express's native variants run on their own copy of Express: the adapter wraps Express's
 * prototypes, and requests that did not pass it would otherwise still go through the wraps.
 */
import { createRequire } from "node:module";
import { Duplex } from "node:stream";
import { parseArgs } from "node:util";
// Loaded before any copy is made, as the adapter will import it (see freshExpress).
import "express";
import { benchServer, FRAMEWORKS, VARIANTS } from "./apps.mjs";
import { describeCookie } from "./login-cookie.mjs";

const { values } = parseArgs({
  options: {
    framework: { type: "string", default: FRAMEWORKS.join(",") },
    rounds: { type: "string", default: "2500" },
    batch: { type: "string", default: "20" },
  },
});
const ROUNDS = Number(values.rounds);
const BATCH = Number(values.batch);
const WARMUP_ROUNDS = 200;
const TARGET = 0.97;
const REQUEST = Buffer.from(
  "POST /login HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nContent-Length: 0\r\n\r\n",
  "latin1",
);

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
    send: () =>
      new Promise((resolve) => {
        pending = resolve;
        socket.push(REQUEST);
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

async function measure(framework) {
  const apps = [];
  try {
    for (const variant of VARIANTS) {
      const modules =
        framework === "express" && variant !== "adapter" ? { express: freshExpress() } : {};
      const app = await benchServer(framework, variant, modules);
      apps.push({ variant, ...app, connection: connect(app.server), batches: [] });
    }
    const cookies = [];
    for (const app of apps)
      cookies.push(describeCookie(setCookieLines(await app.connection.send())));
    for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
      const order = round % 2 ? [...apps].reverse() : apps;
      for (const app of order) {
        const start = process.hrtime.bigint();
        for (let i = 0; i < BATCH; i++) await app.connection.send();
        if (round >= WARMUP_ROUNDS) app.batches.push(Number(process.hrtime.bigint() - start));
      }
    }
    const batches = Object.fromEntries(apps.map((app) => [app.variant, app.batches]));
    return { framework, batches, cookies };
  } finally {
    for (const app of apps) {
      app.connection.close();
      await app.close();
    }
  }
}

const rows = [];
for (const framework of values.framework.split(",")) rows.push(await measure(framework));

/** The value at fraction `f` of the sorted values. */
function quantile(values, f) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * f))];
}
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
/** Requests per second of `b` relative to `a`, paired by round: median and quartiles. */
function pairedRatio(r, a, b) {
  const ratios = r.batches[a].map((ns, i) => ns / r.batches[b][i]);
  return [0.5, 0.25, 0.75].map((f) => quantile(ratios, f));
}
const usPerRequest = (r, v) => quantile(r.batches[v], 0.5) / 1000 / BATCH;

const lines = [
  `POST /login in one process, ${ROUNDS} rounds × ${BATCH} requests per variant (after ${WARMUP_ROUNDS} rounds of warm-up)`,
  "N: native cookie call, M: native + one empty middleware, A: adapter. Ratios are of requests per",
  "second, paired by round: the median over rounds [interquartile range]; 'means' is the ratio of",
  "the mean batch times (host stalls included).",
  "",
  "framework | µs/request N / M / A | A/N (target)          | M/N   | A/M   | A/N of means",
  "----------|----------------------|-----------------------|-------|-------|-------------",
];
for (const r of rows) {
  const [an, anLow, anHigh] = pairedRatio(r, "native", "adapter");
  const flag = an >= TARGET ? "" : `  (A/N below ${TARGET})`;
  const times = VARIANTS.map((v) => usPerRequest(r, v).toFixed(1)).join(" / ");
  const cells = [
    r.framework.padEnd(9),
    times.padEnd(20),
    `${an.toFixed(3)} [${anLow.toFixed(3)}–${anHigh.toFixed(3)}]`.padEnd(21),
    pairedRatio(r, "native", "middleware")[0].toFixed(3),
    pairedRatio(r, "middleware", "adapter")[0].toFixed(3),
    `${(mean(r.batches.native) / mean(r.batches.adapter)).toFixed(3)}${flag}`,
  ];
  lines.push(cells.join(" | "));
}
lines.push("", "Set-Cookie of one login (value and Expires left out):");
for (const r of rows) {
  for (const [i, v] of VARIANTS.entries())
    lines.push(`  ${`${r.framework} ${v}:`.padEnd(19)} ${r.cookies[i]}`);
}
console.log(lines.join("\n"));
