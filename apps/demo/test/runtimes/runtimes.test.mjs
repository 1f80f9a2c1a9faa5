/**
 * "Any runtime", proven: the one Hono app in ./app (the code docs/runtimes.md shows), with
 * the packed packages installed by npm, served by Node, Bun, Deno and workerd (`wrangler dev
 * --local`) on 127.0.0.1, each over plain HTTP and TLS, then the same checks against each:
 * plain HTTP, a trusted proxy, an untrusted peer, direct TLS (HTTP/1.1 and HTTP/2 where the
 * runtime serves it), an absolute-form `https://` target over plain TCP, and on Workers a
 * client-sent CF-Connecting-IP. Deno runs without --allow-env. A check a runtime cannot
 * take is listed with its reason, and that reason is checked.
 *
 * Policy (app/cookie-policy.json): 127.0.0.2 is the trusted proxy (peers are varied by
 * binding the client to 127.0.0.N); `sessionId` is sensitive (Secure always, else dropped);
 * HTTPS redirect except /login; HSTS one year (never for IP-literal hosts, so requests
 * name `app.test`). Workers use the "workers" profile: `trust: false`.
 */
import { execFile, spawn } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { connect as http2Connect } from "node:http2";
import { createRequire } from "node:module";
import { connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { send as sendTo, writeCertificate } from "@scope/test-support";
import setCookieParser from "set-cookie-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePorts } from "../../src/ports.mjs";
import { npmInstall, packTarballs } from "../tarballs.mjs";

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const APP = fileURLToPath(new URL("./app/", import.meta.url));
const DOCS = fileURLToPath(new URL("../../../../docs/runtimes.md", import.meta.url));
const NEXT_EDGE = fileURLToPath(new URL("../../next-edge/", import.meta.url));
const HOST = "app.test";
const HSTS = "max-age=31536000";

const bin = (pkg, file) => join(dirname(require.resolve(`${pkg}/package.json`)), file);
const BUN = bin("bun", "bin/bun.exe");
const DENO = bin("deno", "deno");
const WRANGLER = bin("wrangler", "bin/wrangler.js");

/** Deno's permissions as docs/runtimes.md gives them: no --allow-env. */
const DENO_PERMISSIONS = ["--allow-net=127.0.0.1", "--allow-read=."];

/** The environment of a deployed server: no test runner's NODE_ENV, no telemetry. */
function serverEnv(work) {
  const env = { ...process.env, NO_COLOR: "1" };
  delete env.NODE_ENV;
  delete env.COOKIE_POLICY_ENV;
  return {
    ...env,
    DENO_DIR: join(work, ".deno"),
    DENO_NO_UPDATE_CHECK: "1",
    WRANGLER_SEND_METRICS: "false",
    // Miniflare would fetch Request.cf from the network; the placeholder is enough here.
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    XDG_CONFIG_HOME: join(work, ".config"),
  };
}

/**
 * Per runtime: how its entry starts, and the checks it cannot take, each with the reason
 * (checked below). `absoluteForm`: "served" answers the target as plain HTTP; "refused" is
 * the runtime's own error answer.
 */
const RUNTIMES = {
  node: { entry: [process.execPath, ["node.js"]], absoluteForm: "served" },
  bun: {
    entry: [BUN, ["bun.js"]],
    absoluteForm: "served",
    noHttp2: "Bun.serve speaks HTTP/1.1 only: its TLS handshake offers no h2",
  },
  deno: {
    entry: [DENO, ["run", "--no-lock", ...DENO_PERMISSIONS, "deno.js"]],
    absoluteForm: "served",
  },
  workerd: {
    wrangler: true,
    absoluteForm: "refused",
    noHttp2: "wrangler dev's local HTTPS speaks HTTP/1.1 only: its TLS handshake offers no h2",
    noProxy:
      "a Worker has no proxy of its own in front: Cloudflare writes the scheme into the URL, so the policy trusts no peer (trust: false)",
  },
};

let work = "";
const servers = {};
const children = [];

/** Starts a child in its own process group; resolves with the first stdout line matching `ready`. */
function start(command, args, cwd, ready) {
  const child = spawn(command, args, {
    cwd,
    env: serverEnv(work),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      const line = output.split("\n").find((l) => ready.test(l));
      if (line !== undefined) {
        // Keep draining (wrangler logs every request): a full pipe would stall the server.
        child.stdout.off("data", onData).resume();
        resolve(line);
      }
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      output += chunk;
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      reject(new Error(`${command} ${args.join(" ")} exited ${code}:\n${output}`)),
    );
  });
}

async function startWrangler(dir, tls) {
  const [port, inspector] = await freePorts([0, 0]); // wrangler needs them named
  const args = [WRANGLER, "dev", "--local", "--ip", "127.0.0.1", "--port", `${port}`];
  args.push("--inspector-port", `${inspector}`, "--show-interactive-dev-session=false");
  // Each instance its own state: two workerd processes on one SQLite file fail at start
  // ("database is locked") when they open it together.
  args.push("--persist-to", `.wrangler/state-${tls ? "https" : "http"}`);
  if (tls) {
    args.push("--local-protocol", "https", "--https-key-path", "key.pem");
    args.push("--https-cert-path", "cert.pem");
  }
  await start(process.execPath, args, dir, /Ready on/);
  return port;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cookie-policy-runtimes-"));
  const dir = join(work, "app");
  await cp(APP, dir, { recursive: true });
  const tarballs = await packTarballs(["core", "hono"], join(work, "tarballs"));
  const deps = { hono: "4.13.19", "@hono/node-server": "2.1.8" };
  await npmInstall(dir, { name: "cookie-policy-runtimes", tarballs, deps });
  writeCertificate(dir);
  await Promise.all(
    Object.entries(RUNTIMES).map(async ([name, runtime]) => {
      if (runtime.wrangler) {
        const [http, https] = await Promise.all([
          startWrangler(dir, false),
          startWrangler(dir, true),
        ]);
        servers[name] = { http, https };
      } else {
        const [command, args] = runtime.entry;
        servers[name] = JSON.parse(await start(command, args, dir, /^\{"http"/));
      }
    }),
  );
}, 300_000);

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null) process.kill(-child.pid, "SIGTERM");
  }
  if (work) await rm(work, { recursive: true, force: true });
});

/**
 * One HTTP/1.1 request: `tls` picks the server (wrangler's HTTPS has its own certificate:
 * not verified), `from` the client's loopback address.
 */
function send(port, { tls = false, method = "POST", path = "/login", headers = {}, from }) {
  return sendTo(`${tls ? "https" : "http"}://127.0.0.1:${port}${path}`, {
    method,
    headers: { host: HOST, connection: "close", ...headers },
    localAddress: from,
    verify: false,
  });
}

/** One HTTP/2 request over TLS (`:authority` app.test, no Host header). */
function sendH2(port, { method = "POST", path = "/login" } = {}) {
  return new Promise((resolve, reject) => {
    const session = http2Connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
    session.on("error", reject);
    const stream = session.request({ ":method": method, ":path": path, ":authority": HOST });
    let headers = {};
    let body = "";
    stream.on("response", (h) => {
      headers = h;
    });
    stream.setEncoding("utf8").on("data", (c) => {
      body += c;
    });
    stream.on("end", () => {
      session.close();
      resolve(reply(headers[":status"], headers, body));
    });
    stream.on("error", reject);
    stream.end();
  });
}

/** Which protocol the server's TLS handshake settles on when a client offers h2 first. */
function negotiated(port) {
  return new Promise((resolve, reject) => {
    const session = http2Connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
    session.on("connect", () => {
      resolve(session.alpnProtocol);
      session.destroy();
    });
    session.on("error", (error) => {
      session.destroy();
      // Node's HTTP/2 client refuses a server that did not select h2.
      if (error.code === "ERR_HTTP2_ERROR" || /ALPN|protocol/i.test(error.message)) resolve(null);
      else reject(error);
    });
  });
}

/** Writes the request as given on a plain TCP socket (an absolute-form target). */
function sendRaw(port, text) {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, "127.0.0.1", () => socket.end(text));
    let data = "";
    socket.setEncoding("latin1").on("data", (c) => {
      data += c;
    });
    socket.on("error", reject);
    socket.on("close", () => {
      const [head, ...rest] = data.split("\r\n\r\n");
      const [statusLine, ...lines] = head.split("\r\n");
      const headers = {};
      for (const line of lines) {
        const at = line.indexOf(":");
        const name = line.slice(0, at).toLowerCase();
        const value = line.slice(at + 1).trim();
        headers[name] = name === "set-cookie" ? [...(headers[name] ?? []), value] : value;
      }
      resolve(reply(Number(statusLine.split(" ")[1]), headers, rest.join("\r\n\r\n")));
    });
  });
}

function reply(status, headers, body) {
  const lines = headers["set-cookie"] ?? [];
  const cookies = setCookieParser.parse(lines, { map: true });
  return { status, headers, body, cookies };
}

/** What the policy decides for a login over plain HTTP: no session cookie, no HSTS. */
function expectPlain(res) {
  expect(res.status).toBe(200);
  expect(res.cookies.sessionId).toBeUndefined();
  expect(res.cookies.theme).toMatchObject({ value: "dark", maxAge: 600, sameSite: "Lax" });
  expect(res.cookies.theme.secure ?? false).toBe(false);
  expect(res.headers["strict-transport-security"]).toBeUndefined();
}

/** ... and over HTTPS: the session cookie Secure and HttpOnly, HSTS on the named host. */
function expectSecure(res) {
  expect(res.status).toBe(200);
  expect(res.cookies.sessionId).toMatchObject({ secure: true, httpOnly: true, sameSite: "Lax" });
  expect(res.cookies.theme).toMatchObject({ value: "dark", secure: true });
  expect(res.headers["strict-transport-security"]).toBe(HSTS);
}

function expectRedirected(res) {
  expect(res.status).toBe(308);
  expect(res.headers.location).toBe(`https://${HOST}/account`);
}

describe.each(Object.entries(RUNTIMES))("the Hono app on %s", (name, runtime) => {
  const server = () => servers[name];

  it("plain HTTP: no session cookie, no HSTS, /account redirected to HTTPS", async () => {
    expectPlain(await send(server().http, {}));
    expectRedirected(await send(server().http, { method: "GET", path: "/account" }));
  });

  it("an untrusted peer's X-Forwarded-Proto: https is ignored", async () => {
    const spoof = { from: "127.0.0.3", headers: { "x-forwarded-proto": "https" } };
    const res = await send(server().http, spoof);
    expectPlain(res);
    // The runtime's getConnInfo told the peer (on Workers, only CF-Connecting-IP would).
    if (!runtime.wrangler) expect(JSON.parse(res.body).clientAddress).toBe("127.0.0.3");
    expectRedirected(await send(server().http, { ...spoof, method: "GET", path: "/account" }));
  });

  if (runtime.noProxy) {
    it(`trusted proxy: not applicable, ${runtime.noProxy}`, async () => {
      const proxied = { from: "127.0.0.2", headers: { "x-forwarded-proto": "https" } };
      expectPlain(await send(server().http, proxied));
    });
  } else {
    it("a trusted proxy's X-Forwarded-Proto: https makes the request secure", async () => {
      const proxied = { from: "127.0.0.2", headers: { "x-forwarded-proto": "https" } };
      expectSecure(await send(server().http, proxied));
      const account = await send(server().http, { ...proxied, method: "GET", path: "/account" });
      expect(account.status).toBe(200);
    });
  }

  it("direct TLS over HTTP/1.1: Secure session cookie and HSTS", async () => {
    expectSecure(await send(server().https, { tls: true }));
    const account = await send(server().https, { tls: true, method: "GET", path: "/account" });
    expect(account.status).toBe(200);
  });

  if (runtime.noHttp2) {
    it(`direct TLS over HTTP/2: not served, ${runtime.noHttp2}`, async () => {
      expect(await negotiated(server().https)).not.toBe("h2");
    });
  } else {
    it("direct TLS over HTTP/2 (no Host header): Secure session cookie and HSTS", async () => {
      expect(await negotiated(server().https)).toBe("h2");
      expectSecure(await sendH2(server().https));
    });
  }

  it("an absolute-form https:// target over plain TCP stays plain HTTP", async () => {
    const target = (method, path) =>
      `${method} https://${HOST}${path} HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`;
    const login = await sendRaw(server().http, target("POST", "/login"));
    const account = await sendRaw(server().http, target("GET", "/account"));
    if (runtime.absoluteForm === "served") {
      expectPlain(login);
      expectRedirected(account);
    } else {
      // workerd cannot parse the target and answers 500 before the Worker runs.
      for (const res of [login, account]) {
        expect(res.status).toBe(500);
        expect(res.headers["set-cookie"]).toBeUndefined();
        expect(res.headers["strict-transport-security"]).toBeUndefined();
      }
    }
  });

  if (runtime.wrangler) {
    it("a client-sent CF-Connecting-IP naming the trusted address is not believed", async () => {
      const spoof = {
        headers: { "cf-connecting-ip": "127.0.0.2", "x-forwarded-proto": "https" },
      };
      const res = await send(server().http, spoof);
      expectPlain(res);
      // wrangler dev passes the client's header through: the peer is whatever it says.
      expect(JSON.parse(res.body)).toMatchObject({ protocol: "http", clientAddress: "127.0.0.2" });
      expectRedirected(await send(server().http, { ...spoof, method: "GET", path: "/account" }));
    });

    it("wrangler deploy --dry-run bundles the Worker without nodejs_compat", async () => {
      const dir = join(work, "app");
      const config = await readFile(join(dir, "wrangler.toml"), "utf8");
      expect(config).not.toMatch(/nodejs_compat/);
      const outdir = join(work, "deploy");
      const { stdout } = await run(
        process.execPath,
        [WRANGLER, "deploy", "--dry-run", "--outdir", outdir],
        { cwd: dir, env: serverEnv(work), timeout: 120_000 },
      );
      expect(stdout).toMatch(/--dry-run: exiting now/);
      const bundle = await readFile(join(outdir, "worker.js"), "utf8");
      expect(bundle).not.toMatch(/from\s*"node:|require\("node:/);
    }, 120_000);
  }
});

/** A policy given as a path, read through the runtime's file system (docs/runtimes.md's claim). */
const POLICY_PATH_APP = `
import { cookiePolicy } from "@scope/cookie-hono";
import { Hono } from "hono";
const app = new Hono();
app.use(cookiePolicy({ config: "./cookie-policy.json" }));
app.get("/account", (c) => c.text("your account"));
const res = await app.request("http://${HOST}/account", { headers: { host: "${HOST}" } });
console.log(JSON.stringify({ status: res.status, location: res.headers.get("location") }));
`;

describe.each([
  ["node", process.execPath, []],
  ["bun", BUN, []],
  ["deno", DENO, ["run", "--no-lock", "--allow-read=."]],
])("a policy path on %s", (_name, command, args) => {
  it("is read from the file system (the file's redirect applies)", async () => {
    const dir = join(work, "app");
    await writeFile(join(dir, "policy-path.js"), POLICY_PATH_APP);
    const { stdout } = await run(command, [...args, "policy-path.js"], {
      cwd: dir,
      env: serverEnv(work),
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toEqual({ status: 308, location: `https://${HOST}/account` });
  });
});

describe("docs/runtimes.md", () => {
  /** Its code blocks that name a file (```js app.js), by name. */
  async function shown() {
    const text = await readFile(DOCS, "utf8");
    const blocks = {};
    for (const m of text.matchAll(/^```\w+ (?:policy )?([^\n]+)\n([\s\S]*?)^```$/gm))
      blocks[m[1]] = m[2];
    return blocks;
  }

  it("shows every file of the app the runtimes run, as it is", async () => {
    const blocks = await shown();
    for (const name of await readdir(APP)) {
      expect(blocks[name], name).toBe(await readFile(join(APP, name), "utf8"));
    }
  });

  it("gives the Deno command the suite runs", async () => {
    const text = await readFile(DOCS, "utf8");
    expect(text).toContain(`\n\`\`\`sh\ndeno run ${DENO_PERMISSIONS.join(" ")} deno.js\n\`\`\`\n`);
  });

  it("shows the Next.js Edge fixture's middleware and policy, as they are", async () => {
    const blocks = await shown();
    expect(blocks["middleware.ts"]).toBe(await readFile(join(NEXT_EDGE, "middleware.ts"), "utf8"));
    expect(blocks["cookie-policy.json (Next.js)"]).toBe(
      await readFile(join(NEXT_EDGE, "cookie-policy.json"), "utf8"),
    );
  });
});
