#!/usr/bin/env node
/**
 * `pnpm demo`: every framework's demo server on one policy file, each a child process
 * started through serve.mjs, on ports 3001…3005 by default (a port that is taken is
 * replaced by a free one). Prints their URLs and what to try; Ctrl-C stops them all.
 * Each server's page can ask all five the same question: the list of URLs reaches them
 * in COOKIE_POLICY_DEMO_SERVERS.
 *   node apps/demo/bin/demo.mjs [--base-port 3001] [--env development] [--config FILE]
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { freePorts } from "../src/ports.mjs";

const FRAMEWORKS = ["express", "fastify", "hono", "koa", "next"];
const serveScript = join(dirname(fileURLToPath(import.meta.url)), "serve.mjs");

const { values } = parseArgs({
  options: {
    "base-port": { type: "string", default: "3001" },
    env: { type: "string", default: "development" },
    config: { type: "string" },
  },
});
const basePort = Number(values["base-port"]);
if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65535 - FRAMEWORKS.length) {
  process.stderr.write(`demo: --base-port must be a port number, got ${values["base-port"]}\n`);
  process.exit(2);
}
const HOST = "127.0.0.1";
const wanted = FRAMEWORKS.map((_, i) => basePort + i);
const ports = await freePorts(wanted, HOST);
const urls = FRAMEWORKS.map((framework, i) => ({ framework, url: `http://${HOST}:${ports[i]}` }));

/** Start one server; resolves with its URL, or with the reason it did not start. */
function startServer(framework, port) {
  const args = [serveScript, "--framework", framework, "--port", String(port), "--host", HOST];
  args.push("--env", values.env);
  if (values.config) args.push("--config", values.config);
  const env = { ...process.env, COOKIE_POLICY_DEMO_SERVERS: JSON.stringify(urls) };
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
    if (started) process.stderr.write(`[${framework}] ${chunk}`);
  });
  let started = false;
  return new Promise((resolve) => {
    createInterface({ input: child.stdout }).once("line", (line) => {
      try {
        started = true;
        resolve({ framework, child, url: JSON.parse(line).url });
      } catch {
        resolve({ framework, child, error: `unexpected output: ${line}` });
      }
    });
    child.once("exit", (code) => {
      if (!started)
        resolve({ framework, child: null, error: stderr.trim() || `exited with ${code}` });
    });
  });
}

const servers = await Promise.all(FRAMEWORKS.map((fw, i) => startServer(fw, ports[i])));
const running = servers.filter((s) => s.url);
const failed = servers.filter((s) => !s.url);

const lines = ["", `cookie-policy demo — profile "${values.env}"`, ""];
for (const s of running) {
  const i = FRAMEWORKS.indexOf(s.framework);
  const moved = ports[i] === wanted[i] ? "" : `  (port ${wanted[i]} was taken)`;
  lines.push(`  ${s.framework.padEnd(8)} ${s.url}/${moved}`);
}
for (const s of failed) {
  const reasons = s.error.split("\n").filter((line) => !/^\s+at /.test(line));
  const why = reasons.slice(0, 4).join("\n           ");
  lines.push(`  ${s.framework.padEnd(8)} FAILED TO START: ${why}`);
}
const first = running[0]?.url ?? `http://127.0.0.1:${basePort}`;
lines.push(
  "",
  "Open a URL: the page shows whether the request counts as HTTPS, the trust walk hop by hop",
  "and each cookie decision in plain words; its buttons log in (sessionId), log out and set a",
  'theme cookie; its "Try a request" panel asks all five servers the same question. Every',
  "server answers the same routes (/explain, /echo, /healthz, POST /cookies). Under this",
  "profile proxy headers are not trusted: try",
  `  curl -si -X POST -H 'X-Forwarded-Proto: https' ${first}/login`,
  "and see the header ignored. For the proxy case, start one server under production (it trusts",
  "loopback proxies, redirects plain HTTP to https://example.com and sends HSTS) and play the proxy:",
  "  node apps/demo/bin/serve.mjs --framework express --env production --port 3100",
  "  curl -si -X POST -H 'Host: example.com' -H 'X-Forwarded-Proto: https' http://127.0.0.1:3100/login",
  "Press Ctrl-C to stop.",
  "",
);
process.stdout.write(`${lines.join("\n")}\n`);

let stopping = false;
async function stopAll() {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    running.map(
      (s) =>
        new Promise((resolve) => {
          if (s.child.exitCode !== null) return resolve();
          s.child.once("exit", resolve);
          s.child.kill("SIGTERM");
        }),
    ),
  );
  process.exit(failed.length === FRAMEWORKS.length ? 1 : 0);
}
process.on("SIGINT", stopAll);
process.on("SIGTERM", stopAll);
if (running.length === 0) await stopAll();
