/**
 * docs/testing.md's test suites run as written: each ```js test=vitest|node file=NAME block
 * is copied into NAME in a folder under this app's node_modules (so its imports resolve
 * like a user's: the adapters, express, vitest) and run with its runner in a child
 * process, the way a user runs it. Each starts its own real Express server.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const demo = fileURLToPath(new URL("../", import.meta.url));
const docs = readFileSync(
  fileURLToPath(new URL("../../../docs/testing.md", import.meta.url)),
  "utf8",
);
const blocks = [...docs.matchAll(/^```js test=(vitest|node) file=(\S+)\n([\s\S]*?)^```$/gm)].map(
  (m) => ({ runner: m[1], file: m[2], code: m[3] }),
);

const dir = mkdtempSync(join(demo, "node_modules", ".docs-testing-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const vitestBin = join(
  createRequire(import.meta.url).resolve("vitest/package.json"),
  "..",
  "vitest.mjs",
);

/**
 * A user's project would need no config; this folder sits under node_modules (which vitest
 * excludes by default) and inside the demo (whose config vitest would otherwise find).
 */
function vitestConfig() {
  const path = join(dir, "vitest.config.mjs");
  writeFileSync(
    path,
    `export default { test: { root: ${JSON.stringify(dir)}, include: ["*.test.mjs"], exclude: [] } };\n`,
  );
  return path;
}

/** The runner's child gets no NODE_ENV of ours: vitest sets `test` itself, node:test nothing. */
function childEnv() {
  const env = { ...process.env };
  delete env.NODE_ENV;
  delete env.COOKIE_POLICY_ENV;
  delete env.VITEST;
  delete env.FORCE_COLOR;
  env.NO_COLOR = "1";
  return env;
}

describe("docs/testing.md", () => {
  it("has a vitest suite and a node:test suite", () => {
    expect(blocks.map((b) => b.runner).sort()).toEqual(["node", "vitest"]);
  });

  it.each(blocks.map((b) => [`${b.file} (${b.runner})`, b]))(
    "%s passes as written",
    async (_, block) => {
      const path = join(dir, block.file);
      writeFileSync(path, block.code);
      const args =
        block.runner === "vitest"
          ? [vitestBin, "run", "--config", vitestConfig(), block.file]
          : ["--test", path];
      const { stdout, stderr } = await run(process.execPath, args, {
        cwd: dir,
        env: childEnv(),
        timeout: 120_000,
      }).catch((error) => {
        throw new Error(`${block.file} failed:\n${error.stdout}\n${error.stderr}`);
      });
      const output = `${stdout}${stderr}`;
      const tests = (block.code.match(/^test\(/gm) ?? []).length;
      expect(tests).toBeGreaterThan(0);
      if (block.runner === "vitest") expect(output).toMatch(new RegExp(`Tests\\s+${tests} passed`));
      else expect(output).toMatch(new RegExp(`# pass ${tests}\\n`));
    },
    120_000,
  );
});
