/**
 * Debian's Chromium driven through playwright-core (never a downloaded browser): one
 * browser per suite, a fresh context (empty cookie jar, empty HSTS state) per case.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** `demo.test` is the non-localhost origin: Chromium resolves it to the loopback servers. */
export const NON_LOCALHOST = "demo.test";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  `--host-resolver-rules=MAP ${NON_LOCALHOST} 127.0.0.1`,
  // Chromium would otherwise try https:// first for the plain-HTTP origins under test.
  "--disable-features=HttpsUpgrades",
];

const INSTALL = "apt-get update && apt-get install -y chromium";

/** Chromium at CHROMIUM, installed with apt when missing and we are root; else a clear failure. */
export function ensureChromium() {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  if (process.env.CHROMIUM_PATH || process.getuid?.() !== 0) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: run \`sudo sh -c '${INSTALL}'\``);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update"], { stdio: ["ignore", "ignore", "inherit"], env });
  execFileSync("apt-get", ["install", "-y", "chromium"], {
    stdio: ["ignore", "ignore", "inherit"],
    env,
  });
  if (!existsSync(CHROMIUM)) throw new Error(`\`${INSTALL}\` did not install ${CHROMIUM}`);
  return CHROMIUM;
}

/** One headless Chromium for the whole suite. */
export function launchChromium() {
  return chromium.launch({ executablePath: ensureChromium(), args: ARGS });
}

/**
 * A fresh context: its own in-memory profile, so no cookie or HSTS entry of another case
 * can leak in. Self-signed certificates are accepted (they are made at test time).
 */
export function freshContext(browser) {
  return browser.newContext({ ignoreHTTPSErrors: true });
}

/** Runs `use(page)` on a new page of a fresh context, closed afterwards whatever happens. */
export async function withPage(browser, use) {
  const context = await freshContext(browser);
  try {
    return await use(await context.newPage());
  } finally {
    await context.close();
  }
}
