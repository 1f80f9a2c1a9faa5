/**
 * The adapters' cost without the noise of a shared machine: for each framework, the three
 * apps of apps.mjs (native N, empty middleware M, adapter A) live in this one process, each
 * behind a real http.Server fed raw HTTP/1.1 through an in-memory keep-alive socket, and
 * take turns in batches of requests (order reversed every round), so a slow spell of the
 * host falls on all three alike. Prints µs of CPU-bound work per request and A/N (target ≥
 * 0.97), M/N and A/M. The loopback bench (adapters.bench.mjs) measures throughput with
 * autocannon; between processes and over time it varies by ±10% here, this by about ±1%
 * (±3% for Hono, whose requests are short).
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
      apps.push({ variant, ...app, connection: connect(app.server), ns: 0n });
    }
    const cookies = [];
    for (const app of apps)
      cookies.push(describeCookie(setCookieLines(await app.connection.send())));
    for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
      const order = round % 2 ? [...apps].reverse() : apps;
      for (const app of order) {
        const start = process.hrtime.bigint();
        for (let i = 0; i < BATCH; i++) await app.connection.send();
        if (round >= WARMUP_ROUNDS) app.ns += process.hrtime.bigint() - start;
      }
    }
    const us = Object.fromEntries(
      apps.map((app) => [app.variant, Number(app.ns) / 1000 / (ROUNDS * BATCH)]),
    );
    return { framework, us, cookies };
  } finally {
    for (const app of apps) {
      app.connection.close();
      await app.close();
    }
  }
}

const rows = [];
for (const framework of values.framework.split(",")) rows.push(await measure(framework));

const ratio = (r, a, b) => (r.us[b] / r.us[a]).toFixed(3);
const lines = [
  `POST /login in one process, ${ROUNDS} rounds × ${BATCH} requests per variant (after ${WARMUP_ROUNDS} rounds of warm-up)`,
  "N: native cookie call, M: native + one empty middleware, A: adapter. Ratios are of requests per second.",
  "",
  "framework | µs/request N / M / A  | A/N (target) | M/N   | A/M",
  "----------|-----------------------|--------------|-------|------",
];
for (const r of rows) {
  const flag = r.us.native / r.us.adapter >= TARGET ? "" : `  (A/N below ${TARGET})`;
  const times = VARIANTS.map((v) => r.us[v].toFixed(1)).join(" / ");
  lines.push(
    `${r.framework.padEnd(9)} | ${times.padEnd(21)} | ${ratio(r, "adapter", "native").padEnd(12)} | ${ratio(r, "middleware", "native")} | ${ratio(r, "adapter", "middleware")}${flag}`,
  );
}
lines.push("", "Set-Cookie of one login (value and Expires left out):");
for (const r of rows) {
  for (const [i, v] of VARIANTS.entries())
    lines.push(`  ${r.framework} ${`${v}:`.padEnd(11)} ${r.cookies[i]}`);
}
console.log(lines.join("\n"));
