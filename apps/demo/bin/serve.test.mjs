import { spawn } from "node:child_process";
import { request } from "node:https";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SERVE = fileURLToPath(new URL("./serve.mjs", import.meta.url));

function run(args, env = process.env) {
  const child = spawn(process.execPath, [SERVE, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env,
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => child.once("exit", (code) => resolve({ code, stderr })));
  const firstLine = new Promise((resolve) =>
    createInterface({ input: child.stdout }).once("line", resolve),
  );
  return { child, exited, firstLine };
}

function getTls(url) {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/healthz`,
      { rejectUnauthorized: false, servername: "localhost" },
      (res) => {
        const cert = res.socket.getPeerCertificate();
        let body = "";
        res.on("data", (chunk) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode, body, san: cert.subjectaltname }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("bin/serve.mjs", () => {
  it("refuses an unknown framework with a usage error (exit 2)", async () => {
    const { exited } = run(["--framework", "rails"]);
    const { code, stderr } = await exited;
    expect(code).toBe(2);
    expect(stderr).toContain("--framework must be one of express, fastify, hono, koa, next");
  });

  it("serves HTTPS with a certificate made now for localhost and 127.0.0.1, and exits 0 on SIGTERM", async () => {
    const { child, exited, firstLine } = run([
      "--framework",
      "express",
      "--https",
      "--env",
      "development",
    ]);
    const line = JSON.parse(await firstLine);
    expect(line.framework).toBe("express");
    expect(line.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await getTls(line.url);
    expect(res).toMatchObject({ status: 200, body: "ok" });
    expect(res.san).toContain("DNS:localhost");
    expect(res.san).toContain("IP Address:127.0.0.1");
    child.kill("SIGTERM");
    expect((await exited).code).toBe(0);
  });

  it.each(["express", "fastify", "hono", "koa"])(
    "%s: a policy that does not load fails the start with its problems (exit 1)",
    async (framework) => {
      const { exited } = run(["--framework", framework, "--config", "/nonexistent/policy.json"]);
      const { code, stderr } = await exited;
      expect(code).toBe(1);
      expect(stderr).toContain(`serve: ${framework} did not start: /nonexistent/policy.json`);
      expect(stderr).toContain("no policy file at /nonexistent/policy.json");
    },
  );

  it("says clearly when openssl is missing for --https", async () => {
    const { exited } = run(["--framework", "express", "--https"], {
      ...process.env,
      PATH: "/nonexistent",
    });
    const { code, stderr } = await exited;
    expect(code).toBe(1);
    expect(stderr).toContain("--https needs the openssl command");
  });
});
