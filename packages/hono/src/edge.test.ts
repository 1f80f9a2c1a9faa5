import { builtinModules, createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/** The slice of esbuild's API used here (esbuild is tsup's dependency, not ours). */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
}
type OnResolve = (args: {
  path: string;
  importer: string;
}) => { errors: { text: string }[] } | undefined;

const require = createRequire(import.meta.url);
const esbuild = createRequire(require.resolve("tsup"))("esbuild") as Esbuild;
const builtins = new Set(builtinModules);

describe("cookiePolicy() bundled for an edge runtime (Workers, Deno, Bun)", () => {
  it("pulls in nothing from node:, neither directly nor through the policy file loader", async () => {
    const touched: string[] = [];
    const refuseBuiltins: OnResolve = (args) => {
      const bare = args.path.replace(/^node:/, "").split("/")[0] ?? "";
      if (!args.path.startsWith("node:") && !builtins.has(bare)) return undefined;
      touched.push(`${args.path} (from ${args.importer})`);
      return { errors: [{ text: `Node built-in imported: ${args.path}` }] };
    };
    const result = await esbuild.build({
      entryPoints: [fileURLToPath(new URL("./index.ts", import.meta.url))],
      bundle: true,
      write: false,
      platform: "neutral",
      format: "esm",
      mainFields: ["module", "main"],
      logLevel: "silent",
      plugins: [
        {
          name: "no-node-builtins",
          setup: (build: { onResolve(o: { filter: RegExp }, cb: OnResolve): void }) =>
            build.onResolve({ filter: /.*/ }, refuseBuiltins),
        },
      ],
    });
    expect(touched).toEqual([]);
    const [bundle] = result.outputFiles;
    // The file loader is reached only by a runtime import of a variable specifier.
    expect(bundle?.text).not.toMatch(/readFileSync|loadPolicyFile/);
    expect(bundle?.text).toMatch(/import\(NODE_ENTRY\)/);
  });
});
