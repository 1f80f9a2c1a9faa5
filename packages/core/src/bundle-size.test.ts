import { builtinModules, createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { expect, test } from "vitest";

/** What a Worker pays for the policy: core and the Hono adapter, minified and gzipped (issue 15). */
const BUDGET_BYTES = 25 * 1024;

/** The slice of esbuild's API used here (esbuild is tsup's dependency, not ours). */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{
    outputFiles: { text: string }[];
    metafile: { outputs: Record<string, { imports: { path: string; external?: boolean }[] }> };
  }>;
}

const require = createRequire(import.meta.url);
const esbuild = createRequire(require.resolve("tsup"))("esbuild") as Esbuild;

test("core + @scope/cookie-hono bundle for a Worker within 25 KiB gzip, without node: imports", async () => {
  // The adapter and core from their sources (what their builds compile, and no build to wait
  // for), bundled as wrangler does; hono itself is the app's, not ours.
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL("../../hono/src/index.ts", import.meta.url))],
    alias: { "@scope/cookie-core": fileURLToPath(new URL("./index.ts", import.meta.url)) },
    bundle: true,
    write: false,
    minify: true,
    format: "esm",
    platform: "neutral",
    conditions: ["worker", "browser"],
    mainFields: ["module", "main"],
    external: ["hono", "hono/*"],
    metafile: true,
    logLevel: "silent",
  });
  const [bundle] = result.outputFiles;
  const gzipped = gzipSync(bundle?.text ?? "").length;
  console.log(
    `core + hono adapter: ${bundle?.text.length} B minified, ${gzipped} B gzip (budget ${BUDGET_BYTES} B)`,
  );
  expect(gzipped).toBeGreaterThan(0);
  expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);

  const builtins = new Set(builtinModules);
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports);
  const nodeImports = imports
    .map((i) => i.path)
    .filter((path) => path.startsWith("node:") || builtins.has(path.split("/")[0] ?? ""));
  expect(nodeImports).toEqual([]);
  expect(bundle?.text).not.toMatch(/["'`]node:/);
});
