/**
 * The browser's own cookie store agrees with the policy, for every adapter.
 *
 * For each framework and each case of ./expectations.mjs (origin × profile), Debian's
 * Chromium logs in, sets a theme, reloads and logs out on the explanation page; after each
 * step the suite compares three things that are obtained independently:
 *   1. the hand-written expectation (SPEC + the policy file + Chromium's rule),
 *   2. the core engine's decision for that origin, computed here in the test process,
 *   3. what the server actually sent (Set-Cookie as Chromium received it) and what
 *      Chromium then stores (`context.cookies()`) and sends back (`GET /echo`).
 * The production profile is also run behind a loopback TLS-terminating proxy the policy
 * trusts (the browser adding a `Forwarded` header of its own, which is not read), and with
 * the proxy's headers sent straight to the app by untrusted peers.
 * Needs `pnpm build` and Chromium (installed with apt when missing and root).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createCookiePolicy } from "@scope/cookie-core";
import { certificate, send } from "@scope/test-support";
import setCookieParser from "set-cookie-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshContext, launchChromium } from "./chromium.mjs";
import {
  CASES,
  CLIENT_FORWARDED,
  COOKIE_SHAPE,
  chromiumKeepsSecureFrom,
  demoPolicy,
  PROXY_ADDRESS,
  STRANGER_ADDRESS,
  suitePolicy,
} from "./expectations.mjs";
import { forwardedHeaders, startTlsProxy } from "./proxy.mjs";
import { serverPool } from "./servers.mjs";

const FRAMEWORKS = ["express", "fastify", "hono", "koa", "next"];
const COOKIES = ["sessionId", "theme"];
const SHOTS = fileURLToPath(new URL("../../.artifacts/screenshots/", import.meta.url));
// Chromium reaches every server from 127.0.0.1 (localhost and demo.test both map there).
const BROWSER_ADDRESS = "127.0.0.1";
const CASE_TIMEOUT_MS = 240_000; // includes a Next.js server start on a busy machine

let browser;
let tmp;
let suiteConfig;
let proxyTls;
const outcomes = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "demo-browser-"));
  suiteConfig = join(tmp, "cookie-policy.json");
  writeFileSync(suiteConfig, JSON.stringify(suitePolicy(), null, 2));
  proxyTls = certificate();
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  console.log(`screenshots of the explanation page: ${SHOTS}`);
  if (outcomes.length) console.log(`emitted → kept by Chromium:\n${outcomes.join("\n")}`);
});

// ---------------------------------------------------------------------------
// The engine's verdict for a case, computed in this process
// ---------------------------------------------------------------------------

function policyFor(c) {
  return createCookiePolicy(c.server.config ? suitePolicy() : demoPolicy(), {
    env: c.profile,
    onReport: () => {},
  });
}

/** The request view the app sees for a browser request of this case. */
function viewFor(c, host, method, url) {
  if (c.via === "proxy") {
    const headers = { host, ...CLIENT_FORWARDED, ...forwardedHeaders(BROWSER_ADDRESS) };
    return { encrypted: false, peer: PROXY_ADDRESS, headers, method, url };
  }
  const headers = c.forged ? { host, ...forwardedHeaders(BROWSER_ADDRESS) } : { host };
  const encrypted = c.origin.startsWith("https:");
  return { encrypted, peer: BROWSER_ADDRESS, headers, method, url };
}

function engineVerdict(c, host) {
  const policy = policyFor(c);
  const page = policy.decideRequest(viewFor(c, host, "GET", "/"));
  return {
    page,
    sessionId: policy.decideRequest(viewFor(c, host, "POST", "/login")).setCookie("sessionId", "v"),
    theme: policy
      .decideRequest(viewFor(c, host, "GET", "/prefs?theme=dark"))
      .setCookie("theme", "dark"),
  };
}

/** The hand-written expectation and the engine agree (checked before any browser work). */
function expectEngineAgrees(c, verdict) {
  const { transport, redirect, hsts } = verdict.page;
  expect(transport).toMatchObject(c.transport);
  expect(redirect?.location ?? null).toBe(c.flow === "redirect" ? `${c.redirect}/` : null);
  if (c.flow === "redirect") return; // no handler runs: the cookie decisions are moot
  expect(hsts).toBe(c.hsts);
  for (const name of COOKIES) {
    const want = c[name];
    const decision = verdict[name];
    if (want === null) {
      expect(decision.action, `${name}: policy action`).toBe("drop");
      continue;
    }
    expect(decision.action, `${name}: policy action`).toBe("set");
    expect(decision.attributes).toMatchObject({ ...COOKIE_SHAPE[name], secure: want.secure });
    // The hand-written `stored` is Chromium's rule applied to the decided attributes.
    expect(want.stored).toBe(!want.secure || chromiumKeepsSecureFrom(c.origin));
  }
}

// ---------------------------------------------------------------------------
// What the server sent and what Chromium did with it
// ---------------------------------------------------------------------------

async function answerOf(response) {
  return {
    status: response.status(),
    location: await response.headerValue("location"),
    hsts: await response.headerValue("strict-transport-security"),
    cookieList: setCookieParser.parse(await response.headerValues("set-cookie"), {
      decodeValues: false,
    }),
  };
}

const pathOf = (response) => new URL(response.url()).pathname;

/** Click a page button and wait for its answer and for the page's /echo refresh after it. */
async function press(page, path, click) {
  const answer = page.waitForResponse((r) => pathOf(r) === path);
  const refreshed = page.waitForResponse((r) => pathOf(r) === "/echo");
  await click();
  const response = await answer;
  await refreshed;
  return answerOf(response);
}

/** The Cookie header the browser sends to this origin, as { name: value }. */
async function echoed(page) {
  const { cookie } = await page.evaluate(() => fetch("/echo").then((r) => r.json()));
  return cookieMap(cookie);
}

function cookieMap(header) {
  if (!header) return {};
  return Object.fromEntries(
    header
      .split(/;\s*/)
      .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
  );
}

/** The one Set-Cookie line for `name` in an answer (or undefined), checked against the case. */
function expectEmitted(answer, name, want, decision) {
  const lines = answer.cookieList.filter((cookie) => cookie.name === name);
  if (want === null) {
    expect(lines, `${name} must not be emitted`).toEqual([]);
    return undefined;
  }
  expect(lines, `${name}: one Set-Cookie`).toHaveLength(1);
  const [line] = lines;
  const shape = COOKIE_SHAPE[name];
  expect({
    secure: Boolean(line.secure),
    httpOnly: Boolean(line.httpOnly),
    sameSite: line.sameSite?.toLowerCase(),
    maxAge: line.maxAge,
    path: line.path,
  }).toEqual({ ...shape, secure: want.secure });
  // The server applied the engine's decision (the same Secure the engine decided here).
  expect(Boolean(line.secure)).toBe(decision.secure);
  return line;
}

/**
 * Chromium's whole cookie store (a fresh context holds only this case's cookies) holds
 * exactly `names`, each as the server emitted it, and the browser sends exactly those back.
 */
async function expectStore(context, page, origin, names, emitted, since) {
  const jar = await context.cookies();
  expect(jar.map((cookie) => cookie.name).sort()).toEqual([...names].sort());
  const host = new URL(origin).hostname;
  for (const cookie of jar) {
    const line = emitted[cookie.name];
    expect(cookie).toMatchObject({
      domain: host,
      path: "/",
      value: line.value,
      secure: Boolean(line.secure),
      httpOnly: Boolean(line.httpOnly),
      sameSite: line.sameSite === "Strict" || line.sameSite === "strict" ? "Strict" : "Lax",
    });
    // Max-Age became an expiry that many seconds after the answer.
    expect(cookie.expires).toBeGreaterThanOrEqual(since / 1000 + line.maxAge - 5);
    expect(cookie.expires).toBeLessThanOrEqual(Date.now() / 1000 + line.maxAge + 5);
  }
  expect(await echoed(page)).toEqual(Object.fromEntries(jar.map((c) => [c.name, c.value])));
}

/** The explanation page reads well: no error, the verdict for this case, the walk, the profile. */
async function expectPageExplains(page, framework, c, pageErrors) {
  expect(await page.textContent("h1")).toContain(framework);
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is what a reader sees
  const text = await page.innerText("body");
  expect(text).not.toMatch(/Internal Server Error|Application error|Unhandled Runtime Error/i);
  expect(text).toContain("Is this request HTTPS?");
  expect(text).toContain(
    c.transport.protocol === "https" ? "This request is HTTPS:" : "This request is plain HTTP:",
  );
  if (c.transport.source === "x-forwarded-proto") {
    expect(text).toContain(
      `the trusted proxy ${PROXY_ADDRESS} recorded it in the X-Forwarded-Proto header`,
    );
  }
  expect(text).toContain("The trust walk, hop by hop");
  expect(text).toContain("Cookie decisions");
  expect(text).toMatch(new RegExp(`Active profile\\s+${c.profile}\\b`));
  expect(pageErrors).toEqual([]);
}

function record(framework, c, name, line, kept) {
  const emitted = line ? `emitted${line.secure ? " Secure" : ""}` : "not emitted";
  const verdict = line ? (kept ? "kept" : "DROPPED by Chromium") : "-";
  outcomes.push(
    `  ${framework.padEnd(7)} ${c.id.padEnd(54)} ${name.padEnd(9)} ${emitted} → ${verdict}`,
  );
}

// ---------------------------------------------------------------------------
// The flows
// ---------------------------------------------------------------------------

async function pageFlow({ context, framework, c, origin, verdict }) {
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  const first = await page.goto(`${origin}/`);
  expect(first.status()).toBe(200);
  expect(await first.headerValue("strict-transport-security")).toBe(c.hsts);
  await expectPageExplains(page, framework, c, pageErrors);
  // The page's own /explain agrees with the transport verdict expected here.
  const explain = await page.evaluate(() => fetch("/explain").then((r) => r.json()));
  expect(explain.env).toBe(c.profile);
  expect(explain.transport).toMatchObject(c.transport);
  expect(await context.cookies()).toEqual([]);

  const emitted = {};
  const keep = (name) => c[name]?.stored === true;

  let since = Date.now();
  const login = await press(page, "/login", () => page.click('button[data-url="/login"]'));
  expect(login.status).toBe(200);
  expect(login.hsts).toBe(c.hsts);
  emitted.sessionId = expectEmitted(login, "sessionId", c.sessionId, verdict.sessionId);
  await expect.poll(() => page.textContent("#result")).toContain("POST /login → 200");
  await expectStore(context, page, origin, keep("sessionId") ? ["sessionId"] : [], emitted, since);
  record(framework, c, "sessionId", emitted.sessionId, keep("sessionId"));

  since = Date.now();
  await page.selectOption("#theme", "dark");
  const prefs = await press(page, "/prefs", () => page.click("#set-theme"));
  expect(prefs.status).toBe(200);
  emitted.theme = expectEmitted(prefs, "theme", c.theme, verdict.theme);
  const both = COOKIES.filter(keep);
  await expectStore(context, page, origin, both, emitted, 0);
  record(framework, c, "theme", emitted.theme, keep("theme"));

  // Reload: the navigation itself carries what the store holds, and the page still explains.
  const again = await page.reload();
  expect(again.status()).toBe(200);
  const sent = cookieMap((await again.request().allHeaders()).cookie);
  expect(Object.keys(sent).sort()).toEqual([...both].sort());
  await expectPageExplains(page, framework, c, pageErrors);
  await expect.poll(() => page.textContent("#cookies")).not.toBe("…");
  if (c.screenshot) {
    await page.screenshot({ path: join(SHOTS, `${framework}.png`), fullPage: true });
  }

  const logout = await press(page, "/logout", () => page.click('button[data-url="/logout"]'));
  expect(logout.status).toBe(200);
  if (keep("sessionId")) {
    const clear = logout.cookieList.find((cookie) => cookie.name === "sessionId");
    expect(clear, "logout clears sessionId").toBeDefined();
    expect(clear.maxAge === 0 || (clear.expires && clear.expires.getTime() <= Date.now())).toBe(
      true,
    );
  }
  await expectStore(
    context,
    page,
    origin,
    both.filter((n) => n !== "sessionId"),
    emitted,
    0,
  );
}

async function redirectFlow({ context, c, origin }) {
  if (c.forged) await context.setExtraHTTPHeaders(forwardedHeaders(BROWSER_ADDRESS));
  const page = await context.newPage();
  // Chromium follows the redirect to the HTTPS site, which does not exist here (routes do
  // not see redirect targets), so the navigation ends in a network error: the first hop
  // and the browser's attempt on the target are what count.
  const hop = page.waitForResponse((r) => r.url() === `${origin}/`);
  const target = page.waitForRequest((r) => r.url() === `${c.redirect}/`);
  await page.goto(`${origin}/`).catch(() => undefined);
  const first = await answerOf(await hop);
  expect(first).toMatchObject({
    status: 308,
    location: `${c.redirect}/`,
    hsts: null,
    cookieList: [],
  });
  expect((await target).isNavigationRequest()).toBe(true);

  await page.close();

  // /healthz is excluded from the redirect: from there, try what the buttons do.
  const healthz = await context.newPage();
  expect((await healthz.goto(`${origin}/healthz`)).status()).toBe(200);
  for (const [method, path] of [
    ["POST", "/login"],
    ["GET", "/prefs?theme=dark"],
  ]) {
    const answer = healthz.waitForResponse((r) => pathOf(r) === path.split("?")[0]);
    const type = await healthz.evaluate(
      ([m, p]) => fetch(p, { method: m, redirect: "manual" }).then((r) => r.type),
      [method, path],
    );
    expect(type).toBe("opaqueredirect");
    expect(await answerOf(await answer)).toMatchObject({
      status: 308,
      location: `${c.redirect}${path}`,
      hsts: null,
      cookieList: [],
    });
  }
  expect(await context.cookies()).toEqual([]);
}

/** One POST straight to the app from `localAddress`, the way node:http sends it. */
const postFrom = (localAddress, port, path, headers) =>
  send(`http://127.0.0.1:${port}${path}`, { method: "POST", headers, localAddress });

// ---------------------------------------------------------------------------
// The matrix: framework × case
// ---------------------------------------------------------------------------

describe.each(FRAMEWORKS)("%s: the browser's cookie store agrees with the policy", (framework) => {
  const pool = serverPool(framework);
  let proxy;

  const appFor = (c) =>
    pool.get({
      env: c.server.env,
      https: Boolean(c.server.https),
      config: c.server.config ? suiteConfig : undefined,
    });

  afterAll(async () => {
    await (await proxy)?.close();
    await pool.stopAll();
  });

  for (const c of CASES) {
    it(
      c.id,
      async () => {
        const app = await appFor(c);
        if (c.via === "proxy") {
          proxy ??= startTlsProxy({
            target: `http://127.0.0.1:${app.port}`,
            tls: proxyTls,
            localAddress: PROXY_ADDRESS,
          });
        }
        const port = c.via === "proxy" ? (await proxy).port : app.port;
        const origin = `${c.origin}:${port}`;
        const verdict = engineVerdict(c, new URL(origin).host);
        expectEngineAgrees(c, verdict);

        const context = await freshContext(browser);
        try {
          if (c.via === "proxy") await context.setExtraHTTPHeaders(CLIENT_FORWARDED);
          if (c.flow === "page") await pageFlow({ context, framework, c, origin, verdict });
          else await redirectFlow({ context, c, origin });
        } finally {
          await context.close();
        }
      },
      CASE_TIMEOUT_MS,
    );
  }

  it(
    "behind-proxy · the proxy's headers are believed from the proxy only (node:http, peers 127.0.0.2 vs 127.0.0.3)",
    async () => {
      const c = CASES.find((k) => k.via === "proxy" && k.origin === "https://demo.test");
      const app = await appFor(c);
      const host = `demo.test:${app.port}`;
      const headers = { host, ...forwardedHeaders(BROWSER_ADDRESS) };
      const policy = policyFor(c);
      const view = (peer) => ({ encrypted: false, peer, headers, method: "POST", url: "/login" });

      // From the proxy's address: believed, HTTPS, the session cookie is Secure.
      const trusted = policy.decideRequest(view(PROXY_ADDRESS));
      expect(trusted.transport).toMatchObject(c.transport);
      const viaProxy = await postFrom(PROXY_ADDRESS, app.port, "/login", headers);
      expect(viaProxy).toMatchObject({ status: 200, hsts: c.hsts });
      const session = expectEmitted(
        viaProxy,
        "sessionId",
        c.sessionId,
        trusted.setCookie("sessionId", "v"),
      );
      expect(session.secure).toBe(true);

      // The same request from any other peer: not believed, plain HTTP, redirected, no cookie.
      const untrusted = policy.decideRequest(view(STRANGER_ADDRESS));
      expect(untrusted.transport).toMatchObject({
        protocol: "http",
        source: "socket",
        trustedHops: 0,
      });
      expect(untrusted.transport.diagnostics.map((d) => d.code)).toContain(
        "TRANSPORT_UNTRUSTED_PEER",
      );
      expect(untrusted.redirect).toEqual({ status: 308, location: "https://example.com/login" });
      const direct = await postFrom(STRANGER_ADDRESS, app.port, "/login", headers);
      expect(direct).toMatchObject({
        status: 308,
        location: "https://example.com/login",
        hsts: null,
        cookieList: [],
      });
    },
    CASE_TIMEOUT_MS,
  );
});
