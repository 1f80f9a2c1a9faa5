/**
 * The explanation page in a real browser (Chromium through playwright-core): its buttons
 * log in, set a theme and log out on each framework's server, and the cookies the browser
 * then sends show it. Needs `pnpm build` and Chromium (CHROMIUM_PATH, else /usr/bin/chromium).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SERVE = fileURLToPath(new URL("../bin/serve.mjs", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const FRAMEWORKS = ["express", "fastify", "hono", "koa"];

function serve(framework) {
  const child = spawn(process.execPath, [SERVE, "--framework", framework, "--env", "development"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${framework} exited ${code}: ${stderr}`)));
    createInterface({ input: child.stdout }).once("line", (line) =>
      resolve({ url: JSON.parse(line).url, child }),
    );
  });
}

describe("the explanation page in Chromium", () => {
  let browser;
  const servers = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: set CHROMIUM_PATH`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });

  afterAll(async () => {
    await browser?.close();
    for (const { child } of servers) child.kill("SIGTERM");
  });

  it.each(FRAMEWORKS)("%s: log in, set a theme, log out", async (framework) => {
    const server = await serve(framework);
    servers.push(server);
    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}/`);
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
    } finally {
      await page.close();
    }
  });
});
