/**
 * Whether the policy's memory stays flat on realistic traffic: one long-lived policy decides
 * 10^6 requests, each from a different client behind the trusted proxy with its own cookie
 * value (traffic.mjs), as an adapter calls it (decideRequest, then setCookie). Prints the heap in
 * use after a full GC once warmed up, at every tenth of the run and at the end, and the
 * decision's CPU time per request (the same loop building the requests alone subtracted).
 *   node bench/heap.bench.mjs [--requests 1000000]
 */
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createCookiePolicy } from "@scope/cookie-core";
import { BENCH_ENV, BENCH_POLICY, cookieValue, distinctClient } from "./traffic.mjs";

const { values } = parseArgs({
  options: { requests: { type: "string", default: "1000000" } },
});
const REQUESTS = Number(values.requests);
const WARMUP = 20_000;
const MAX_GROWTH_KB = 512;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc");
const heapKb = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024;
};

const policy = createCookiePolicy(BENCH_POLICY, { env: BENCH_ENV, onReport: () => {} });
let secure = 0;
/** Request `i`: a different client and cookie value for each `i`. */
const request = (i) => ({
  encrypted: false,
  peer: "127.0.0.1",
  headers: {
    host: "shop.example",
    "x-forwarded-for": distinctClient(i),
    "x-forwarded-proto": "https",
  },
  method: "POST",
  url: "/login",
});
/** Decides requests `from` to `to`; with `decide` false only builds them. */
function run(from, to, decide) {
  let built = 0;
  for (let i = from; i < to; i++) {
    const req = request(i);
    const value = cookieValue(i);
    if (!decide) built += req.headers["x-forwarded-for"].length + value.length;
    else if (policy.decideRequest(req).setCookie("sessionId", value).secure) secure++;
  }
  return built;
}
/** CPU µs of `fn()`. */
function cpuUs(fn) {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

run(0, WARMUP, true);
run(0, WARMUP, false);
secure = 0;
const start = heapKb();
const points = [];
const step = REQUESTS / 10;
let decideUs = 0;
let buildUs = 0;
for (let done = 0; done < REQUESTS; done += step) {
  const from = WARMUP + done;
  decideUs += cpuUs(() => run(from, from + step, true));
  points.push(heapKb());
  buildUs += cpuUs(() => run(from, from + step, false));
}
const end = points.at(-1);
const growth = end - start;
console.log(
  [
    `Core decision (decideRequest + setCookie) on ${REQUESTS.toLocaleString("en")} requests, each a different client and cookie value through a trusted proxy`,
    `heapUsed after GC: ${start.toFixed(0)} KB warmed up, ${end.toFixed(0)} KB at the end (${growth >= 0 ? "+" : ""}${growth.toFixed(0)} KB)`,
    `  every tenth: ${points.map((kb) => kb.toFixed(0)).join(", ")} KB`,
    `${((decideUs - buildUs) / REQUESTS).toFixed(2)} CPU µs per decision (${(decideUs / REQUESTS).toFixed(2)} with building the request, ${(buildUs / REQUESTS).toFixed(2)} building alone); ${secure} of ${REQUESTS} decided Secure`,
    growth <= MAX_GROWTH_KB ? "heap flat" : `heap grew by more than ${MAX_GROWTH_KB} KB`,
  ].join("\n"),
);
if (secure !== REQUESTS || growth > MAX_GROWTH_KB) process.exitCode = 1;
