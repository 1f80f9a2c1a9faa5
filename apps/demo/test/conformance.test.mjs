/**
 * The conformance suite: every case of ./conformance/cases.mjs against every adapter
 * of ./conformance/adapters.mjs, over real sockets (HTTP and HTTPS), each server
 * started through bin/serve.mjs. Needs `pnpm build` first. Ends with a table
 * adapters × passed / failed / N/A.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapters as registry } from "./conformance/adapters.mjs";
import { cases } from "./conformance/cases.mjs";
import {
  compare,
  groupCases,
  inPool,
  listenHost,
  send,
  startServer,
} from "./conformance/harness.mjs";
import { policies } from "./conformance/policies.mjs";

const PARALLEL_STARTS = 3;
const START_ATTEMPTS = 3;
// CONFORMANCE_ADAPTERS=express,koa runs a subset while working on one adapter (the table says so).
const only = process.env.CONFORMANCE_ADAPTERS?.split(",").filter(Boolean);
const adapters = only ? registry.filter((a) => only.includes(a.name)) : registry;
const dir = mkdtempSync(join(tmpdir(), "cookie-policy-conformance-"));
const configFiles = new Map();
function configFile(name) {
  if (!configFiles.has(name)) {
    if (!policies[name]) throw new Error(`unknown policy fixture ${name}`);
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(policies[name], null, 2));
    configFiles.set(name, file);
  }
  return configFiles.get(name);
}

/** Why this adapter cannot honour the case, or null. */
function notApplicable(adapter, c) {
  for (const need of c.needs ?? []) {
    const reason = adapter.unsupported?.[need];
    if (reason) return `needs ${need}: ${reason}`;
  }
  return null;
}

const table = new Map(adapters.map((a) => [a.name, { passed: 0, failed: [], na: [] }]));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  const rows = [["adapter", "passed", "failed", "n.a."]];
  for (const [name, r] of table)
    rows.push([name, r.passed, r.failed.length, r.na.length].map(String));
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const lines = rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join(" | "));
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("-|-"));
  for (const [name, r] of table) {
    for (const id of r.failed) lines.push(`FAILED ${name}: ${id}`);
    for (const { id, reason } of r.na) lines.push(`N/A ${name}: ${id} (${reason})`);
  }
  const subset = only ? ` (CONFORMANCE_ADAPTERS=${only.join(",")})` : "";
  console.log(
    `\nconformance: ${cases.length} cases × ${adapters.length} adapters${subset}\n${lines.join("\n")}\n`,
  );
});

for (const adapter of adapters) {
  describe(`adapter ${adapter.name}`, () => {
    const row = table.get(adapter.name);
    const applicable = cases.filter((c) => {
      const reason = notApplicable(adapter, c);
      if (reason) row.na.push({ id: c.id, reason });
      return !reason;
    });
    const groups = groupCases(applicable);
    const servers = new Map();

    beforeAll(async () => {
      await inPool(groups, PARALLEL_STARTS, async (group) => {
        const { policy, env, request } = group.sample;
        const options = {
          framework: adapter.framework,
          config: configFile(policy),
          env,
          https: request.scheme === "https",
          host: listenHost(request.peer),
        };
        // A few tries: in a shared checkout a package's dist/ may be mid-rebuild for a moment.
        // A server that still cannot start fails every case of its group, with its stderr.
        for (let attempt = 1; ; attempt++) {
          try {
            servers.set(group.key, await startServer(options));
            break;
          } catch (err) {
            if (attempt === START_ATTEMPTS) {
              servers.set(group.key, { error: err });
              break;
            }
            await new Promise((resolve) => setTimeout(resolve, 5_000));
          }
        }
      });
    }, 300_000);

    afterAll(async () => {
      await Promise.all([...servers.values()].map((s) => s.stop?.()));
    }, 60_000);

    if (row.na.length > 0) {
      it("reports each case it cannot honour with its reason", () => {
        for (const { reason } of row.na) expect(reason).toMatch(/^needs \w+: \S/);
      });
    }

    for (const group of groups) {
      describe(group.key, () => {
        for (const c of group.cases) {
          it(`${c.id}: ${c.title}`, async () => {
            let problems;
            try {
              const server = servers.get(group.key);
              if (server.error) throw server.error;
              const res = await send(server.url, c.request);
              problems = compare(c.expect, res);
            } finally {
              if (problems?.length === 0) row.passed++;
              else row.failed.push(c.id);
            }
            expect(problems, `${adapter.name} ${c.id}`).toEqual([]);
          });
        }
      });
    }
  });
}
