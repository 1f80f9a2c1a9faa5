/**
 * The README's ```ts checked blocks are type-checked against this package's source and the
 * installed Hono, as a user's file importing `@scope/cookie-hono` would be.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { expect, it } from "vitest";

const here = fileURLToPath(new URL(".", import.meta.url));
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const CHECKED = /^```ts checked\n([\s\S]*?)^```$/gm;
const snippets = [...readme.matchAll(CHECKED)].map((m) => m[1] ?? "");

/** Type errors of `code` as a module in src/, `@scope/cookie-hono` being ./index.ts. */
function typeErrors(code: string): string[] {
  const file = `${here}readme-snippet.ts`;
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2023.d.ts", "lib.dom.d.ts"],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ["node"],
    paths: { "@scope/cookie-hono": ["./index.ts"] },
    baseUrl: here,
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const source = host.getSourceFile.bind(host);
  host.readFile = (name) => (name === file ? code : read(name));
  host.fileExists = (name) => name === file || exists(name);
  host.getSourceFile = (name, version, ...rest) =>
    name === file ? ts.createSourceFile(name, code, version) : source(name, version, ...rest);
  const program = ts.createProgram([file], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

it("has checked blocks", () => {
  expect(snippets.length).toBeGreaterThan(0);
});

it.each(snippets.map((code, i) => [i, code] as const))(
  "checked block %i type-checks",
  { timeout: 60_000 },
  (_i, code) => {
    expect(typeErrors(code)).toEqual([]);
  },
);
