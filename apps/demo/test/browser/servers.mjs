/**
 * Demo servers as the tests start them: `bin/serve.mjs` in a child process, one per
 * (framework, scheme, profile), started on first use and stopped together.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const SERVE = fileURLToPath(new URL("../../bin/serve.mjs", import.meta.url));
// Next.js prepares its build before listening; on a busy 2-core machine that takes a while.
const START_TIMEOUT_MS = 180_000;

function start({ framework, https, env, config }) {
  const args = [SERVE, "--framework", framework, "--env", env];
  if (https) args.push("--https");
  if (config) args.push("--config", config);
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`${framework} (${env}) not listening after ${START_TIMEOUT_MS} ms: ${stderr}`),
      );
    }, START_TIMEOUT_MS);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${framework} (${env}) exited ${code} before listening: ${stderr}`));
    });
    createInterface({ input: child.stdout }).once("line", (line) => {
      clearTimeout(timer);
      const { url } = JSON.parse(line);
      resolve({
        port: Number(new URL(url).port),
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          await exited;
        },
      });
    });
  });
}

/** A pool of servers for one framework: `get(spec)` starts each spec once. */
export function serverPool(framework) {
  const running = new Map();
  return {
    get(spec) {
      const key = JSON.stringify(spec);
      if (!running.has(key)) running.set(key, start({ framework, ...spec }));
      return running.get(key);
    },
    async stopAll() {
      const all = await Promise.allSettled(running.values());
      await Promise.all(all.filter((s) => s.status === "fulfilled").map((s) => s.value.stop()));
      running.clear();
    },
  };
}
