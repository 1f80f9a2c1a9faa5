/**
 * Adapter overhead: for each framework, `POST /login` (sets sessionId) with the
 * cookie-policy adapter (A) vs the same app setting the same cookie through the
 * framework's own API with its own trust-proxy setting (N), and vs that app with one empty
 * middleware (M), each in a child process on loopback, driven by autocannon from this
 * process with realistic traffic (traffic.mjs: every request a different client in
 * X-Forwarded-For, X-Forwarded-Proto https, its own cookie values). Prints req/s and A/N
 * (target ≥ 0.97); M/N is what any middleware costs the framework, A/M the policy's own.
 * Hono is also measured with its adapter's own setCookie (D, in place of A).
 *   node bench/adapters.bench.mjs [--duration 3] [--connections 10] [--rounds 2]
 *     [--sets 3] [--framework express,fastify,hono,koa]
 * A round is N M A A M N after a warm-up. On a 2-core machine one Node process can run
 * ±10% faster or slower than another of the same program (JIT and heap layout, and the
 * client sharing the cores), so each set is a fresh process per variant, and each ratio
 * printed is paired by round (the variants' runs of one round are seconds apart): the
 * median over every round of every set, with its quartiles.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { variantsOf, withRetry } from "./apps.mjs";
import {
  CLIENT_HEADERS,
  load as loadFor,
  mean,
  pairedRatio,
  showRatio,
  startServer,
} from "./load.mjs";
import { loginCookie } from "./login-cookie.mjs";
import { cpuMs } from "./proc-cpu.mjs";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "3" },
    connections: { type: "string", default: "10" },
    framework: { type: "string", default: "express,fastify,hono,koa" },
    rounds: { type: "string", default: "2" },
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

const start = (framework, variant) =>
  startServer([SERVER, "--framework", framework, "--variant", variant], {
    label: `${framework}/${variant}`,
  });

const load = (url, duration) => loadFor(`${url}/login`, { connections: CONNECTIONS, duration });

/**
 * One set: a fresh process per variant, warmed up, then ROUNDS rounds of (N M A A M N); a
 * variant's figure for a round is the mean of its two runs in it.
 */
async function measureSet(framework) {
  const VARIANTS = variantsOf(framework);
  const servers = {};
  try {
    for (const variant of VARIANTS)
      servers[variant] = await withRetry(() => start(framework, variant));
    const cookies = {};
    for (const variant of VARIANTS)
      cookies[variant] = await loginCookie(`${servers[variant].url}/login`, CLIENT_HEADERS[0]);
    for (const variant of VARIANTS) await load(servers[variant].url, WARMUP);
    const rounds = [];
    const cpuRounds = [];
    const cpu = Object.fromEntries(VARIANTS.map((v) => [v, { ms: 0, requests: 0 }]));
    for (let round = 0; round < ROUNDS; round++) {
      const samples = Object.fromEntries(VARIANTS.map((v) => [v, []]));
      const used = Object.fromEntries(VARIANTS.map((v) => [v, { ms: 0, requests: 0 }]));
      for (const variant of [...VARIANTS, ...[...VARIANTS].reverse()]) {
        const { pid, url } = servers[variant];
        const before = cpuMs(pid);
        const { perSecond, total } = await load(url, DURATION);
        const after = cpuMs(pid);
        samples[variant].push(perSecond);
        if (before !== null && after !== null) {
          used[variant].ms += after - before;
          used[variant].requests += total;
        }
      }
      rounds.push(Object.fromEntries(VARIANTS.map((v) => [v, mean(samples[v])])));
      // Requests per CPU second of each server in this round.
      cpuRounds.push(
        Object.fromEntries(VARIANTS.map((v) => [v, used[v].requests / (used[v].ms || Number.NaN)])),
      );
      for (const v of VARIANTS) {
        cpu[v].ms += used[v].ms;
        cpu[v].requests += used[v].requests;
      }
    }
    return { rounds, cpuRounds, cpu, cookies };
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  }
}

const usPerRequest = (c) => (c.requests > 0 ? (1000 * c.ms) / c.requests : null);

const rows = [];
for (const framework of values.framework.split(",")) {
  const VARIANTS = variantsOf(framework);
  try {
    const sets = [];
    for (let i = 0; i < SETS; i++) sets.push(await measureSet(framework));
    const rounds = sets.flatMap((set) => set.rounds);
    const cpuRounds = sets.flatMap((set) => set.cpuRounds);
    const cpu = (variant) =>
      usPerRequest({
        ms: sets.reduce((sum, set) => sum + set.cpu[variant].ms, 0),
        requests: sets.reduce((sum, set) => sum + set.cpu[variant].requests, 0),
      });
    for (const variant of VARIANTS.filter((v) => v !== "native" && v !== "middleware")) {
      const shown = ["native", "middleware", variant];
      rows.push({
        label: variant === "adapter" ? framework : `${framework} (D)`,
        perSecond: shown.map((v) => mean(rounds.map((round) => round[v]))),
        ratio: pairedRatio(rounds, variant, "native"),
        cpuRatio: pairedRatio(cpuRounds, variant, "native"),
        empty: pairedRatio(rounds, "middleware", "native"),
        own: pairedRatio(rounds, variant, "middleware"),
        cpu: shown.map(cpu),
        cookies: VARIANTS.map((v) => [`${framework} ${v}:`, sets[0].cookies[v]]),
      });
    }
  } catch (err) {
    rows.push({ label: framework, error: String(err?.message ?? err).split("\n")[0] });
  }
}

const cpuColumn = (r) =>
  r.cpu.some((us) => us === null) ? "n/a (no /proc)" : r.cpu.map((us) => us.toFixed(1)).join(", ");

const lines = [
  `POST /login, realistic traffic (a different client and cookie value per request through a trusted loopback proxy), ${CONNECTIONS} connections`,
  `${SETS} process sets × ${ROUNDS} rounds, a round being N M A A M N of ${DURATION} s each (after ${WARMUP} s warm-up per process)`,
  "N: native cookie call with the framework's own trust-proxy setting, M: native + one empty middleware,",
  "A: adapter; Hono (D): the adapter with its own setCookie. Ratios of req/s, paired by round: median [quartiles];",
  "the last column pairs the servers' requests per CPU second instead (steadier when other processes share the cores).",
  "",
  "framework | req/s N / M / A       | A/N (target)          | M/N (any middleware)  | A/M (the policy)      | CPU µs/req N, M, A  | A/N per CPU second",
  "----------|-----------------------|-----------------------|-----------------------|-----------------------|---------------------|----------------------",
];
for (const r of rows) {
  if (r.error) {
    lines.push(`${r.label.padEnd(9)} | failed: ${r.error}`);
    continue;
  }
  const flag = r.ratio.median >= TARGET ? "" : `  (A/N below ${TARGET})`;
  const rates = r.perSecond.map((rate) => rate.toFixed(0)).join(" / ");
  lines.push(
    `${r.label.padEnd(9)} | ${rates.padEnd(21)} | ${showRatio(r.ratio).padEnd(21)} | ${showRatio(r.empty).padEnd(21)} | ${showRatio(r.own).padEnd(21)} | ${cpuColumn(r).padEnd(19)} | ${showRatio(r.cpuRatio)}${flag}`,
  );
}
lines.push("", "Set-Cookie of one login (value and Expires left out):");
const described = new Set();
for (const [label, cookie] of rows.flatMap((row) => row.cookies ?? [])) {
  if (described.has(label)) continue;
  described.add(label);
  lines.push(`  ${label.padEnd(19)} ${cookie}`);
}
console.log(lines.join("\n"));
if (rows.some((r) => r.error)) process.exitCode = 1;
