/**
 * The explanation page in a real browser (Debian's Chromium through playwright-core), on
 * the five servers `pnpm demo` starts (bin/demo.mjs, with its first default port taken):
 * the buttons log in, set a theme and log out; the "try a request" panel asks all five
 * servers one question and shows five answers that agree, each naming the policy setting
 * that decided. Needs `pnpm build`. Screenshots go to DEMO_SCREENSHOTS (default: a
 * folder in the system's temp directory), printed by the suite.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshContext, launchChromium, withPage } from "../test/browser/chromium.mjs";
import { freePorts } from "./ports.mjs";

const DEMO = fileURLToPath(new URL("../bin/demo.mjs", import.meta.url));
const SERVE = fileURLToPath(new URL("../bin/serve.mjs", import.meta.url));
const POLICY = fileURLToPath(new URL("../cookie-policy.json", import.meta.url));
const FRAMEWORKS = ["express", "fastify", "hono", "koa", "next"];
const SHOTS = process.env.DEMO_SCREENSHOTS || join(tmpdir(), "cookie-policy-demo-screenshots");
const SERVER_LINE = /^ {2}(\w+) +(http:\/\/\S+)\/( +\(port (\d+) was taken\))?$/;

/** A port this suite holds, so `pnpm demo`'s first default is taken. */
function holdPort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

/** `node bin/demo.mjs --base-port N`: resolves with the URLs it prints, by framework. */
function startDemo(basePort) {
  const child = spawn(process.execPath, [DEMO, "--base-port", String(basePort)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines = [];
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`demo exited ${code}:\n${lines.join("\n")}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      lines.push(line);
      if (!line.startsWith("Press Ctrl-C")) return;
      const servers = {};
      for (const l of lines) {
        const m = SERVER_LINE.exec(l);
        if (m) servers[m[1]] = { url: m[2], movedFrom: m[4] ? Number(m[4]) : null };
      }
      resolve({ child, servers, output: lines.join("\n") });
    });
  });
}

/** One server through serve.mjs with this environment; resolves once it listens. */
function serve(args, env) {
  const child = spawn(process.execPath, [SERVE, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    createInterface({ input: child.stdout }).once("line", () => resolve(child));
  });
}

describe("the explanation page in Chromium, on `pnpm demo`'s five servers", () => {
  let browser;
  let held;
  let demo;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    console.log(`page screenshots: ${SHOTS}`);
    held = await holdPort();
    demo = await startDemo(held.address().port);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    if (demo) {
      const exited = new Promise((resolve) => demo.child.once("exit", resolve));
      demo.child.kill("SIGTERM");
      await exited;
    }
    await new Promise((resolve) => held?.close(resolve));
  });

  it("`pnpm demo` moves a server whose default port is taken, and prints every URL", () => {
    expect(Object.keys(demo.servers).sort()).toEqual([...FRAMEWORKS].sort());
    const express = demo.servers.express;
    expect(express.movedFrom).toBe(held.address().port);
    expect(new URL(express.url).port).not.toBe(String(held.address().port));
    expect(demo.output).not.toContain("FAILED TO START");
  });

  it("every server answers POST /explain alike, bad bodies included, and lets other pages ask", async () => {
    const question = JSON.stringify({
      profile: "production",
      scheme: "http",
      host: "example.com",
      peer: "127.0.0.1",
      headers: ["X-Forwarded-Proto: https"],
      cookie: "sessionId=abc",
    });
    const bodies = [
      { body: question, type: "text/plain;charset=UTF-8" },
      { body: question, type: "application/json" },
      { body: question, type: undefined },
      { body: "", type: undefined },
      { body: "{", type: "application/json" },
      { body: "profile=production", type: "application/x-www-form-urlencoded" },
      { body: "[]", type: "text/plain" },
    ];
    for (const { body, type } of bodies) {
      const answers = await Promise.all(
        FRAMEWORKS.map(async (framework) => {
          const res = await fetch(`${demo.servers[framework].url}/explain`, {
            method: "POST",
            body,
            headers: type === undefined ? {} : { "content-type": type },
          });
          const json = await res.json();
          expect(res.headers.get("access-control-allow-origin")).toBe("*");
          expect(json.framework ?? framework).toBe(framework);
          return { status: res.status, json: { ...json, framework: undefined } };
        }),
      );
      for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
      expect(answers[0].status).toBe(body === question ? 200 : 400);
    }
  });

  it.each(FRAMEWORKS.filter((f) => f !== "next"))(
    "%s: log in, set a theme, log out",
    async (framework) => {
      await withPage(browser, async (page) => {
        await page.goto(`${demo.servers[framework].url}/`);
        await expect.poll(() => page.textContent("#cookies")).toBe("(none)");
        expect(await page.textContent("h1")).toContain(framework);

        await page.click('button[data-url="/login"]');
        await expect.poll(() => page.textContent("#cookies")).toMatch(/^sessionId=[\w-]+$/);
        expect(await page.textContent("#result")).toContain('POST /login → 200 {"ok":true}');
        // HttpOnly: the page's script cannot read the session cookie
        expect(await page.evaluate(() => document.cookie)).toBe("");

        await page.selectOption("#theme", "dark");
        await page.click("#set-theme");
        await expect.poll(() => page.textContent("#cookies")).toMatch(/theme=dark/);
        expect(await page.evaluate(() => document.cookie)).toBe("theme=dark");
        await page.reload();
        expect(await page.inputValue("#theme")).toBe("dark");

        await page.click('button[data-url="/logout"]');
        await expect.poll(() => page.textContent("#cookies")).toBe("theme=dark");
      });
    },
  );

  it("says which policy setting decided, and why HSTS is not sent", async () => {
    await withPage(browser, async (page) => {
      await page.goto(`${demo.servers.koa.url}/`);
      expect(await page.textContent(".intro")).toMatch(/^One policy file decides/);
      // development over plain HTTP: sessionId is "secure: auto" because the development
      // profile lowers sensitive.secure (SPEC §2 example), and the page names that line
      const why = await page.locator("td", { hasText: "SECURE_AUTO" }).first().textContent();
      expect(why).toContain('secure ← profiles.development.sensitive.secure = "auto"');
      expect(await page.textContent("#hsts")).toContain(
        "Not sent: HSTS is off in this profile (https.hsts = false)",
      );
      // the socket peer is not trusted under development: it is the client, not a proxy
      expect(await page.textContent("#walk")).toContain(
        "the client is the socket peer (127.0.0.1)",
      );
      await page.screenshot({ path: join(SHOTS, "page-koa.png"), fullPage: true });
    });
  });

  it("the panel asks all five servers one question, and their answers agree", async () => {
    await withPage(browser, async (page) => {
      await page.goto(`${demo.servers.hono.url}/`);
      const ask = async (question, shot) => {
        await page.fill("#q-profile", question.profile);
        await page.selectOption("#q-scheme", question.scheme);
        await page.fill("#q-host", question.host);
        await page.fill("#q-peer", question.peer);
        await page.fill("#q-headers", question.headers.join("\n"));
        await page.fill("#q-cookie", question.cookie);
        await page.click("#ask");
        // the first answer from Next can take a while on a busy machine
        await expect
          .poll(() => page.textContent("#agreement"), { timeout: 60_000 })
          .not.toMatch(/^(Asking…)?$/);
        await page.locator("#answers").scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(SHOTS, shot), fullPage: true });
        return page.locator("#answers .answer").allTextContents();
      };

      // production trusts loopback: the proxy at 127.0.0.1 says https, so the session
      // cookie is Secure (sensitive.secure "always") and HSTS goes out for example.com
      const behindProxy = await ask(
        {
          profile: "production",
          scheme: "http",
          host: "example.com",
          peer: "127.0.0.1",
          headers: ["X-Forwarded-Proto: https", "X-Forwarded-For: 203.0.113.7"],
          cookie: "sessionId=abc123",
        },
        "panel-production-behind-proxy.png",
      );
      expect(await page.textContent("#agreement")).toBe("All 5 servers gave the same answer.");
      expect(await page.locator("#answers .answer h3").allTextContents()).toEqual(FRAMEWORKS);
      for (const text of behindProxy) {
        expect(text).toContain("sessionId is sent, Secure");
        expect(text).toMatch(/sessionId=abc123;[^\n]*Secure/);
        expect(text).toContain('secure ← sensitive.secure = "always"');
        expect(text).toContain("HTTPS, from x-forwarded-proto");
        expect(text).toContain("client 203.0.113.7 · 1 trusted proxy");
        expect(text).toContain("HSTS: max-age=31536000; includeSubDomains");
      }
      const why = await page.textContent("#answer-why");
      expect(why).toContain("1 trusted proxy stands between the client (203.0.113.7)");
      expect(why).toContain("HSTS: Sent: max-age=31536000; includeSubDomains.");
      expect(why).toContain("profiles.production.https.hsts");

      // the same request under development: proxy.trust is false, the header is ignored,
      // and "secure: auto" (from the development profile) leaves the cookie without Secure
      const development = await ask(
        {
          profile: "development",
          scheme: "http",
          host: "example.com",
          peer: "127.0.0.1",
          headers: ["X-Forwarded-Proto: https"],
          cookie: "sessionId=abc123",
        },
        "panel-development.png",
      );
      expect(await page.textContent("#agreement")).toBe("All 5 servers gave the same answer.");
      for (const text of development) {
        expect(text).toContain("plain HTTP, from the socket");
        expect(text).toContain("sessionId is sent");
        expect(text).not.toContain("sessionId is sent, Secure");
        expect(text).toContain('secure ← profiles.development.sensitive.secure = "auto"');
        expect(text).toContain("TRANSPORT_HEADERS_WITHOUT_TRUST");
      }
      expect(await page.textContent("#answer-why")).toContain(
        "HSTS: Not sent: HSTS is off in this profile (https.hsts = false).",
      );
    });
  });

  it("marks the server whose answer differs: one started on another policy", async () => {
    // koa reads a copy of the policy whose development profile keeps sensitive cookies Secure
    const dir = mkdtempSync(join(tmpdir(), "cookie-policy-page-"));
    const other = JSON.parse(readFileSync(POLICY, "utf8"));
    delete other.$schema;
    other.profiles.development.sensitive = { secure: "always" };
    writeFileSync(join(dir, "policy.json"), JSON.stringify(other));
    const frameworks = ["express", "hono", "koa"];
    const ports = await freePorts([0, 0, 0]);
    const servers = frameworks.map((framework, i) => ({
      framework,
      url: `http://127.0.0.1:${ports[i]}`,
    }));
    const env = { COOKIE_POLICY_DEMO_SERVERS: JSON.stringify(servers) };
    const children = await Promise.all(
      frameworks.map((framework, i) => {
        const args = ["--framework", framework, "--port", String(ports[i]), "--env", "development"];
        if (framework === "koa") args.push("--config", join(dir, "policy.json"));
        return serve(args, env);
      }),
    );
    const context = await freshContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(`${servers[0].url}/`);
      await page.fill("#q-profile", "development");
      await page.fill("#q-host", "example.com");
      await page.fill("#q-headers", "");
      await page.fill("#q-cookie", "sessionId=abc123");
      await page.click("#ask");
      await expect
        .poll(() => page.textContent("#agreement"), { timeout: 60_000 })
        .toBe("The servers disagree: 2 different answers.");
      await page.screenshot({ path: join(SHOTS, "panel-disagreement.png"), fullPage: true });
      const marked = page.locator("#answers .answer.differs");
      expect(await marked.locator("h3").allTextContents()).toEqual(["koa"]);
      const koa = await marked.textContent();
      expect(koa).toContain("sessionId is NOT sent (dropped), Secure");
      expect(koa).toContain('secure ← profiles.development.sensitive.secure = "always"');
      expect(koa).toContain("This answer differs from express's.");
    } finally {
      await context.close();
      await Promise.all(
        children.map((child) => {
          const exited = new Promise((resolve) => child.once("exit", resolve));
          child.kill("SIGTERM");
          return exited;
        }),
      );
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
