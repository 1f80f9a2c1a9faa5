/**
 * A newcomer's first ten minutes, as the READMEs tell them: `pnpm pack-all` (here the
 * script it runs after the build, into a temporary folder), a new app made by `npm init -y`
 * (CommonJS by default) OUTSIDE the workspace, `npm install` of the core (and adapter)
 * tarballs plus the framework, `npx cookie-policy init`, then every quick start block of the
 * READMEs (```js quickstart=<framework> file=<name>) written to its file verbatim and run
 * with `node`. With no NODE_ENV it must say at start-up that production applies
 * (ENV_DEFAULTED); a login as the proxy on this host sends it (X-Forwarded-Proto: https from
 * 127.0.0.1) gets the Secure, HttpOnly, SameSite=Strict session cookie the READMEs promise,
 * and a plain HTTP login gets none.
 *
 * With pnpm, one app installs only the Koa adapter's tarball (the core through the override
 * the README shows) and runs `pnpm exec cookie-policy init`: the adapter's own bin.
 *
 * Next.js's quick start (```ts quickstart=next file=<name> blocks) is run the same way, once:
 * a new npm app with the core and Next tarballs, Next and React at the demo's pins and the
 * TypeScript packages create-next-app adds, `npx cookie-policy init --next`, the README's
 * files verbatim, `next build`, then `next start` on a free port.
 *
 * Needs `pnpm build` first and the npm registry (for the frameworks).
 */
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { send } from "@scope/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePorts } from "../src/ports.mjs";
import { INSTALL_TIMEOUT, root } from "./tarballs.mjs";

const run = promisify(execFile);

/** What each README's install line adds besides the tarballs, at the versions the demo uses. */
const FRAMEWORK_DEPS = {
  core: [],
  express: ["express@5.3.0"],
  fastify: ["fastify@5.12.8"],
  hono: ["hono@4.13.19", "@hono/node-server@2.1.8"],
  koa: ["koa@3.2.1"],
};

const READMES = [
  "README.md",
  ...[...Object.keys(FRAMEWORK_DEPS), "next"].map((f) => `packages/${f}/README.md`),
];

/** Every ```js quickstart=<framework> file=<name> block of the READMEs. */
async function quickStarts() {
  const found = [];
  for (const readme of READMES) {
    const text = await readFile(join(root, readme), "utf8");
    for (const m of text.matchAll(/^```[jt]s quickstart=(\w+) file=(\S+)\n([\s\S]*?)^```$/gm)) {
      found.push({ readme, framework: m[1], file: m[2], code: m[3] });
    }
  }
  return found;
}

const found = await quickStarts();
const blocks = found.filter((b) => b.framework !== "next");
const nextFiles = found.filter((b) => b.framework === "next");
let work = "";
let tarballs = "";

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cookie-policy-quickstarts-"));
  tarballs = join(work, "tarballs");
  await run(process.execPath, [join(root, "scripts/pack-all.mjs"), tarballs], {
    timeout: 120_000,
  });
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** `npm install` in `dir` with the shared cache, as the READMEs' install lines run it. */
async function npmInstall(dir, packages) {
  const install = [
    "install",
    "--no-audit",
    "--no-fund",
    "--prefer-offline",
    "--loglevel=error",
    ...packages,
  ];
  if (process.env.COOKIE_POLICY_NPM_CACHE)
    install.push("--cache", process.env.COOKIE_POLICY_NPM_CACHE);
  await run("npm", install, { cwd: dir, timeout: INSTALL_TIMEOUT });
}

/**
 * What every quick start promises for `POST /login`: when the one proxy hop says https, 200,
 * `answers.https` and the session cookie Secure, HttpOnly, Strict; over plain HTTP, 200,
 * `answers.plain` and no cookie. `output` says what the server printed, on a failure.
 */
async function expectLogins(url, answers, output) {
  const proxied = await send(url, { method: "POST", headers: { "x-forwarded-proto": "https" } });
  expect(proxied.status, output()).toBe(200);
  expect(JSON.parse(proxied.body)).toEqual(answers.https);
  expect(proxied.cookieList).toEqual([
    expect.objectContaining({
      name: "sessionId",
      path: "/",
      secure: true,
      httpOnly: true,
      sameSite: "Strict",
    }),
  ]);

  const plain = await send(url, { method: "POST" });
  expect(plain.status, output()).toBe(200);
  expect(JSON.parse(plain.body)).toEqual(answers.plain);
  expect(plain.setCookie).toEqual([]);
}

/** `node <file>` with PORT=0 and no profile chosen; resolves with its URL once it listens. */
async function startApp(dir, file) {
  const env = { ...process.env, PORT: "0" };
  delete env.NODE_ENV;
  delete env.COOKIE_POLICY_ENV;
  const child = spawn(process.execPath, [file], { cwd: dir, env });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = once(child, "exit").then(([code]) => {
    throw new Error(`${file} exited (${code}) before listening\n${stderr}`);
  });
  const line = await Promise.race([once(createInterface({ input: child.stdout }), "line"), exited]);
  const port = /:(\d+)\/?\s*$/.exec(line[0])?.[1];
  if (port === undefined) throw new Error(`${file} printed ${line[0]}`);
  return { url: `http://127.0.0.1:${port}/login`, stderr: () => stderr, child };
}

/** Both requests of the quick start, and what the READMEs promise for them. */
async function expectQuickStart(app) {
  const answers = { https: { ok: true, https: true }, plain: { ok: true, https: false } };
  await expectLogins(app.url, answers, app.stderr);
  expect(app.stderr()).toContain("ENV_DEFAULTED");
}

/** The README's block written into `dir` as its file, run with node, and checked. */
async function runQuickStart(dir, block) {
  await mkdir(dirname(join(dir, block.file)), { recursive: true });
  await writeFile(join(dir, block.file), block.code);
  const app = await startApp(dir, block.file);
  try {
    await expectQuickStart(app);
  } finally {
    app.child.kill("SIGTERM");
  }
}

describe("README quick starts, verbatim, in new npm apps", () => {
  it("finds a quick start for every framework but Next.js", () => {
    expect([...new Set(blocks.map((b) => b.framework))].sort()).toEqual(
      Object.keys(FRAMEWORK_DEPS).sort(),
    );
  });

  it.concurrent.each(blocks.map((b) => [`${b.readme} (${b.framework})`, b]))(
    "%s",
    async (_, block) => {
      const dir = join(work, `${block.readme.replace(/\W+/g, "-")}-${block.framework}`);
      await mkdir(dir);
      await run("npm", ["init", "-y"], { cwd: dir });
      await npmInstall(dir, [
        join(tarballs, "cookie-core.tgz"),
        ...(block.framework === "core" ? [] : [join(tarballs, `cookie-${block.framework}.tgz`)]),
        ...FRAMEWORK_DEPS[block.framework],
      ]);
      // `npx cookie-policy init`: the bin npm linked for the installed packages.
      await run("npx", ["--no-install", "cookie-policy", "init"], { cwd: dir });
      await runQuickStart(dir, block);
    },
    INSTALL_TIMEOUT,
  );
});

describe("with pnpm", () => {
  it(
    "the adapter alone brings `cookie-policy` (the core is only its dependency, via the README's override)",
    async () => {
      const block = blocks.find((b) => b.readme === "packages/koa/README.md");
      const dir = join(work, "pnpm-koa");
      await mkdir(dir);
      await writeFile(
        join(dir, "package.json"),
        JSON.stringify({ name: "pnpm-koa", version: "1.0.0" }),
      );
      await writeFile(
        join(dir, "pnpm-workspace.yaml"),
        `overrides:\n  "@scope/cookie-core": "file:${join(tarballs, "cookie-core.tgz")}"\n`,
      );
      // A user's shell: none of the settings pnpm hands the scripts of this workspace.
      const env = Object.fromEntries(
        Object.entries(process.env).filter(([name]) => !/^(npm_|pnpm_)/i.test(name)),
      );
      await run("pnpm", ["add", join(tarballs, "cookie-koa.tgz"), ...FRAMEWORK_DEPS.koa], {
        cwd: dir,
        env,
        timeout: INSTALL_TIMEOUT,
      });
      const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8"));
      expect(Object.keys(manifest.dependencies).sort()).toEqual(["@scope/cookie-koa", "koa"]);
      await run("pnpm", ["exec", "cookie-policy", "init"], { cwd: dir, env });
      await runQuickStart(dir, block);
    },
    INSTALL_TIMEOUT,
  );
});

/**
 * What a Next.js app made by create-next-app (App Router, TypeScript) has besides our
 * tarballs, at the demo's pins.
 */
const NEXT_DEPS = [
  "next@16.4.6",
  "react@19.3.1",
  "react-dom@19.3.1",
  "typescript@5.9.3",
  "@types/react@19.3.3",
  "@types/node@20.19.43",
];

const CREATE_NEXT_APP_MANIFEST = {
  name: "next-quickstart",
  version: "0.1.0",
  private: true,
  scripts: { dev: "next dev", build: "next build", start: "next start" },
};

/** A user's shell: no NODE_ENV (Next picks production for build and start), no profile. */
function nextEnv() {
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  delete env.NODE_ENV;
  delete env.COOKIE_POLICY_ENV;
  return env;
}

/**
 * `npm start` (`next start`) on a free loopback port, its bin run directly so SIGTERM reaches
 * it; resolves once Next says it is ready.
 */
async function nextStart(dir) {
  const [port] = await freePorts([0]);
  const bin = join(dir, "node_modules/next/dist/bin/next");
  const child = spawn(process.execPath, [bin, "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: dir,
    env: nextEnv(),
  });
  let output = "";
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const exited = once(child, "exit").then(([code]) => {
    throw new Error(`next start exited (${code}) before it was ready\n${output}`);
  });
  let markReady;
  const ready = new Promise((resolve) => {
    markReady = resolve;
  });
  // Read stdout to the end (a paused pipe would stall the server), noting "Ready".
  createInterface({ input: child.stdout }).on("line", (line) => {
    output += `${line}\n`;
    if (/\bReady\b/.test(line)) markReady();
  });
  await Promise.race([ready, exited]);
  return { url: `http://127.0.0.1:${port}/login`, child, output: () => output };
}

describe("Next.js's quick start, verbatim, built and started", () => {
  it("has the three files the README names", () => {
    expect(nextFiles.map((b) => b.file).sort()).toEqual([
      "app/login/route.ts",
      "lib/cookie-policy.ts",
      "proxy.ts",
    ]);
  });

  it(
    "next build, next start: the login behind a proxy gets the Secure session cookie, a plain one none",
    async () => {
      const dir = join(work, "next-quickstart");
      await mkdir(dir);
      // create-next-app's package.json: no "type" (npm init's "commonjs" makes Next refuse
      // the TypeScript files' `import`s).
      await writeFile(join(dir, "package.json"), JSON.stringify(CREATE_NEXT_APP_MANIFEST));
      await npmInstall(dir, [
        join(tarballs, "cookie-core.tgz"),
        join(tarballs, "cookie-next.tgz"),
        ...NEXT_DEPS,
      ]);
      await run("npx", ["--no-install", "cookie-policy", "init", "--next"], { cwd: dir });
      for (const block of nextFiles) {
        await mkdir(dirname(join(dir, block.file)), { recursive: true });
        await writeFile(join(dir, block.file), block.code);
      }
      await run("npm", ["run", "build"], { cwd: dir, env: nextEnv(), timeout: INSTALL_TIMEOUT });

      const app = await nextStart(dir);
      try {
        // The README's curl: one proxy hop (`init --next` trusts one by count) says https;
        // over plain HTTP (Next fills in X-Forwarded-Proto: http) the session cookie is dropped.
        await expectLogins(app.url, { https: { ok: true }, plain: { ok: true } }, app.output);
      } finally {
        app.child.kill("SIGTERM");
      }
    },
    INSTALL_TIMEOUT,
  );
});
