/**
 * The BUILT Next.js demo (apps/demo/next, `pnpm build`) over real sockets, HTTP and HTTPS:
 * proxy.ts (redirect, HSTS, a cookie set there), the route-handler wrapper, the cookies()
 * helper, what Next.js lets the policy know about the peer, and the custom-server
 * attestation. Each server is its own process (Next keeps one app per process), started
 * with a policy file written here, so the built app runs against it without a rebuild.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { send as request, writeCertificate } from "@scope/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const serve = fileURLToPath(new URL("../../bin/serve.mjs", import.meta.url));
const nextServer = fileURLToPath(new URL("./next.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "cookie-next-it-"));
const children = [];

const POLICY = {
  proxy: { trust: ["127.0.0.1"] },
  https: {
    redirect: { status: 308, hosts: ["example.com"], exclude: ["/healthz"] },
    hsts: { maxAge: 600 },
  },
  sensitive: { secure: "always", httpOnly: true, sameSite: "strict" },
  cookies: { sessionId: { sensitive: true, maxAge: 3600 }, theme: { httpOnly: false } },
  profiles: {
    development: {
      proxy: { trust: false },
      https: { redirect: false, hsts: false },
      sensitive: { secure: "auto" },
    },
    hops: { proxy: { trust: 1 }, https: { redirect: false, hsts: false } },
    attested: {
      proxy: { trust: ["127.0.0.1"] },
      https: { redirect: false, hsts: false },
      sensitive: { secure: "auto" },
    },
  },
};

function policyFile(name, policy) {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(policy));
  return file;
}

/** Start a server process; resolves with its URL once it printed its JSON line. */
async function startServer(args, script = serve) {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  let err = "";
  child.stderr.on("data", (c) => {
    err += c;
  });
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (c) => {
      out += c;
      const line = out.split("\n")[0];
      if (out.includes("\n")) resolve(JSON.parse(line).url);
    });
    child.once("exit", (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
}

/** One request over a real socket from `localAddress`; Set-Cookie lines kept as sent. */
async function send(base, path, { body, raw, ...options } = {}) {
  const res = await request(new URL(path, base).href, {
    ...options,
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  return { ...res, cookies: res.setCookie, text: res.body, json: () => JSON.parse(res.body) };
}

const EX = { host: "example.com" };
const servers = {};

beforeAll(async () => {
  const config = policyFile("policy", POLICY);
  writeCertificate(dir);
  // start() in its own process: `node script ENV tls|plain attest|standard`.
  const script = join(dir, "next-server.mjs");
  writeFileSync(
    script,
    `import { readFileSync } from "node:fs";
import { start } from ${JSON.stringify(nextServer)};
const [env, scheme, mode] = process.argv.slice(2);
const tls = scheme === "tls"
  ? { key: readFileSync(${JSON.stringify(join(dir, "key.pem"))}), cert: readFileSync(${JSON.stringify(join(dir, "cert.pem"))}) }
  : undefined;
const s = await start({ port: 0, host: "127.0.0.1", tls, config: ${JSON.stringify(config)}, env, attest: mode === "attest" });
process.stdout.write(JSON.stringify({ url: s.url }) + "\\n");
process.on("SIGTERM", () => s.close().then(() => process.exit(0)));`,
  );
  const next = (...args) => startServer(args, script);
  [
    servers.demo,
    servers.prodHttp,
    servers.prodHttps,
    servers.dev,
    servers.hops,
    servers.attested,
    servers.attestedTls,
  ] = await Promise.all([
    startServer(["--framework", "next", "--config", config, "--env", "attested"]),
    next("production", "plain", "standard"),
    next("production", "tls", "standard"),
    next("development", "plain", "standard"),
    next("hops", "plain", "standard"),
    next("attested", "plain", "attest"),
    next("attested", "tls", "attest"),
  ]);
});

afterAll(async () => {
  await Promise.all(
    children.map((c) => {
      if (c.exitCode !== null) return undefined;
      c.kill("SIGTERM");
      return once(c, "exit");
    }),
  );
  rmSync(dir, { recursive: true, force: true });
});

describe("serve.mjs --framework next", () => {
  it("starts the built app as a custom server that passes the socket's facts", async () => {
    expect((await send(servers.demo, "/healthz")).text).toBe("ok");
    const e = (await send(servers.demo, "/explain", { localAddress: "127.0.0.2" })).json();
    expect(e.transport).toMatchObject({ protocol: "http", clientAddress: "127.0.0.2" });
  });
});

describe("proxy.ts: cp.proxy(handler)", () => {
  it("redirects plain HTTP to the allowed host, 308, no HSTS, the route never runs", async () => {
    const res = await send(servers.prodHttp, "/login", {
      method: "POST",
      headers: { host: "evil.example" },
    });
    expect(res.status).toBe(308);
    expect(res.headers.location).toBe("https://example.com/login");
    expect(res.headers["strict-transport-security"]).toBeUndefined();
    expect(res.cookies).toEqual([]);
    // Not bare under `next start` (README "Limits": Next's router-server answers every
    // redirect from proxy.ts itself, the target as the body and, for a 308, `Refresh`).
    // The custom server's bareRedirects is proven bare by demo-routes.test.mjs.
    expect(res.text).toBe("https://example.com/login");
    expect(res.headers.refresh).toBe("0;url=https://example.com/login");
  });

  it("does not redirect an excluded path", async () => {
    const res = await send(servers.prodHttp, "/healthz", { headers: EX });
    expect(res.status).toBe(200);
    expect(res.text).toBe("ok");
  });

  it("sends HSTS over HTTPS and lets the route answer", async () => {
    const res = await send(servers.prodHttps, "/explain", { headers: EX });
    expect(res.status).toBe(200);
    expect(res.headers["strict-transport-security"]).toBe("max-age=600");
    expect(res.json().transport).toMatchObject({ protocol: "https", host: "example.com" });
  });

  it("a cookie set on the proxy's NextResponse obeys the policy (GET /prefs)", async () => {
    const res = await send(servers.prodHttps, "/prefs?theme=dark", { headers: EX });
    expect(res.json()).toEqual({ ok: true, theme: "dark" });
    expect(res.cookies).toHaveLength(1);
    expect(res.cookies[0]).toMatch(/^theme=dark;/);
    expect(res.cookies[0]).toMatch(/; Secure/);
    expect(res.cookies[0]).not.toMatch(/HttpOnly/);
  });
});

describe("route handlers: cp.route(handler) and the cookies() helper", () => {
  it("POST /login: NextResponse.cookies.set through the wrapper gets the policy's attributes", async () => {
    const res = await send(servers.prodHttps, "/login", { method: "POST", headers: EX });
    expect(res.status).toBe(200);
    const [line] = res.cookies;
    expect(line).toMatch(/^sessionId=[^;]+;/);
    for (const attr of [/; Secure/, /; HttpOnly/, /SameSite=Strict/i, /Max-Age=3600/])
      expect(line).toMatch(attr);
  });

  it("over plain HTTP in development: secure auto gives no Secure; a __Secure- cookie is dropped", async () => {
    const login = await send(servers.dev, "/login", { method: "POST" });
    expect(login.cookies).toHaveLength(1);
    expect(login.cookies[0]).not.toMatch(/Secure/);
    const res = await send(servers.dev, "/cookies", {
      method: "POST",
      body: [{ name: "__Secure-id", value: "1" }],
    });
    expect(res.cookies).toEqual([]);
    expect(res.json().decisions[0]).toMatchObject({
      action: "drop",
      reasons: expect.arrayContaining(["INSECURE_TRANSPORT_DROPPED"]),
    });
  });

  it("POST /logout: a deleted cookie is decided as a clearing", async () => {
    const res = await send(servers.prodHttps, "/logout", { method: "POST", headers: EX });
    expect(res.cookies[0]).toMatch(/^sessionId=;/);
    expect(res.cookies[0]).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);
    expect(res.cookies[0]).toMatch(/; Secure/);
  });

  it("POST /cookies: cp.setCookie on cookies() ignores a weakening and reports it", async () => {
    const res = await send(servers.prodHttps, "/cookies", {
      method: "POST",
      headers: EX,
      body: [{ name: "sessionId", value: "a b", options: { httpOnly: false, maxAge: 60 } }],
    });
    expect(res.status).toBe(200);
    const [line] = res.cookies;
    expect(line).toMatch(/^sessionId=a%20b;/);
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/Max-Age=60/);
    expect(res.json().decisions[0].reasons).toContain("CALLSITE_WEAKENING_IGNORED");
  });

  it("POST /cookies: an error decision answers 500 with its code, no cookie", async () => {
    const res = await send(servers.prodHttps, "/cookies", {
      method: "POST",
      headers: EX,
      body: [{ name: "bad name", value: "1" }],
    });
    expect(res.status).toBe(500);
    expect(res.json()).toEqual({ error: "COOKIE_NAME_INVALID" });
    expect(res.cookies).toEqual([]);
  });

  it("a server action sets a cookie with cp.setCookie (cookies() after the policy)", async () => {
    const page = await send(servers.prodHttps, "/server-action", { headers: EX });
    const actionField = page.text.match(/name="(\$ACTION_ID_[0-9a-f]+)"/)?.[1];
    expect(actionField).toBeDefined();
    // What the browser posts for a <form action={serverAction}> without JavaScript.
    const boundary = "----cookiepolicy";
    const part = (name, value) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const res = await send(servers.prodHttps, "/server-action", {
      method: "POST",
      headers: { ...EX, "content-type": `multipart/form-data; boundary=${boundary}` },
      raw: `${part(actionField, "")}${part("theme", "blue")}--${boundary}--\r\n`,
    });
    expect(res.status).toBe(200);
    const theme = res.cookies.find((c) => c.startsWith("theme="));
    expect(theme).toMatch(/^theme=blue;/);
    expect(theme).toMatch(/; Secure/);
    expect(theme).not.toMatch(/HttpOnly/);
  });

  it("GET / renders the shared explanation page", async () => {
    const res = await send(servers.dev, "/");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.text).toContain("<title>cookie-policy demo · next</title>");
  });
});

describe("what Next.js lets the policy know about the peer (standard next start)", () => {
  it("an address list cannot match an unknown peer: headers are not believed, the diagnostic says why", async () => {
    const e = (await send(servers.prodHttps, "/explain", { headers: EX })).json();
    expect(e.transport).toMatchObject({ protocol: "https", clientAddress: null });
    expect(e.diagnostics.map((d) => d.code)).toContain("TRANSPORT_PEER_UNKNOWN");
  });

  it("a hop count works: the nearest proxy's X-Forwarded-For and -Proto are believed", async () => {
    const res = await send(servers.hops, "/login", {
      method: "POST",
      headers: { "x-forwarded-proto": "https", "x-forwarded-for": "198.51.100.1, 203.0.113.7" },
    });
    expect(res.cookies[0]).toMatch(/; Secure/);
    const e = (
      await send(servers.hops, "/explain", {
        headers: { "x-forwarded-proto": "https", "x-forwarded-for": "198.51.100.1, 203.0.113.7" },
      })
    ).json();
    expect(e.transport).toMatchObject({
      protocol: "https",
      clientAddress: "203.0.113.7",
      trustedHops: 1,
    });
  });

  it("trust false: the x-forwarded-* Next.js fills in itself are not reported; a client's X-Forwarded-For list is", async () => {
    const quiet = (await send(servers.dev, "/explain")).json();
    expect(quiet.diagnostics).toEqual([]);
    // (A client's Forwarded is no longer read at all: v2's default headers do not list it.)
    const sent = (
      await send(servers.dev, "/explain", {
        headers: { "x-forwarded-for": "203.0.113.7, 198.51.100.1" },
      })
    ).json();
    expect(sent.diagnostics.map((d) => d.code)).toEqual(["TRANSPORT_HEADERS_WITHOUT_TRUST"]);
    expect(sent.transport).toMatchObject({ protocol: "http", source: "socket" });
  });

  it("known limit: next start builds request.url from a client's X-Forwarded-Proto, so trust false cannot see the socket", async () => {
    const e = (
      await send(servers.dev, "/explain", { headers: { "x-forwarded-proto": "https" } })
    ).json();
    expect(e.transport).toMatchObject({ protocol: "https", source: "socket" });
  });
});

describe("a custom server with attestSocket(req, res) (trust [127.0.0.1])", () => {
  it("passes the real peer: the trusted 127.0.0.1 proxy's headers are believed", async () => {
    const e = (
      await send(servers.attested, "/explain", {
        localAddress: "127.0.0.1",
        headers: { "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.7" },
      })
    ).json();
    expect(e.transport).toMatchObject({
      protocol: "https",
      source: "x-forwarded-proto",
      clientAddress: "203.0.113.7",
    });
  });

  it("an untrusted peer's X-Forwarded-Proto is ignored, for the page and for cookies", async () => {
    const headers = { "x-forwarded-proto": "https" };
    const e = (
      await send(servers.attested, "/explain", { localAddress: "127.0.0.2", headers })
    ).json();
    expect(e.transport).toMatchObject({
      protocol: "http",
      source: "socket",
      clientAddress: "127.0.0.2",
    });
    expect(e.diagnostics.map((d) => d.code)).toContain("TRANSPORT_UNTRUSTED_PEER");
    const login = await send(servers.attested, "/login", {
      method: "POST",
      localAddress: "127.0.0.2",
      headers,
    });
    expect(login.cookies).toHaveLength(1);
    expect(login.cookies[0]).not.toMatch(/Secure/);
  });

  it("the forwarding headers Next.js fills in itself are not taken for a proxy's", async () => {
    const e = (await send(servers.attested, "/explain", { localAddress: "127.0.0.2" })).json();
    expect(e.transport.clientAddress).toBe("127.0.0.2");
    expect(e.diagnostics).toEqual([]);
  });

  it("passes the real TLS state: a client's X-Forwarded-Proto http cannot downgrade a TLS socket", async () => {
    const res = await send(servers.attestedTls, "/login", {
      method: "POST",
      localAddress: "127.0.0.2",
      headers: { "x-forwarded-proto": "http" },
    });
    expect(res.cookies[0]).toMatch(/; Secure/);
  });

  it("a forged attestation header is ignored", async () => {
    const e = (
      await send(servers.attested, "/explain", {
        localAddress: "127.0.0.3",
        headers: { "x-cookie-policy-socket": crypto.randomUUID(), "x-forwarded-proto": "https" },
      })
    ).json();
    expect(e.transport).toMatchObject({ protocol: "http", clientAddress: "127.0.0.3" });
  });
});
