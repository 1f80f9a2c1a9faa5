/**
 * Adapter overhead: for each framework, `POST /login` (sets sessionId) with the
 * cookie-policy adapter (A) vs the same app setting the same cookie through the
 * framework's own API (N), and vs that app with one empty middleware (M), each in a child
 * process on loopback, driven by autocannon from this process. Prints req/s and A/N
 * (target ≥ 0.97); M/N is what any middleware costs the framework, A/M the policy's own.
 *   node bench/adapters.bench.mjs [--duration 4] [--connections 10] [--rounds 1]
 *     [--sets 3] [--framework express,fastify,hono,koa]
 * A round is N M A A M N after a warm-up. On a 2-core machine one Node process can run
 * ±10% faster or slower than another of the same program (JIT and heap layout, and the
 * client sharing the cores), so each set is a fresh process per variant and each ratio
 * printed is the median over sets, with its range.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { VARIANTS } from "./apps.mjs";
import { loginCookie } from "./login-cookie.mjs";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "4" },
    connections: { type: "string", default: "10" },
    framework: { type: "string", default: "express,fastify,hono,koa" },
    rounds: { type: "string", default: "1" },
    sets: { type: "string", default: "3" },
  },
});
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const ROUNDS = Number(values.rounds);
const SETS = Number(values.sets);
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
 * CPU per request is reported beside the throughput: on a shared machine it tells a server
 * that was slow from one that was starved. (Both move by ±10% between runs here; the
 * in-process bench is the steady figure.)
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

/** One set: a fresh process per variant, warmed up, then (N M A A M N) × ROUNDS. */
async function measureSet(framework) {
  const servers = {};
  try {
    for (const variant of VARIANTS) servers[variant] = await startWithRetry(framework, variant);
    const cookies = {};
    for (const variant of VARIANTS)
      cookies[variant] = await loginCookie(`${servers[variant].url}/login`);
    for (const variant of VARIANTS) await load(servers[variant].url, WARMUP);
    const samples = Object.fromEntries(VARIANTS.map((v) => [v, []]));
    const cpu = Object.fromEntries(VARIANTS.map((v) => [v, { ms: 0, requests: 0 }]));
    const order = Array.from({ length: ROUNDS }, () => [...VARIANTS, ...[...VARIANTS].reverse()]);
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
    return {
      perSecond: Object.fromEntries(VARIANTS.map((v) => [v, mean(samples[v])])),
      cpu,
      cookies,
    };
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

/** The median over sets of a/b, with its range. */
function ratioOf(sets, a, b) {
  const ratios = sets.map((set) => set.perSecond[a] / set.perSecond[b]);
  return { median: median(ratios), low: Math.min(...ratios), high: Math.max(...ratios) };
}

const rows = [];
for (const framework of values.framework.split(",")) {
  try {
    const sets = [];
    for (let i = 0; i < SETS; i++) sets.push(await measureSet(framework));
    const cpu = (variant) =>
      usPerRequest({
        ms: sets.reduce((sum, set) => sum + set.cpu[variant].ms, 0),
        requests: sets.reduce((sum, set) => sum + set.cpu[variant].requests, 0),
      });
    rows.push({
      framework,
      perSecond: Object.fromEntries(
        VARIANTS.map((v) => [v, mean(sets.map((set) => set.perSecond[v]))]),
      ),
      ratio: ratioOf(sets, "adapter", "native"),
      empty: ratioOf(sets, "middleware", "native"),
      own: ratioOf(sets, "adapter", "middleware"),
      cpu: Object.fromEntries(VARIANTS.map((v) => [v, cpu(v)])),
      cookies: sets[0].cookies,
    });
  } catch (err) {
    rows.push({ framework, error: String(err?.message ?? err).split("\n")[0] });
  }
}

const showRatio = (r) => `${r.median.toFixed(3)} (${r.low.toFixed(3)}–${r.high.toFixed(3)})`;
const cpuColumn = (r) =>
  VARIANTS.some((v) => r.cpu[v] === null)
    ? "n/a (no /proc)"
    : VARIANTS.map((v) => r.cpu[v].toFixed(1)).join(", ");

const lines = [
  `POST /login, ${CONNECTIONS} connections, ${SETS} process sets, each ${DURATION} s × ${2 * ROUNDS} per variant (N M A A M N × ${ROUNDS}, after ${WARMUP} s warm-up)`,
  "N: native cookie call, M: native + one empty middleware, A: adapter. Ratios: median of sets (range).",
  "",
  "framework | req/s N / M / A       | A/N (target)          | M/N (any middleware)  | A/M (the policy)      | CPU µs/req N, M, A",
  "----------|-----------------------|-----------------------|-----------------------|-----------------------|-------------------",
];
for (const r of rows) {
  if (r.error) {
    lines.push(`${r.framework.padEnd(9)} | failed: ${r.error}`);
    continue;
  }
  const flag = r.ratio.median >= TARGET ? "" : `  (A/N below ${TARGET})`;
  const rates = VARIANTS.map((v) => r.perSecond[v].toFixed(0)).join(" / ");
  lines.push(
    `${r.framework.padEnd(9)} | ${rates.padEnd(21)} | ${showRatio(r.ratio).padEnd(21)} | ${showRatio(r.empty).padEnd(21)} | ${showRatio(r.own).padEnd(21)} | ${cpuColumn(r)}${flag}`,
  );
}
lines.push("", "Set-Cookie of one login (value and Expires left out):");
for (const r of rows.filter((row) => !row.error)) {
  for (const v of VARIANTS) lines.push(`  ${`${r.framework} ${v}:`.padEnd(19)} ${r.cookies[v]}`);
}
console.log(lines.join("\n"));
if (rows.some((r) => r.error)) process.exitCode = 1;
