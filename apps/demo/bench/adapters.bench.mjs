/**
 * Adapter overhead: for each framework, `POST /login` (sets sessionId) with the
 * cookie-policy adapter vs the same app without it, both on loopback in child
 * processes, driven by autocannon from this process. Order alternates (ABBA) after a
 * warm-up; prints req/s for both and the ratio adapter/native (target ≥ 0.97).
 *   node bench/adapters.bench.mjs [--duration 4] [--connections 10] [--rounds 1]
 *     [--pairs 3] [--framework express,fastify,hono,koa]
 * A round is native, adapter, adapter, native. On a 2-core machine one Node process can
 * run ±10% faster or slower than another of the same program (JIT and heap layout, and
 * the client sharing the cores), so each pair is a fresh native and adapter process and
 * the ratio printed is the median of the pairs' ratios, with their range.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import setCookieParser from "set-cookie-parser";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "4" },
    connections: { type: "string", default: "10" },
    framework: { type: "string", default: "express,fastify,hono,koa" },
    rounds: { type: "string", default: "1" },
    pairs: { type: "string", default: "3" },
  },
});
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const ROUNDS = Number(values.rounds);
const PAIRS = Number(values.pairs);
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
        pid: child.pid,
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

/** A few tries: in a shared checkout a package's dist/ may be mid-rebuild for a moment. */
async function startWithRetry(framework, variant) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(framework, variant);
    } catch (err) {
      if (attempt === 3) throw err;
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    }
  }
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
  return { perSecond: result.requests.average, total: result.requests.total };
}

/**
 * The server's CPU time so far in ms (Linux /proc, user + system), or null elsewhere.
 * CPU per request is much less disturbed by other processes on a shared machine than
 * req/s: it is reported beside the throughput.
 */
const TICK_MS = 10; // USER_HZ is 100 on Linux
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

/** One pair: a fresh native and adapter process, warmed up, then ABBA × ROUNDS. */
async function measurePair(framework) {
  const servers = {};
  try {
    servers.native = await startWithRetry(framework, "native");
    servers.adapter = await startWithRetry(framework, "adapter");
    const cookies = {
      native: await loginCookie(servers.native.url),
      adapter: await loginCookie(servers.adapter.url),
    };
    for (const variant of ["native", "adapter"]) await load(servers[variant].url, WARMUP);
    const samples = { native: [], adapter: [] };
    const cpu = { native: { ms: 0, requests: 0 }, adapter: { ms: 0, requests: 0 } };
    const order = Array.from({ length: ROUNDS }, () => ["native", "adapter", "adapter", "native"]);
    for (const variant of order.flat()) {
      const { pid, url } = servers[variant];
      const before = cpuMs(pid);
      const { perSecond, total } = await load(url, DURATION);
      const after = cpuMs(pid);
      samples[variant].push(perSecond);
      if (before !== null && after !== null) {
        cpu[variant].ms += after - before;
        cpu[variant].requests += total;
      }
    }
    return { native: mean(samples.native), adapter: mean(samples.adapter), cpu, cookies };
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  }
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const usPerRequest = (c) => (c.requests > 0 ? (1000 * c.ms) / c.requests : null);

const rows = [];
for (const framework of values.framework.split(",")) {
  try {
    const pairs = [];
    for (let i = 0; i < PAIRS; i++) pairs.push(await measurePair(framework));
    const ratios = pairs.map((p) => p.adapter / p.native);
    const cpu = (variant) =>
      usPerRequest({
        ms: pairs.reduce((sum, p) => sum + p.cpu[variant].ms, 0),
        requests: pairs.reduce((sum, p) => sum + p.cpu[variant].requests, 0),
      });
    rows.push({
      framework,
      native: mean(pairs.map((p) => p.native)),
      adapter: mean(pairs.map((p) => p.adapter)),
      ratio: median(ratios),
      low: Math.min(...ratios),
      high: Math.max(...ratios),
      cpuNative: cpu("native"),
      cpuAdapter: cpu("adapter"),
      cookies: pairs[0].cookies,
    });
  } catch (err) {
    rows.push({ framework, error: String(err?.message ?? err).split("\n")[0] });
  }
}

function cpuColumns(r) {
  if (r.cpuNative === null || r.cpuAdapter === null) return "n/a (no /proc)";
  const both = `${r.cpuNative.toFixed(1)}, ${r.cpuAdapter.toFixed(1)}`;
  return `${both.padStart(32)} | ${(r.cpuNative / r.cpuAdapter).toFixed(3).padStart(17)}`;
}

const lines = [
  `POST /login, ${CONNECTIONS} connections, ${PAIRS} process pairs, each ${DURATION} s × ${2 * ROUNDS} per variant (ABBA × ${ROUNDS}, after ${WARMUP} s warm-up)`,
  "framework | native req/s | adapter req/s | adapter/native (median of pairs, range) | server CPU µs/req native, adapter | native/adapter CPU",
  "----------|--------------|---------------|-----------------------------------------|----------------------------------|-------------------",
];
for (const r of rows) {
  if (r.error) {
    lines.push(`${r.framework.padEnd(9)} | failed: ${r.error}`);
    continue;
  }
  const flag = r.ratio >= TARGET ? "" : `  (below ${TARGET})`;
  lines.push(
    `${r.framework.padEnd(9)} | ${r.native.toFixed(0).padStart(12)} | ${r.adapter.toFixed(0).padStart(13)} | ${`${r.ratio.toFixed(3)} (${r.low.toFixed(3)}–${r.high.toFixed(3)})`.padStart(39)} | ${cpuColumns(r)}${flag}`,
  );
}
lines.push("", "Set-Cookie of one login (value and Expires left out):");
for (const r of rows.filter((row) => !row.error)) {
  lines.push(
    `  ${r.framework} native:  ${r.cookies.native}`,
    `  ${r.framework} adapter: ${r.cookies.adapter}`,
  );
}
console.log(lines.join("\n"));
if (rows.some((r) => r.error)) process.exitCode = 1;
