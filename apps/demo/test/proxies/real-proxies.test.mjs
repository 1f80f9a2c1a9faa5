/**
 * real-proxies: the deployment recipes of docs/deployment.md, run with the real nginx,
 * Caddy, HAProxy and Apache httpd in front of all five demo servers.
 *
 * Each proxy configuration is read from its marked block in the docs and filled in only
 * with this run's ports, the app's address and a throwaway certificate; each app loads
 * the demo's policy file with the recipe's `production` profile in place of its own (the
 * docs' snippets are whole policy files: "keep your own defaults, sensitive and cookies
 * next to them"). The client comes from 127.0.0.2 or ::1, addresses no recipe trusts,
 * sends `Host: www.example.com`, and checks over HTTPS and plain HTTP what SPEC §2.2–2.4
 * promise, with and without forwarding headers of its own. A matrix deployment ×
 * framework × check is printed at the end.
 * Needs `pnpm build` (Next.js serves its build) and the Debian packages nginx, caddy,
 * haproxy, apache2 (installed with apt when missing and root).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverPool } from "../browser/servers.mjs";
import { SITE, send } from "./client.mjs";
import { DEPLOYMENTS } from "./deployments.mjs";
import { writeHaproxyConfig } from "./launchers.mjs";
import { BINARIES, ensureProxies, haproxyVersion } from "./processes.mjs";
import { readRecipes, recipe } from "./recipes.mjs";
import { readyThrough, writeCertificates, writeRecipePolicy } from "./setup.mjs";

const FRAMEWORKS = ["express", "fastify", "hono", "koa", "next"];
/** The client's addresses: the recipes trust 127.0.0.1 exactly, so neither is a proxy. */
const CLIENT_V4 = "127.0.0.2";
const CLIENT_V6 = "::1";
/** `"hsts": true`: a year, without includeSubDomains or preload (the policy's HSTS defaults). */
const HSTS = "max-age=31536000";

/**
 * A client's own forwarding headers, each claiming the opposite of the truth: one at a
 * time (so no header hides behind another's conflict), then all together.
 */
function spoofing(claimedScheme) {
  const each = [
    { "x-forwarded-for": "203.0.113.66" },
    { "x-forwarded-proto": claimedScheme },
    { forwarded: `for=203.0.113.66;proto=${claimedScheme};host=evil.example` },
    { "x-forwarded-host": "evil.example" },
  ];
  return [...each, Object.assign({}, ...each)];
}

ensureProxies();
const RECIPES = readRecipes();
const [major, minor] = haproxyVersion();
const runnable = (d) =>
  !d.needsHaproxy ||
  major > d.needsHaproxy[0] ||
  (major === d.needsHaproxy[0] && minor >= d.needsHaproxy[1]);

let tmp;
let certificates;
const pools = new Map(); // policy (as JSON) → { config, framework → pool }
const running = new Map(); // deployment name → { ports, stop }
const matrix = new Map(); // "deployment · framework" → Map check → "ok" | "FAIL" | "n/a"
const reasons = new Set(); // why a cell is "n/a"

/** A check a deployment cannot take: listed in the matrix with its reason, never silently. */
function notRun(row, check, reason) {
  matrix.get(row).set(check, "n/a");
  reasons.add(reason);
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "demo-proxies-"));
  certificates = writeCertificates(tmp);

  const deployments = DEPLOYMENTS.filter(runnable);
  // Recipes whose policies are the same (nginx, HAProxy and Apache) share their apps.
  const appsFor = async (name) => {
    const key = JSON.stringify(recipe(RECIPES, name, "json").policy);
    if (!pools.has(key)) {
      const config = writeRecipePolicy(tmp, RECIPES, name);
      const byFramework = new Map(FRAMEWORKS.map((f) => [f, serverPool(f)]));
      pools.set(key, { config, byFramework });
    }
    const { config, byFramework } = pools.get(key);
    const apps = await Promise.all(
      FRAMEWORKS.map(async (f) => [
        f,
        (await byFramework.get(f).get({ env: "production", https: false, config })).port,
      ]),
    );
    return new Map(apps);
  };
  // Settled, not raced: a deployment that fails must not leave the others' proxies unstopped.
  const started = await Promise.allSettled(
    deployments.map(async (d) => {
      const apps = await appsFor(d.policy);
      const proxies = await d.start({
        recipes: RECIPES,
        dir: tmp,
        apps,
        certificates,
        ready: readyThrough(d),
      });
      running.set(d.name, proxies);
    }),
  );
  const failed = started.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
});

afterAll(async () => {
  await Promise.allSettled([...running.values()].map((r) => r.stop()));
  await Promise.allSettled(
    [...pools.values()].flatMap(({ byFramework }) =>
      [...byFramework.values()].map((p) => p.stopAll()),
    ),
  );
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  printMatrix();
});

function printMatrix() {
  const checks = CHECKS.map(([name]) => name);
  const width = Math.max(...[...matrix.keys()].map((k) => k.length), 10);
  const lines = [`${"".padEnd(width)}  ${checks.map((_, i) => `${i + 1}`.padEnd(5)).join("")}`];
  for (const [row, cells] of matrix) {
    lines.push(
      `${row.padEnd(width)}  ${checks.map((c) => (cells.get(c) ?? "-").padEnd(5)).join("")}`,
    );
  }
  lines.push(...checks.map((c, i) => `  ${i + 1}: ${c}`));
  lines.push(...[...reasons].map((r) => `  n/a: ${r}`));
  console.log(`real proxies: deployment · framework × check\n${lines.join("\n")}`);
}

// ---------------------------------------------------------------------------
// What the app behind a deployment must answer (SPEC §2.2–2.4, the recipe's policy)
// ---------------------------------------------------------------------------

function expectedTransport(d, clientAddress) {
  return {
    protocol: "https",
    secure: true,
    source: d.source,
    clientAddress,
    host: SITE,
    trustedHops: d.hops,
  };
}

/**
 * Where plain HTTP is sent: `https://` on the default port, to the host the client asked
 * for, an allowed one (by the app's `https.redirect`, or by Caddy's automatic HTTPS).
 */
const redirectTo = (path) => `https://${SITE}${path}`;

function expectSecureSession(answer) {
  const sessions = answer.cookieList.filter((c) => c.name === "sessionId");
  expect(sessions, "one sessionId Set-Cookie").toHaveLength(1);
  expect(sessions[0]).toMatchObject({ secure: true, httpOnly: true, sameSite: "Strict" });
}

function expectRedirected(answer, location) {
  expect(answer.status).toBe(308);
  expect(answer.location).toBe(location);
  expect(answer.cookieList).toEqual([]);
  expect(answer.hsts).toBeNull();
}

async function explain(target, headers) {
  const answer = await send(target, "GET", "/explain", headers);
  expect(answer.status).toBe(200);
  return JSON.parse(answer.body).transport;
}

const IPV6_CHECK = "ipv6 client over https";

const CHECKS = [
  [
    "https: session cookie Secure+HttpOnly, HSTS",
    async ({ https }) => {
      const login = await send(https, "POST", "/login");
      expect(login.status).toBe(200);
      expectSecureSession(login);
      expect(login.hsts).toBe(HSTS);
    },
  ],
  [
    "https: /explain shows https and the client",
    async ({ d, https }) => {
      expect(await explain(https)).toMatchObject(expectedTransport(d, CLIENT_V4));
    },
  ],
  [
    "https: client's forwarding headers change nothing",
    async ({ d, https }) => {
      for (const headers of spoofing("http")) {
        expect(await explain(https, headers), JSON.stringify(headers)).toMatchObject(
          expectedTransport(d, CLIENT_V4),
        );
        const login = await send(https, "POST", "/login", headers);
        expect(login.status).toBe(200);
        expectSecureSession(login);
        expect(login.hsts).toBe(HSTS);
      }
    },
  ],
  [
    "http: GET redirected to the allowed host",
    async ({ http }) => {
      const path = "/prefs?theme=dark";
      expectRedirected(await send(http, "GET", path), redirectTo(path));
    },
  ],
  [
    "http: POST redirected, no cookie",
    async ({ http }) => {
      expectRedirected(await send(http, "POST", "/login"), redirectTo("/login"));
    },
  ],
  [
    "http: client's forwarding headers ignored",
    async ({ http }) => {
      const path = "/prefs?theme=dark";
      for (const headers of spoofing("https")) {
        expectRedirected(await send(http, "GET", path, headers), redirectTo(path));
        expectRedirected(await send(http, "POST", "/login", headers), redirectTo("/login"));
      }
    },
  ],
  [
    IPV6_CHECK,
    async ({ d, https6 }) => {
      expect(await explain(https6)).toMatchObject(expectedTransport(d, CLIENT_V6));
      const login = await send(https6, "POST", "/login");
      expect(login.status).toBe(200);
      expectSecureSession(login);
    },
  ],
];

// ---------------------------------------------------------------------------
// The matrix
// ---------------------------------------------------------------------------

for (const d of DEPLOYMENTS) {
  for (const f of FRAMEWORKS) matrix.set(`${d.name} · ${f}`, new Map());
  if (!runnable(d)) {
    describe(`${d.name} (needs HAProxy ${d.needsHaproxy.join(".")}, found ${major}.${minor})`, () => {
      it(`HAProxy ${major}.${minor} refuses the recipe, as the docs say; its policy is checked in core's docs-recipes test`, () => {
        const dir = mkdtempSync(join(tmpdir(), "demo-proxies-check-"));
        let refused = "";
        try {
          const config = writeHaproxyConfig({
            dir,
            recipe: recipe(RECIPES, d.name, "haproxy"),
            sites: [{ id: "check", upstream: "127.0.0.1:1", ports: { http: 1, https: 2 } }],
            certificates: writeCertificates(dir),
          });
          execFileSync(BINARIES.haproxy, ["-c", "-f", config], { stdio: "pipe" });
        } catch (err) {
          refused = `${err.stdout}${err.stderr}`;
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
        expect(refused).toMatch(/unknown option 'forwarded'/);
      });
      for (const f of FRAMEWORKS) {
        for (const [check] of CHECKS) {
          notRun(`${d.name} · ${f}`, check, `${d.name}: needs HAProxy ${d.needsHaproxy.join(".")}`);
        }
      }
    });
    continue;
  }
  describe.each(FRAMEWORKS)(`${d.name} · %s`, (framework) => {
    const row = `${d.name} · ${framework}`;
    const target = () => {
      const ports = running.get(d.name)?.ports.get(framework);
      if (!ports) throw new Error(`${d.name} did not start`);
      return {
        d,
        https: { scheme: "https", address: "127.0.0.1", port: ports.https, from: CLIENT_V4 },
        https6: { scheme: "https", address: "::1", port: ports.https, from: CLIENT_V6 },
        http: { scheme: "http", address: "127.0.0.1", port: ports.http, from: CLIENT_V4 },
      };
    };
    for (const [check, run] of CHECKS) {
      if (check === IPV6_CHECK && d.ipv4Only) {
        notRun(row, check, `${d.name}: ${d.ipv4Only}`);
        continue;
      }
      it(check, async () => {
        matrix.get(row).set(check, "FAIL");
        await run(target());
        matrix.get(row).set(check, "ok");
      });
    }
  });
}
