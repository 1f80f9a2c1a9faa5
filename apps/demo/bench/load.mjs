/**
 * What the two HTTP benches share: a server in a child process, autocannon's realistic
 * load against it, and the statistics their tables print.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import autocannon from "autocannon";
import { CLIENTS, clientAddresses, proxiedHeaders } from "./traffic.mjs";

// A crash of the bench must not leave servers behind.
const children = new Set();
process.on("exit", () => {
  for (const child of children) child.kill("SIGTERM");
});

/**
 * Runs `node ...args`, a server that prints `{"url"}` on its first line once listening.
 * Resolves with that url, the child's pid (for its CPU time) and `stop()`.
 */
export function startServer(args, { label, env = process.env }) {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"], env });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${label} exited ${code}`)));
    createInterface({ input: child.stdout }).once("line", (line) => {
      resolve({
        url: JSON.parse(line).url,
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

/** Every request the next client's (shared by all variants; autocannon builds each one). */
export const CLIENT_HEADERS = clientAddresses(CLIENTS).map(proxiedHeaders);
let sent = 0;
const proxied = (request) => ({
  ...request,
  headers: CLIENT_HEADERS[sent++ % CLIENT_HEADERS.length],
});

/** POSTs to `url` for `duration` seconds, every request another client; any non-2xx fails. */
export async function load(url, { connections, duration }) {
  const result = await autocannon({
    url,
    connections,
    duration,
    requests: [{ method: "POST", setupRequest: proxied }],
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return { perSecond: result.requests.average, total: result.requests.total };
}

export const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The value at fraction `f` of the sorted values (the median of two is their mean). */
export function quantile(xs, f) {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (sorted.length - 1) * f;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.ceil(at)] - sorted[low]) * (at - low);
}

/** `a` over `b` in each round: the median and quartiles of those ratios. */
export function pairedRatio(rounds, a, b) {
  const ratios = rounds.map((round) => round[a] / round[b]);
  return {
    median: quantile(ratios, 0.5),
    low: quantile(ratios, 0.25),
    high: quantile(ratios, 0.75),
  };
}

/** A paired ratio as printed: `median [low–high]`. */
export const showRatio = (r) => `${r.median.toFixed(3)} [${r.low.toFixed(3)}–${r.high.toFixed(3)}]`;
