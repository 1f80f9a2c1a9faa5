import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@scope/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyNodeVerdict } from "../apply/node.js";
import { createCookiePolicy } from "../engine.js";
import { nodeRequest } from "../request/node-view.js";
import type { PolicyFile } from "../types.js";
import { main } from "./main.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const policy: PolicyFile = {
  https: { hsts: { maxAge: 31536000, includeSubDomains: true } },
  sensitive: { secure: "always", httpOnly: true, sameSite: "strict" },
  cookies: { sessionId: { sensitive: true, maxAge: 3600 } },
};

/** The same policy behind a proxy on loopback: X-Forwarded-Proto from 127.0.0.1 is believed. */
const proxied: PolicyFile = { ...policy, proxy: { trust: ["loopback"] } };

/** A good app: it writes its cookie plainly (on `method` only, when given); core's Node applier decides it and HSTS. */
function goodAppOf(file: PolicyFile, method?: string): Handler {
  const compiled = createCookiePolicy(file, { env: "production", onReport: () => {} });
  return (req, res) => {
    if (applyNodeVerdict(compiled.decideRequest(nodeRequest(req)), res)) return;
    if (method === undefined || req.method === method)
      res.setHeader("Set-Cookie", ["sessionId=abc"]);
    res.end("ok");
  };
}
const goodApp = goodAppOf(policy);
/** A good app that trusts its loopback proxy; it sets the session cookie on POST only. */
const proxiedApp = goodAppOf(proxied, "POST");

/** A deliberately bad app: one broken invariant per cookie, HSTS where it does not belong. */
const badApp: Handler = (_req, res) => {
  res.setHeader("Set-Cookie", [
    "sid=1; Path=/; HttpOnly; SameSite=Lax",
    "__Host-a=1; Path=/; Domain=127.0.0.1; Secure; SameSite=Lax",
    "__Secure-b=1; Path=/; SameSite=Lax",
    "embed=1; Path=/; SameSite=None",
    "chip=1; Path=/; SameSite=Lax; Partitioned",
    "prefs=1; Max-Age=99999999; Path=/; SameSite=Lax; Secure",
  ]);
  res.setHeader("Strict-Transport-Security", "max-age=31536000");
  res.end("ok");
};

let dir = "";
let empty = "";
const closers: Array<() => Promise<void>> = [];

async function listen(kind: "http" | "https", handler: Handler): Promise<string> {
  const served = await serve(handler);
  closers.push(served.close);
  return `${served[kind]}/`;
}

async function run(
  argv: string[],
  cwd = dir,
): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), cwd };
  const code = await main(["audit", ...argv], io);
  return { code, out, err };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cookie-audit-"));
  empty = mkdtempSync(join(tmpdir(), "cookie-audit-empty-"));
  writeFileSync(join(dir, "cookie-policy.json"), JSON.stringify(policy));
});
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  rmSync(dir, { recursive: true, force: true });
  rmSync(empty, { recursive: true, force: true });
});

describe("cookie-policy audit URL", () => {
  it("exits 0 for a good HTTPS app (policy from ./cookie-policy.json, a public Host for HSTS)", async () => {
    const url = await listen("https", goodApp);
    const { code, out } = await run([
      url,
      "--env",
      "production",
      "--insecure",
      "-H",
      "Host: app.example.test",
    ]);
    expect(out).toEqual([
      `GET https://app.example.test/ -> 200 (profile "production", policy ${join(dir, "cookie-policy.json")})`,
      'ok: cookie "sessionId"',
      "ok: Strict-Transport-Security: max-age=31536000; includeSubDomains",
      "no findings (1 cookie checked)",
    ]);
    expect(code).toBe(0);
  });

  it("exits 1 and names each broken invariant of a bad HTTPS app (built-in defaults, no policy file)", async () => {
    const url = await listen("https", badApp);
    const { code, out } = await run([url, "--env", "production", "-k"], empty);
    expect(out[0]).toBe(
      `GET ${url} -> 200 (profile "production", built-in defaults: no cookie-policy.json)`,
    );
    expect(out.filter((l) => l.startsWith("finding: "))).toEqual([
      'finding: cookie "sid": expected Secure (policy rule "sensitive": secure "always"), got none',
      'finding: cookie "__Host-a": expected no Domain (invariant: __Host- cookies have Path=/ and no Domain), got Domain=127.0.0.1',
      'finding: cookie "__Secure-b": expected Secure (invariant: the __Secure- prefix requires Secure), got none',
      'finding: cookie "embed": expected Secure (policy rule "defaults": secure "auto" on an https request), got none',
      'finding: cookie "embed": expected SameSite=Lax (policy rule "defaults": sameSite "lax"), got SameSite=None',
      'finding: cookie "chip": expected Secure (invariant: Partitioned requires Secure), got none',
      'finding: cookie "prefs": expected Max-Age=34560000 at most (invariant: browsers cap a cookie\'s lifetime at 400 days), got Max-Age=99999999',
      "finding: Strict-Transport-Security: expected none for localhost or an IP address (invariant: HSTS is never sent for localhost or IP-literal hosts), got max-age=31536000",
    ]);
    expect(out.at(-1)).toBe("8 findings");
    expect(code).toBe(1);
  });

  it("SameSite=None allowed by a rule still requires Secure", async () => {
    const url = await listen("https", badApp);
    const config = join(dir, "embed.json");
    writeFileSync(config, JSON.stringify({ cookies: { embed: { sameSite: "none" } } }));
    const { code, out } = await run([url, "--env", "production", "-k", "--config", config]);
    expect(out.filter((l) => l.includes('"embed"'))).toEqual([
      'finding: cookie "embed": expected Secure (invariant: SameSite=None requires Secure), got none',
    ]);
    expect(code).toBe(1);
  });

  it("over HTTP: a cookie that requires Secure must not be set, HSTS is ignored (--json)", async () => {
    const url = await listen("http", badApp);
    const { code, out } = await run([url, "--env", "production", "--json"], empty);
    const report = JSON.parse(out.join("\n"));
    expect(report).toMatchObject({
      status: 200,
      env: "production",
      policy: null,
      transport: { protocol: "http" },
    });
    expect(
      report.findings.map((f: { code: string; cookie: string | null }) => [f.code, f.cookie]),
    ).toEqual([
      ["COOKIE_NOT_ALLOWED", "sid"],
      ["COOKIE_NOT_ALLOWED", "__Host-a"],
      ["COOKIE_NOT_ALLOWED", "__Secure-b"],
      ["SAMESITE_WEAK", "embed"],
      ["COOKIE_NOT_ALLOWED", "chip"],
      ["COOKIE_NOT_ALLOWED", "prefs"],
      ["HSTS_ON_HTTP", null],
    ]);
    expect(code).toBe(1);
  });

  it("a good app on HTTP with a redirect-free policy: a session cookie is simply not sent", async () => {
    const url = await listen("http", goodApp);
    const { code, out } = await run([url, "--env", "production"]);
    expect(out.at(-1)).toBe("no findings (0 cookies checked)");
    expect(code).toBe(0);
  });

  it("exits 2 on a self-signed certificate without --insecure, with a hint", async () => {
    const url = await listen("https", goodApp);
    const { code, err } = await run([url]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(
      /^error: cannot fetch https:\/\/127\.0\.0\.1:\d+\/: .*certificate.* \(a local server with a self-signed certificate: add --insecure\)$/,
    );
    expect(code).toBe(2);
  });

  it("exits 2 on usage errors and an invalid policy", async () => {
    expect(await run([])).toMatchObject({
      code: 2,
      err: ["error: audit needs a URL", "Run `cookie-policy audit --help` for usage."],
    });
    expect((await run(["ftp://x/"])).code).toBe(2);
    expect((await run(["http://127.0.0.1:1/", "--bogus"])).err[0]).toBe(
      "error: unknown option --bogus",
    );
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ proxy: { trust: ["10.0.0.0/33"] } }));
    const invalid = await run(["http://127.0.0.1:1/", "--config", bad]);
    expect(invalid.code).toBe(2);
    expect(invalid.err[0]).toMatch(/^error: \/proxy\/trust\/0: /);
  });

  it("warns on stderr when the profile asked for does not exist (production is judged)", async () => {
    const url = await listen("http", goodApp);
    const { code, out, err } = await run([url, "--env", "prodution"]);
    expect(err).toEqual([expect.stringMatching(/^warning: ENV_UNKNOWN: .*prodution/)]);
    expect(out[0]).toContain('(profile "production"');
    expect(code).toBe(0);
  });

  it("exits 2 when nothing answers", async () => {
    const { code, err } = await run(["http://127.0.0.1:1/", "--env", "production"]);
    expect(err[0]).toMatch(/^error: cannot fetch http:\/\/127\.0\.0\.1:1\/: .*ECONNREFUSED/);
    expect(code).toBe(2);
  });

  it("walks the request it sent: -H X-Forwarded-Proto from a trusted peer, --method POST", async () => {
    const url = await listen("http", proxiedApp);
    const config = join(dir, "proxied.json");
    writeFileSync(config, JSON.stringify(proxied));
    const args = [url, "--env", "production", "--config", config, "-H", "Host: app.example.test"];
    const { code, out } = await run([
      ...args,
      "--method",
      "POST",
      "-H",
      "X-Forwarded-Proto: https",
    ]);
    expect(out).toEqual([
      `POST http://app.example.test/ -> 200 (profile "production", policy ${config})`,
      'ok: cookie "sessionId"',
      "ok: Strict-Transport-Security: max-age=31536000; includeSubDomains",
      "no findings (1 cookie checked)",
    ]);
    expect(code).toBe(0);

    // Without the header the app answers as over HTTP, and so does the judgement.
    const plain = await run([...args, "--method", "POST"]);
    expect(plain.out.at(-1)).toBe("no findings (0 cookies checked)");
    expect(plain.code).toBe(0);
  });

  it("--peer names the peer the server sees: from an untrusted one the header proves nothing", async () => {
    const url = await listen("http", proxiedApp);
    const config = join(dir, "proxied.json");
    writeFileSync(config, JSON.stringify(proxied));
    const { code, out } = await run([
      url,
      "--env",
      "production",
      "--config",
      config,
      "--method",
      "POST",
      "-H",
      "Host: app.example.test",
      "-H",
      "X-Forwarded-Proto: https",
      "--peer",
      "203.0.113.9",
    ]);
    // The app believed its loopback peer; judged from 203.0.113.9 the request is plain HTTP.
    expect(out.filter((l) => l.startsWith("finding: "))).toEqual([
      expect.stringMatching(
        /^finding: cookie "sessionId": expected no Set-Cookie on an insecure request/,
      ),
      expect.stringMatching(/^finding: Strict-Transport-Security: /),
    ]);
    expect(code).toBe(1);
  });

  it("gives up on a server that never answers (--timeout) instead of hanging", async () => {
    const url = await listen("http", () => {});
    const { code, err } = await run([url, "--timeout", "0.2"]);
    expect(err).toEqual([`error: cannot fetch ${url}: no response within 0.2s`]);
    expect(code).toBe(2);
    expect((await run([url, "--timeout", "soon"])).code).toBe(2);
  });

  it("--help prints the usage and exits 0", async () => {
    const { code, out } = await run(["--help"]);
    expect(out[0]).toMatch(/^Usage: cookie-policy audit URL/);
    expect(code).toBe(0);
  });
});
