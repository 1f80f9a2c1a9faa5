/**
 * Next.js on the Edge: the BUILT app in apps/demo/next-edge (`pnpm build`), started with
 * `next start`. Its middleware.ts runs on the Edge runtime (the build's middleware manifest
 * lists it) with the policy imported from JSON: refusal, the HTTPS redirect, HSTS and the
 * cookies set there are decided in that runtime. The policy trusts one proxy hop (the Edge
 * runtime cannot know the peer), so requests say what a TLS-terminating proxy would.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { send } from "@scope/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePorts } from "../src/ports.mjs";

const require = createRequire(import.meta.url);
const APP = fileURLToPath(new URL("../next-edge/", import.meta.url));
const NEXT = require.resolve("next/dist/bin/next");
const HOST = "app.test";

let child;
let port = 0;

beforeAll(async () => {
  await readFile(join(APP, ".next/BUILD_ID")).catch(() => {
    throw new Error("apps/demo/next-edge is not built: run `pnpm build` first");
  });
  [port] = await freePorts([0]);
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  delete env.NODE_ENV;
  delete env.COOKIE_POLICY_ENV;
  child = spawn(process.execPath, [NEXT, "start", "-H", "127.0.0.1", "-p", `${port}`], {
    cwd: APP,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      output += chunk;
      if (/Ready in/.test(output)) resolve();
    });
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      output += chunk;
    });
    child.on("exit", (code) => reject(new Error(`next start exited ${code}:\n${output}`)));
  });
}, 60_000);

afterAll(() => {
  if (child?.exitCode === null) child.kill("SIGTERM");
});

const request = ({ method = "POST", path = "/login", headers = {} } = {}) =>
  send(`http://127.0.0.1:${port}${path}`, { method, headers: { host: HOST, ...headers } });

const viaTlsProxy = { "x-forwarded-proto": "https" };

describe("Next.js middleware.ts on the Edge runtime, policy imported from JSON", () => {
  it("is built for the Edge runtime", async () => {
    const manifest = JSON.parse(
      await readFile(join(APP, ".next/server/middleware-manifest.json"), "utf8"),
    );
    expect(manifest.middleware["/"]).toMatchObject({ name: "middleware" });
    expect(manifest.middleware["/"].files.every((f) => f.startsWith("server/edge/"))).toBe(true);
  });

  it("redirects plain HTTP to HTTPS, keeping the path", async () => {
    const res = await request({ method: "GET", path: "/account" });
    expect(res.status).toBe(308);
    expect(res.headers.location).toBe(`https://${HOST}/account`);
    expect(res.headers["set-cookie"]).toBeUndefined();
    expect(res.headers["strict-transport-security"]).toBeUndefined();
  });

  it("over plain HTTP, drops the session cookie set in middleware and sends no HSTS", async () => {
    const res = await request();
    expect(res.status).toBe(200);
    expect(res.cookies.sessionId).toBeUndefined();
    expect(res.cookies.theme).toMatchObject({ value: "dark", maxAge: 600, sameSite: "Lax" });
    expect(res.cookies.theme.secure ?? false).toBe(false);
    expect(res.headers["strict-transport-security"]).toBeUndefined();
  });

  it("behind the TLS proxy, sets the session cookie Secure and HttpOnly, with HSTS", async () => {
    const res = await request({ headers: viaTlsProxy });
    expect(res.status).toBe(200);
    expect(res.cookies.sessionId).toMatchObject({ secure: true, httpOnly: true, sameSite: "Lax" });
    expect(res.cookies.theme).toMatchObject({ secure: true, maxAge: 600 });
    expect(res.headers["strict-transport-security"]).toBe("max-age=31536000");
    const account = await request({ method: "GET", path: "/account", headers: viaTlsProxy });
    expect(account.status).toBe(200);
    expect(account.body).toBe("your account");
    expect(account.headers["strict-transport-security"]).toBe("max-age=31536000");
  });

  it("refuses a hostile Host with 400 instead of redirecting to it", async () => {
    const res = await request({ method: "GET", path: "/account", headers: { host: "a..b" } });
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
  });
});
