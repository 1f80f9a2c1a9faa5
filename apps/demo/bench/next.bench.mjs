/**
 * Next.js wrapper overhead: `POST /login` through a route handler wrapped by
 * `cp.route()` (NextResponse.cookies.set, the policy applied to its Set-Cookie) vs
 * `POST /bench/native-login`, Next's native `cookies().set` with Next's own trust of
 * X-Forwarded-Proto (Secure when `request.url` is https) and the attributes the policy
 * decides (HttpOnly, SameSite=Strict, Max-Age=3600, Path=/). Both routes live in the one
 * built app (`pnpm build`), behind the same proxy.ts, served by the demo's Next server
 * (`serve.mjs --config FILE --env production`: the app reads the policy file at run time, no
 * rebuild) in a child process. The traffic is realistic (traffic.mjs): every request a
 * different client in X-Forwarded-For, X-Forwarded-Proto https, its own cookie values. The
 * bench policy trusts one hop (`proxy.trust: 1`), what a Next app behind one proxy
 * configures, since Next.js hands the app no peer address. autocannon drives both routes
 * from here, a round being native, wrapper, wrapper, native after a warm-up. Prints req/s
 * for both and the ratio (target ≥ 0.95), paired by round: the median over rounds with its
 * quartiles, also per CPU second of the server (steadier when other processes share the
 * cores).
 *   node bench/next.bench.mjs [--duration 2] [--connections 10] [--rounds 12]
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  CLIENT_HEADERS,
  load as loadFor,
  mean,
  pairedRatio,
  quantile,
  showRatio,
  startServer,
} from "./load.mjs";
import { loginCookie } from "./login-cookie.mjs";
import { cpuMs } from "./proc-cpu.mjs";
import { BENCH_ENV, BENCH_POLICY } from "./traffic.mjs";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "2" },
    connections: { type: "string", default: "10" },
    rounds: { type: "string", default: "12" },
  },
});
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const ROUNDS = Number(values.rounds);
const WARMUP = 5;
const TARGET = 0.95;
const SERVE = fileURLToPath(new URL("../bin/serve.mjs", import.meta.url));
const PATHS = { wrapper: "/login", native: "/bench/native-login" };

/** The benches' policy, trusting the one hop in front of the app by count, not address. */
const POLICY = {
  ...BENCH_POLICY,
  proxy: { trust: 1, headers: ["x-forwarded-for", "x-forwarded-proto"] },
};

const startNext = (config) =>
  startServer([SERVE, "--framework", "next", "--config", config, "--env", BENCH_ENV], {
    label: "next server",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });

const load = (url, duration) => loadFor(url, { connections: CONNECTIONS, duration });

/** req/s of `variant` in one run, and its requests per CPU second of the server (or NaN). */
async function run(variant, url) {
  const before = cpuMs(server.pid);
  const { perSecond, total } = await load(url, DURATION);
  const after = cpuMs(server.pid);
  return {
    variant,
    perSecond,
    perCpuSecond: before === null ? Number.NaN : (1000 * total) / (after - before),
  };
}

const dir = mkdtempSync(join(tmpdir(), "next-bench-"));
const config = join(dir, "cookie-policy.json");
writeFileSync(config, JSON.stringify(POLICY));
const server = await startNext(config);
try {
  const url = (variant) => `${server.url}${PATHS[variant]}`;
  const cookies = {
    native: await loginCookie(url("native"), CLIENT_HEADERS[0]),
    wrapper: await loginCookie(url("wrapper"), CLIENT_HEADERS[0]),
  };
  if (cookies.native !== cookies.wrapper) {
    throw new Error(
      `the two routes set different cookies:\n  ${cookies.native}\n  ${cookies.wrapper}`,
    );
  }
  for (const variant of ["native", "wrapper"]) await load(url(variant), WARMUP);
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const runs = [];
    for (const variant of ["native", "wrapper", "wrapper", "native"])
      runs.push(await run(variant, url(variant)));
    const of = (variant, key) => mean(runs.filter((r) => r.variant === variant).map((r) => r[key]));
    rounds.push({
      native: of("native", "perSecond"),
      wrapper: of("wrapper", "perSecond"),
      nativeCpuUs: 1e6 / of("native", "perCpuSecond"),
      wrapperCpuUs: 1e6 / of("wrapper", "perCpuSecond"),
      wrapperPerCpuSecond: of("wrapper", "perCpuSecond"),
      nativePerCpuSecond: of("native", "perCpuSecond"),
    });
  }
  const ratio = pairedRatio(rounds, "wrapper", "native");
  const row = (variant, cpuKey) => {
    const perSecond = mean(rounds.map((r) => r[variant])).toFixed(0);
    const cpuUs = quantile(
      rounds.map((r) => r[cpuKey]),
      0.5,
    ).toFixed(0);
    return `${perSecond.padEnd(24)} | ${cpuUs}`;
  };
  const cpu = pairedRatio(rounds, "wrapperPerCpuSecond", "nativePerCpuSecond");
  console.log(
    [
      `Next.js POST /login, realistic traffic (a different client and cookie value per request through one trusted proxy hop), ${CONNECTIONS} connections, ${ROUNDS} rounds of (native, wrapper, wrapper, native) × ${DURATION} s, after ${WARMUP} s warm-up`,
      "variant                          | req/s (mean over rounds) | server CPU µs per request (median)",
      "---------------------------------|--------------------------|-----------------------------------",
      `native cookies().set            | ${row("native", "nativeCpuUs")}`,
      `cp.route() + res.cookies.set    | ${row("wrapper", "wrapperCpuUs")}`,
      `wrapper/native, paired by round: ${showRatio(ratio)}${ratio.median >= TARGET ? "" : `  (below ${TARGET})`}`,
      `per CPU second of the server:    ${showRatio(cpu)}`,
      `Set-Cookie of one login (both): ${cookies.native}`,
    ].join("\n"),
  );
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
