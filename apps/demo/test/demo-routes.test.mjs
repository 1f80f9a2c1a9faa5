/**
 * SPEC §5's route table and §2.4's redirect, as a visitor's browser or curl meets them on
 * every demo server: `POST /login` answers 200 and sets the session cookie whatever the
 * body (none, a form, JSON, broken JSON, multipart), and an HTTPS redirect is bare (empty
 * body, no `Refresh`), Next.js included. One server per framework, started once.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { send } from "@scope/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapters } from "./conformance/adapters.mjs";
import { startServer } from "./conformance/harness.mjs";

/** Production, redirecting to example.com except the login routes; the session cookie follows the transport. */
const POLICY = {
  sensitive: { secure: "auto" },
  cookies: { sessionId: { sensitive: true } },
  https: { redirect: { status: 308, hosts: ["example.com"], exclude: ["/login", "/logout"] } },
};

const BODIES = [
  ["no body", {}, undefined],
  ["a form", { "content-type": "application/x-www-form-urlencoded" }, "user=ada&password=x"],
  ["JSON", { "content-type": "application/json" }, '{"user":"ada"}'],
  ["broken JSON", { "content-type": "application/json" }, '{"user":'],
  ["multipart", { "content-type": "multipart/form-data; boundary=X" }, "--X\r\n\r\n--X--\r\n"],
  ["plain text", { "content-type": "text/plain" }, "hello"],
];

let dir = "";
const servers = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cookie-policy-demo-routes-"));
  const config = join(dir, "cookie-policy.json");
  writeFileSync(config, JSON.stringify(POLICY));
  // One at a time: Next.js's start-up is the slow one, and CPU is shared.
  for (const { framework } of adapters)
    servers[framework] = await startServer({ framework, config, env: "production" });
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.stop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const request = (base, method, path, headers = {}, body = undefined) =>
  send(new URL(path, base).href, { method, headers, body });

describe.each(adapters.map((a) => [a.framework]))("%s", (framework) => {
  it.each(BODIES)("POST /login with %s: 200 and a session cookie", async (_, headers, body) => {
    const res = await request(servers[framework].url, "POST", "/login", headers, body);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true });
    expect(res.headers["set-cookie"]).toEqual([expect.stringMatching(/^sessionId=/)]);
  });

  it("an HTTPS redirect is bare: status, Location, empty body, no Refresh", async () => {
    const res = await request(servers[framework].url, "GET", "/prefs?theme=dark", {
      host: "example.com",
    });
    expect(res.status).toBe(308);
    expect(res.headers.location).toBe("https://example.com/prefs?theme=dark");
    expect(res.body).toBe("");
    expect(res.headers.refresh).toBeUndefined();
    expect(res.headers["set-cookie"]).toBeUndefined();
  });
});
