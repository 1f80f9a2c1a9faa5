/**
 * Adapter overhead: for each framework, `POST /login` (sets sessionId) with the
 * cookie-policy adapter vs the same app without it, both on loopback in child
 * processes, driven by autocannon from this process. Order alternates (ABBA) after a
 * warm-up; prints req/s for both and the ratio adapter/native (target ≥ 0.97).
 *   node bench/adapters.bench.mjs [--duration 5] [--connections 10] [--rounds 1]
 *     [--framework express,fastify,hono,koa]
 * A round is native, adapter, adapter, native; more rounds average out a busy machine.
 */
import { spawn } from "node:child_process";
import { request } from "node:http";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import setCookieParser from "set-cookie-parser";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "5" },
    connections: { type: "string", default: "10" },
    framework: { type: "string", default: "express,fastify,hono,koa" },
    rounds: { type: "string", default: "1" },
  },
});
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const ROUNDS = Number(values.rounds);
const WARMUP = 2;
const TARGET = 0.97;
const SERVER = fileURLToPath(new URL("./server.mjs", import.meta.url));

// A crash of this process must not leave servers behind.
const children = new Set();
process.on("exit", () => {
  for (const child of children) child.kill("SIGTERM");
});

function start(framework, variant) {
  const child = spawn(process.execPath, [SERVER, "--framework", framework, "--variant", variant], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${framework}/${variant} exited ${code}`)));
    createInterface({ input: child.stdout }).once("line", (line) => {
      const { url } = JSON.parse(line);
      resolve({
        url,
        stop: () =>
          new Promise((done) => {
            child.removeAllListeners("exit");
            child.once("exit", done);
            child.kill("SIGTERM");
          }),
      });
    });
  });
}

/** The Set-Cookie of one login, as attributes (value and Expires left out: they vary). */
function loginCookie(url) {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/login`, { method: "POST" }, (res) => {
      res.resume();
      const [c] = setCookieParser.parse(res.headers["set-cookie"] ?? []);
      if (!c) return resolve("(no cookie)");
      resolve(
        `${c.name} Max-Age=${c.maxAge ?? "-"} Path=${c.path} HttpOnly=${Boolean(c.httpOnly)} Secure=${Boolean(c.secure)} SameSite=${c.sameSite?.toLowerCase()}`,
      );
    });
    req.on("error", reject);
    req.end();
  });
}

async function load(url, duration) {
  const result = await autocannon({
    url: `${url}/login`,
    method: "POST",
    connections: CONNECTIONS,
    duration,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return result.requests.average;
}

const rows = [];
for (const framework of values.framework.split(",")) {
  const servers = {};
  try {
    servers.native = await start(framework, "native");
    servers.adapter = await start(framework, "adapter");
    const cookies = {
      native: await loginCookie(servers.native.url),
      adapter: await loginCookie(servers.adapter.url),
    };
    for (const variant of ["native", "adapter"]) await load(servers[variant].url, WARMUP);
    const samples = { native: [], adapter: [] };
    const order = Array.from({ length: ROUNDS }, () => ["native", "adapter", "adapter", "native"]);
    for (const variant of order.flat()) {
      samples[variant].push(await load(servers[variant].url, DURATION));
    }
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const native = mean(samples.native);
    const adapter = mean(samples.adapter);
    rows.push({ framework, native, adapter, ratio: adapter / native, cookies });
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  }
}

const lines = [
  `POST /login, ${CONNECTIONS} connections, ${DURATION} s × ${2 * ROUNDS} per variant (ABBA × ${ROUNDS}, after ${WARMUP} s warm-up)`,
  "framework | native req/s | adapter req/s | adapter/native",
  "----------|--------------|---------------|---------------",
];
for (const r of rows) {
  const flag = r.ratio >= TARGET ? "" : `  (below ${TARGET})`;
  lines.push(
    `${r.framework.padEnd(9)} | ${r.native.toFixed(0).padStart(12)} | ${r.adapter.toFixed(0).padStart(13)} | ${r.ratio.toFixed(3)}${flag}`,
  );
}
lines.push("", "Set-Cookie of one login (value and Expires left out):");
for (const r of rows) {
  lines.push(
    `  ${r.framework} native:  ${r.cookies.native}`,
    `  ${r.framework} adapter: ${r.cookies.adapter}`,
  );
}
console.log(lines.join("\n"));
