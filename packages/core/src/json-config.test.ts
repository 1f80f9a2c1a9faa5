/**
 * The README recipe type-checks: `import policy from "./cookie-policy.json"` passed as
 * `config` to every adapter, without a cast (TypeScript widens the file's strings, so
 * `"secure": "always"` is typed `string`); the engine still validates the object.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, test } from "vitest";
import { createCookiePolicy, PolicyLoadError } from "./index.js";

const fixture = new URL("../fixtures/json-config/", import.meta.url);
const packages = fileURLToPath(new URL("../../", import.meta.url));

describe("config: a policy imported from JSON", () => {
  test("type-checks in every adapter's options without a cast; definePolicy stays strict", () => {
    const source = (path: string) => [`${packages}${path}`];
    const file = fileURLToPath(new URL("adapters.ts", fixture));
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      // What Workers, Next.js and Vite apps use.
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      resolveJsonModule: true,
      types: ["node"],
      // The packages' sources, so the check needs no build.
      paths: {
        "@scope/cookie-core": source("core/src/index.ts"),
        "@scope/cookie-core/node": source("core/src/node.ts"),
        "@scope/cookie-express": source("express/src/index.ts"),
        "@scope/cookie-fastify": source("fastify/src/index.ts"),
        "@scope/cookie-hono": source("hono/src/index.ts"),
        "@scope/cookie-koa": source("koa/src/index.ts"),
        "@scope/cookie-next": source("next/src/index.ts"),
      },
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program, program.getSourceFile(file))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(diagnostics).toEqual([]);
  }, 120_000); // a whole program with Next's and the frameworks' types

  test("is still validated at run time", () => {
    const policy = JSON.parse(readFileSync(new URL("cookie-policy.json", fixture), "utf8"));
    expect(() => createCookiePolicy(policy, { onReport: () => {} })).not.toThrow();
    policy.defaults.secure = "alwys";
    expect(() => createCookiePolicy(policy, { onReport: () => {} })).toThrow(PolicyLoadError);
  });
});
