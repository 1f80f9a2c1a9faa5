/**
 * Chromium through the real nginx, configured by docs/deployment.md's nginx recipe, over
 * HTTPS: for every framework the session cookie arrives Secure and HttpOnly, Chromium
 * keeps it so, and sends it back.
 *
 * nginx terminates TLS and forwards plain HTTP from 127.0.0.1, the address the recipe's
 * policy trusts; Chromium reaches https://demo.test:PORT (mapped to 127.0.0.1). Needs
 * `pnpm build`, Chromium and nginx (both installed with apt when missing and root).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEPLOYMENTS } from "../proxies/deployments.mjs";
import { ensureProxies } from "../proxies/processes.mjs";
import { readRecipes } from "../proxies/recipes.mjs";
import { readyThrough, writeCertificates, writeRecipePolicy } from "../proxies/setup.mjs";
import { freshContext, launchChromium, NON_LOCALHOST } from "./chromium.mjs";
import { serverPool } from "./servers.mjs";

const FRAMEWORKS = ["express", "fastify", "hono", "koa", "next"];
const NGINX = DEPLOYMENTS.find((d) => d.name === "nginx");
/** The recipe's `"hsts": true`: a year (SPEC §2.4; the policy's HSTS defaults). */
const HSTS = "max-age=31536000";

let tmp;
let browser;
let nginx;
const pools = FRAMEWORKS.map((f) => serverPool(f));

beforeAll(async () => {
  ensureProxies();
  tmp = mkdtempSync(join(tmpdir(), "demo-browser-nginx-"));
  const recipes = readRecipes();
  const config = writeRecipePolicy(tmp, recipes, NGINX.policy);
  const apps = new Map(
    await Promise.all(
      pools.map(async (pool, i) => [
        FRAMEWORKS[i],
        (await pool.get({ env: "production", config })).port,
      ]),
    ),
  );
  nginx = await NGINX.start({
    recipes,
    dir: tmp,
    apps,
    certificates: writeCertificates(tmp),
    ready: readyThrough(NGINX),
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await nginx?.stop();
  await Promise.all(pools.map((pool) => pool.stopAll()));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("Chromium through nginx (the docs' recipe) over HTTPS", () => {
  it.each(FRAMEWORKS)(
    "%s: the session cookie is stored Secure and HttpOnly and sent back",
    async (framework) => {
      const origin = `https://${NON_LOCALHOST}:${nginx.ports.get(framework).https}`;
      const context = await freshContext(browser);
      try {
        const page = await context.newPage();
        const first = await page.goto(`${origin}/`);
        expect(first.status()).toBe(200);
        // The app believed nginx's X-Forwarded-Proto: HTTPS, so HSTS for this (non-IP) host.
        expect(await first.headerValue("strict-transport-security")).toBe(HSTS);
        const explain = await page.evaluate(() => fetch("/explain").then((r) => r.json()));
        expect(explain.transport).toMatchObject({
          protocol: "https",
          source: "x-forwarded-proto",
          host: NON_LOCALHOST,
        });

        const login = page.waitForResponse((r) => new URL(r.url()).pathname === "/login");
        await page.click('button[data-url="/login"]');
        expect((await login).status()).toBe(200);
        await expect.poll(() => page.textContent("#result")).toContain("POST /login → 200");

        const jar = await context.cookies();
        expect(jar).toHaveLength(1);
        expect(jar[0]).toMatchObject({
          name: "sessionId",
          domain: NON_LOCALHOST,
          path: "/",
          secure: true,
          httpOnly: true,
          sameSite: "Strict",
        });
        // Sent back: on a fetch from the page and on the next navigation.
        const echoed = await page.evaluate(() => fetch("/echo").then((r) => r.json()));
        expect(echoed.cookie).toBe(`sessionId=${jar[0].value}`);
        const again = await page.reload();
        expect((await again.request().allHeaders()).cookie).toBe(`sessionId=${jar[0].value}`);
      } finally {
        await context.close();
      }
    },
    120_000,
  );
});
