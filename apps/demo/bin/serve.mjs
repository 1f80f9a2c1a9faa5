#!/usr/bin/env node
/**
 * Start one demo server:
 *   node apps/demo/bin/serve.mjs --framework express|fastify|hono|koa|next
 *     [--port N] [--host ADDR] [--https] [--config FILE] [--env NAME]
 * Prints one JSON line {"framework","url"} once listening; runs until SIGTERM/SIGINT.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { certificate } from "@scope/test-support";

const FRAMEWORKS = ["express", "fastify", "hono", "koa", "next"];
const here = dirname(fileURLToPath(import.meta.url));
const USAGE =
  "usage: serve.mjs --framework express|fastify|hono|koa|next [--port N] [--host ADDR] [--https] [--config FILE] [--env NAME]";

function fail(message, code) {
  process.stderr.write(`serve: ${message}\n`);
  process.exit(code);
}

function options() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        framework: { type: "string" },
        port: { type: "string", default: "0" },
        host: { type: "string", default: "127.0.0.1" },
        https: { type: "boolean", default: false },
        config: { type: "string" },
        env: { type: "string" },
      },
      strict: true,
    }));
  } catch (err) {
    fail(`${err.message}\n${USAGE}`, 2);
  }
  if (!FRAMEWORKS.includes(values.framework)) {
    fail(`--framework must be one of ${FRAMEWORKS.join(", ")}\n${USAGE}`, 2);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0..65535`, 2);
  return {
    framework: values.framework,
    port,
    host: values.host,
    https: values.https,
    config: resolve(values.config ?? join(here, "..", "cookie-policy.json")),
    env: values.env,
  };
}

/** A self-signed certificate for localhost, 127.0.0.1 and ::1, made now; the key lives only in memory. */
function selfSignedCertificate() {
  try {
    return certificate();
  } catch (err) {
    if (err.code === "ENOENT")
      fail("--https needs the openssl command, which was not found on PATH", 1);
    fail(
      `openssl could not make a certificate: ${err.stderr?.toString().trim() || err.message}`,
      1,
    );
  }
}

const opts = options();
const tls = opts.https ? selfSignedCertificate() : undefined;
let server;
try {
  const { start } = await import(`../src/servers/${opts.framework}.mjs`);
  server = await start({
    port: opts.port,
    host: opts.host,
    tls,
    config: opts.config,
    env: opts.env,
  });
} catch (err) {
  // A policy that does not load is the user's to fix: its message names every problem.
  const why = err?.name === "PolicyLoadError" ? err.message : (err?.stack ?? err);
  fail(`${opts.framework} did not start: ${why}`, 1);
}
process.stdout.write(`${JSON.stringify({ framework: opts.framework, url: server.url })}\n`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  try {
    await server.close();
    process.exit(0);
  } catch (err) {
    process.stderr.write(`serve: closing failed: ${err?.message ?? err}\n`);
    process.exit(1);
  }
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
