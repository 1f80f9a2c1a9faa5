import { builtinModules, createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The main entry must run where `node:` does not exist (Workers, Next's edge runtime):
 * bundle it with esbuild (tsup's) and make any Node built-in import a build error.
 */
/** The slice of esbuild's API used here (esbuild is tsup's dependency, not ours). */
interface ResolveArgs {
  path: string;
  importer: string;
}
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{
    errors: unknown[];
    outputFiles?: { text: string }[];
  }>;
}
interface PluginBuild {
  onResolve(
    options: { filter: RegExp },
    callback: (args: ResolveArgs) => { errors: { text: string }[] } | undefined,
  ): void;
}

const require = createRequire(import.meta.url);
const esbuild = createRequire(require.resolve("tsup"))("esbuild") as Esbuild;
const builtins = new Set(builtinModules);

describe("the main entry (src/index.ts)", () => {
  it("imports nothing from node:, directly or through its dependencies", async () => {
    const touched: string[] = [];
    const result = await esbuild
      .build({
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
            setup(build: PluginBuild) {
              build.onResolve({ filter: /.*/ }, (args) => {
                const bare = args.path.replace(/^node:/, "").split("/")[0] ?? "";
                if (args.path.startsWith("node:") || builtins.has(bare)) {
                  touched.push(`${args.path} (from ${args.importer})`);
                  return { errors: [{ text: `Node built-in imported: ${args.path}` }] };
                }
                return undefined;
              });
            },
          },
        ],
      })
      .catch((error: { errors?: unknown[] }) => ({
        errors: error.errors ?? [error],
        outputFiles: [],
      }));
    expect(touched).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.outputFiles?.[0]?.text).toContain("createCookiePolicy");
  });
});
