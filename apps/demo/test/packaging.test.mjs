/**
 * The packages as users get them: every package is packed (`pnpm pack` rewrites
 * `workspace:^` to real versions), then one new app per framework is created OUTSIDE the
 * workspace, installs the tarballs and the framework from npm (`npm install`, exact
 * framework versions, the user's npm cache shared by all apps), and runs a tiny server with
 * `@scope/cookie-<fw>` and an inline policy. One plain HTTP request and one from a trusted
 * proxy (`X-Forwarded-Proto: https`) must come back with the cookies the policy decides.
 * Next.js: `require("@scope/cookie-next")` and its proxy helper on a NextRequest (no build).
 * jest: a user's jest suite with `@scope/cookie-core/testing` (vitest and node:test are
 * proven in packages/core).
 *
 * Needs `pnpm build` first (turbo's `test` depends on it) and the npm registry. About a
 * minute with a warm npm cache; the installs run in parallel.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import setCookieParser from "set-cookie-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INSTALL_TIMEOUT, npmInstall, packTarballs, root } from "./tarballs.mjs";

const run = promisify(execFile);
const PACKAGES = ["core", "express", "fastify", "hono", "koa", "next"];

/** Sensitive `sessionId` (Secure always, dropped over HTTP), lenient `theme`; proxies on loopback. */
const POLICY = {
  proxy: { trust: ["loopback"], headers: ["x-forwarded-proto"] },
  sensitive: { secure: "always", httpOnly: true, sameSite: "strict" },
  cookies: {
    sessionId: { sensitive: true, maxAge: 3600 },
    theme: { httpOnly: false, maxAge: 600 },
  },
};

/** Per framework: what npm installs and how the server is started (`start()` → a listening http.Server). */
const FRAMEWORKS = {
  express: {
    deps: { express: "5.3.0" },
    start: `
import express from "express";
import { cookiePolicy } from "@scope/cookie-express";
async function start() {
  const app = express();
  app.use(cookiePolicy({ config: policy, env: "production", onReport }));
  app.get("/", (_req, res) => { res.cookie("theme", "dark"); res.cookie("sessionId", "abc"); res.send("ok"); });
  return new Promise((resolve) => { const s = app.listen(0, "127.0.0.1", () => resolve(s)); });
}`,
  },
  fastify: {
    deps: { fastify: "5.12.8" },
    start: `
import Fastify from "fastify";
import { cookiePolicy } from "@scope/cookie-fastify";
async function start() {
  const app = Fastify();
  await app.register(cookiePolicy, { config: policy, env: "production", onReport });
  app.get("/", (_req, reply) => { reply.setCookie("theme", "dark"); reply.setCookie("sessionId", "abc"); return "ok"; });
  await app.listen({ port: 0, host: "127.0.0.1" });
  return app.server;
}`,
  },
  koa: {
    deps: { koa: "3.2.1" },
    start: `
import { createServer } from "node:http";
import Koa from "koa";
import { cookiePolicy } from "@scope/cookie-koa";
async function start() {
  const app = new Koa();
  app.use(cookiePolicy({ config: policy, env: "production", onReport }));
  app.use((ctx) => { ctx.cookies.set("theme", "dark"); ctx.cookies.set("sessionId", "abc"); ctx.body = "ok"; });
  const s = createServer(app.callback());
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve(s)));
}`,
  },
  hono: {
    deps: { hono: "4.13.19", "@hono/node-server": "2.1.8" },
    start: `
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { setCookie } from "hono/cookie";
import { cookiePolicy } from "@scope/cookie-hono";
async function start() {
  const app = new Hono();
  app.use(cookiePolicy({ config: policy, env: "production", onReport }));
  app.get("/", (c) => { setCookie(c, "theme", "dark"); setCookie(c, "sessionId", "abc"); return c.text("ok"); });
  return new Promise((resolve) => { const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s)); });
}`,
  },
};

/** The server smoke test, run inside the temporary app with the installed tarballs. */
function serverSmoke(start) {
  return `${start}
import { request } from "node:http";
import { expectCookie } from "@scope/cookie-core/testing";
const policy = ${JSON.stringify(POLICY)};
function onReport() {}
const server = await start();
const { port } = server.address();
const get = (headers) => new Promise((resolve, reject) => {
  request({ host: "127.0.0.1", port, path: "/", headers }, (res) => { res.resume(); res.on("end", () => resolve(res)); })
    .on("error", reject).end();
});
const http = await get({});
const https = await get({ "x-forwarded-proto": "https" });
// The testing entry, from the packed core, checks what the vitest side checks again.
expectCookie(http, "sessionId").toBeAbsent();
expectCookie(https, "sessionId").toBeSecure().toBeHttpOnly().toHaveSameSite("Strict").toHaveMaxAge(3600);
console.log(JSON.stringify({ http: http.headers["set-cookie"] ?? [], https: https.headers["set-cookie"] ?? [] }));
process.exit(0);
`;
}

/** Next.js: CommonJS require of the adapter and its proxy helper on a NextRequest. */
const NEXT_SMOKE = `
const { cookiePolicy } = require("@scope/cookie-next");
const { NextRequest, NextResponse } = require("next/server.js");
const { expectCookie } = require("@scope/cookie-core/testing");
const policy = ${JSON.stringify(POLICY)};
const helpers = cookiePolicy({ config: policy, env: "production", onReport() {} });
const proxy = helpers.proxy(() => {
  const res = NextResponse.next();
  res.cookies.set("theme", "dark");
  res.cookies.set("sessionId", "abc");
  return res;
});
(async () => {
  const http = await proxy(new NextRequest("http://app.example.test/"));
  const https = await proxy(new NextRequest("https://app.example.test/"));
  expectCookie(http, "sessionId").toBeAbsent();
  expectCookie(https, "sessionId").toBeSecure().toBeHttpOnly().toHaveSameSite("Strict");
  console.log(JSON.stringify({ http: http.headers.getSetCookie(), https: https.headers.getSetCookie() }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

/** Every entry point loads under require() too (the CJS builds). */
function cjsSmoke(adapter) {
  return `
const core = require("@scope/cookie-core");
const node = require("@scope/cookie-core/node");
const testing = require("@scope/cookie-core/testing");
const adapter = require("${adapter}");
const ok = typeof core.createCookiePolicy === "function" && typeof node.loadCookiePolicy === "function" &&
  typeof testing.expectCookie === "function" && typeof adapter.cookiePolicy === "function";
if (!ok) { console.error("missing export"); process.exit(1); }
`;
}

let work = "";
/** package folder name → absolute tarball path */
let tarballs = {};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cookie-policy-packaging-"));
  tarballs = await packTarballs(PACKAGES, join(work, "tarballs"));
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** A new app outside the workspace with the core + adapter tarballs and the framework at an exact version. */
async function createApp(name, adapterFolder, deps, npmFlags = [], extra = {}) {
  const dir = join(work, `app-${name}`);
  await mkdir(dir);
  const adapter = adapterFolder === null ? null : `@scope/cookie-${adapterFolder}`;
  const packed = { core: tarballs.core };
  if (adapterFolder !== null) packed[adapterFolder] = tarballs[adapterFolder];
  await npmInstall(dir, {
    name: `cookie-policy-smoke-${name}`,
    tarballs: packed,
    deps,
    npmFlags,
    extra,
  });
  return { dir, adapter };
}

function parse(lines) {
  return Object.fromEntries(setCookieParser.parse(lines).map((c) => [c.name, c]));
}

/** What the policy decides for the two requests, whatever the framework. */
function expectPolicyDecisions(result) {
  const http = parse(result.http);
  expect(Object.keys(http)).toEqual(["theme"]); // sessionId requires Secure: dropped over HTTP
  expect(http.theme).toMatchObject({ value: "dark", maxAge: 600, path: "/", sameSite: "Lax" });
  expect(http.theme.secure ?? false).toBe(false);
  expect(http.theme.httpOnly ?? false).toBe(false);

  const https = parse(result.https);
  expect(Object.keys(https).sort()).toEqual(["sessionId", "theme"]);
  expect(https.sessionId).toMatchObject({
    value: "abc",
    maxAge: 3600,
    path: "/",
    sameSite: "Strict",
    secure: true,
    httpOnly: true,
  });
  expect(https.theme).toMatchObject({ secure: true, sameSite: "Lax", maxAge: 600 });
}

/** A user's jest suite (CommonJS, no transform) using the testing entry on a real response. */
const JEST_SUITE = `
const { createServer, get } = require("node:http");
const { expectCookie, expectPolicyCompliance } = require("@scope/cookie-core/testing");
const policy = ${JSON.stringify(POLICY)};
const LINE = "sessionId=abc; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Strict";
let server;
let base;
beforeAll(async () => {
  server = createServer((_req, res) => { res.setHeader("Set-Cookie", [LINE]); res.end("ok"); });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = "http://127.0.0.1:" + server.address().port + "/";
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
const fetchRes = () => new Promise((resolve, reject) => {
  get(base, (res) => { res.resume(); res.on("end", () => resolve(res)); }).on("error", reject);
});
test("the helpers pass on a compliant response and fail with a named message", async () => {
  const res = await fetchRes();
  expectCookie(res, "sessionId").toBeSecure().toBeHttpOnly().toHaveSameSite("Strict").toHaveMaxAge(3600);
  expectPolicyCompliance(res, { config: policy, env: "production", url: "https://app.example.test/" });
  expect(() => expectCookie(res, "sessionId").not.toBeSecure()).toThrow(
    'cookie "sessionId": expected no Secure, got Secure (Set-Cookie: ' + LINE + ")",
  );
  expect(() => expectPolicyCompliance(res, { config: policy, env: "production", url: "http://app.example.test/" })).toThrow(
    'cookie "sessionId": expected no Set-Cookie on an insecure request (policy rule "sensitive": secure "always"',
  );
});
`;

describe("packed packages, installed with npm into new apps outside the workspace", () => {
  it("pnpm pack rewrites workspace: ranges to real versions", async () => {
    const { stdout } = await run("tar", ["-xzOf", tarballs.express, "package/package.json"]);
    const manifest = JSON.parse(stdout);
    const core = JSON.parse(await readFile(join(root, "packages/core/package.json"), "utf8"));
    expect(manifest.dependencies["@scope/cookie-core"]).toBe(`^${core.version}`);
    const { stdout: files } = await run("tar", ["-tzf", tarballs.core]);
    expect(files.split("\n")).toEqual(
      expect.arrayContaining([
        "package/dist/testing.js",
        "package/dist/testing.cjs",
        "package/schema.json",
      ]),
    );
  });

  it.concurrent.each(Object.entries(FRAMEWORKS))(
    "%s: the installed adapter decides the cookies by the policy",
    async (name, fw) => {
      const { dir, adapter } = await createApp(name, name, fw.deps);
      await writeFile(join(dir, "smoke.mjs"), serverSmoke(fw.start));
      await writeFile(join(dir, "cjs.cjs"), cjsSmoke(adapter));
      await run(process.execPath, ["cjs.cjs"], { cwd: dir });
      const { stdout } = await run(process.execPath, ["smoke.mjs"], { cwd: dir, timeout: 60_000 });
      expectPolicyDecisions(JSON.parse(stdout));
      // The bin npm linked from the packed core runs (shebang, ESM build, schema file).
      await writeFile(join(dir, "cookie-policy.json"), JSON.stringify(POLICY));
      const check = await run(
        join(dir, "node_modules", ".bin", "cookie-policy"),
        ["check", "--env", "production", "--print"],
        {
          cwd: dir,
        },
      );
      expect(check.stdout).toContain("production");
    },
    INSTALL_TIMEOUT,
  );

  it.concurrent(
    "jest: @scope/cookie-core/testing in a jest suite",
    async () => {
      const { dir } = await createApp("jest", null, { jest: "30.5.2" }, [], {
        jest: { transform: {} },
      });
      await writeFile(join(dir, "cookies.test.cjs"), JEST_SUITE);
      const { stdout, stderr } = await run(
        process.execPath,
        [join(dir, "node_modules/jest/bin/jest.js"), "--ci"],
        {
          cwd: dir,
          timeout: 120_000,
        },
      );
      expect(`${stdout}${stderr}`).toMatch(/Tests:\s+1 passed, 1 total/);
    },
    INSTALL_TIMEOUT,
  );

  it.concurrent(
    "next: require('@scope/cookie-next') and its proxy helper on a NextRequest",
    async () => {
      const deps = { next: "16.4.6", react: "19.3.1", "react-dom": "19.3.1" };
      // No build here: the SWC and sharp binaries (optional dependencies) are not needed.
      const { dir, adapter } = await createApp("next", "next", deps, ["--omit=optional"]);
      await writeFile(join(dir, "smoke.cjs"), NEXT_SMOKE);
      await writeFile(join(dir, "cjs.cjs"), cjsSmoke(adapter));
      await run(process.execPath, ["cjs.cjs"], { cwd: dir });
      const { stdout } = await run(process.execPath, ["smoke.cjs"], { cwd: dir, timeout: 60_000 });
      const result = JSON.parse(stdout);
      const http = parse(result.http);
      expect(Object.keys(http)).toEqual(["theme"]);
      const https = parse(result.https);
      expect(https.sessionId).toMatchObject({
        secure: true,
        httpOnly: true,
        sameSite: "Strict",
        maxAge: 3600,
      });
    },
    INSTALL_TIMEOUT,
  );
});
