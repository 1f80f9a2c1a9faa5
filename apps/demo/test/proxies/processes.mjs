/**
 * Real proxies as children of the test process: the Debian packages (installed with apt
 * when missing and root), a free loopback port, start-and-wait, stop.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";

export const BINARIES = {
  nginx: "/usr/sbin/nginx",
  caddy: "/usr/bin/caddy",
  haproxy: "/usr/sbin/haproxy",
  apache2: "/usr/sbin/apache2",
};
const PACKAGES = ["nginx", "caddy", "haproxy", "apache2"];
const INSTALL = `apt-get update && apt-get install -y ${PACKAGES.join(" ")}`;

/** The four proxies, installed with apt when one is missing and we are root; else a clear failure. */
export function ensureProxies() {
  const missing = () => Object.values(BINARIES).filter((path) => !existsSync(path));
  if (missing().length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing ${missing().join(", ")}: run \`sudo sh -c '${INSTALL}'\``);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update"], { stdio: ["ignore", "ignore", "inherit"], env });
  execFileSync("apt-get", ["install", "-y", ...PACKAGES], {
    stdio: ["ignore", "ignore", "inherit"],
    env,
  });
  if (missing().length) throw new Error(`\`${INSTALL}\` did not install ${missing().join(", ")}`);
}

/** The installed HAProxy's [major, minor]. */
export function haproxyVersion() {
  const out = execFileSync(BINARIES.haproxy, ["-v"], { encoding: "utf8" });
  const m = /version (\d+)\.(\d+)/.exec(out);
  if (!m) throw new Error(`cannot read HAProxy's version from: ${out}`);
  return [Number(m[1]), Number(m[2])];
}

/**
 * Ports are taken below Linux's ephemeral range (32768 and up), where no process asking
 * for "any port" lands between our check and the proxy's bind, and never twice per run.
 */
const PORT_RANGE = [20_000, 32_000];
const handedOut = new Set();

function bindable(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "::", ipv6Only: false }, () => server.close(() => resolve(true)));
  });
}

/** A port free on 127.0.0.1 and ::1 alike (a dual-stack listener binds it). */
export async function freePort() {
  const [low, high] = PORT_RANGE;
  for (;;) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await bindable(port)) return port;
  }
}

/**
 * Spawn `command` and resolve once `ready()` resolves (it is retried until then); reject
 * with the child's output if it exits first or is not ready in time. The result's
 * `stop()` ends the child (SIGTERM, then SIGKILL) and waits for it.
 */
export async function startChild(label, command, args, { env, ready }) {
  const child = spawn(command, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let output = "";
  const keep = (chunk) => {
    output = (output + chunk).slice(-20_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let exited = false;
  const exit = new Promise((resolve) =>
    child.once("exit", (code, signal) => {
      exited = true;
      resolve(signal ?? code);
    }),
  );
  const stop = async () => {
    if (exited) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exit;
    clearTimeout(timer);
  };
  // Readiness is polled: a proxy opens its ports some time after it starts.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`${label} exited (${await exit}) before it was ready:\n${output}`);
    try {
      await ready();
      return { stop, output: () => output };
    } catch (err) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`${label} not ready after 60 s (${err.message}):\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
