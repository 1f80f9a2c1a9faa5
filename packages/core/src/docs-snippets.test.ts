/**
 * The docs' snippets are checked like code: every ```json policy block (or ```json block with
 * the policy's "$schema") in docs/*.md and the READMEs must be a valid policy, and every
 * ts/js block must at least parse.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { validatePolicy } from "./index.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

function markdownFiles(): string[] {
  const files: string[] = [join(root, "README.md")];
  const docs = join(root, "docs");
  if (existsSync(docs))
    for (const name of readdirSync(docs)) if (name.endsWith(".md")) files.push(join(docs, name));
  for (const group of ["packages", "apps"])
    for (const name of readdirSync(join(root, group)))
      files.push(join(root, group, name, "README.md"));
  return files.filter((file) => existsSync(file));
}

interface Block {
  readonly where: string;
  readonly lang: string;
  readonly meta: string;
  readonly code: string;
}

/** A fenced block, also indented inside a list item. */
const FENCE = /^[ \t]*```([\w-]*)[ \t]*([^\n]*)\n([\s\S]*?)^[ \t]*```[ \t]*$/gm;

function blocks(): Block[] {
  const found: Block[] = [];
  for (const file of markdownFiles()) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(FENCE)) {
      const line = text.slice(0, m.index).split("\n").length;
      found.push({
        where: `${relative(root, file)}:${line}`,
        lang: m[1] ?? "",
        meta: (m[2] ?? "").trim(),
        code: m[3] ?? "",
      });
    }
  }
  return found;
}

const all = blocks();
/** A policy block: fenced ```json policy, or any ```json naming the policy schema in "$schema". */
const SCHEMA_REF = /"\$schema"\s*:\s*"[^"]*cookie-core\/schema\.json"/;
const policies = all.filter(
  (b) => b.lang === "json" && (b.meta.split(/\s+/).includes("policy") || SCHEMA_REF.test(b.code)),
);
const scripts = all.filter((b) =>
  ["ts", "typescript", "js", "javascript", "mjs", "tsx"].includes(b.lang),
);

describe("documentation snippets", () => {
  it("finds the policy snippets of the deployment and migration recipes", () => {
    expect(
      policies.filter((b) => b.where.startsWith("docs/deployment.md")).length,
    ).toBeGreaterThanOrEqual(9);
    expect(policies.some((b) => b.where.startsWith("docs/migration.md"))).toBe(true);
  });

  it.each(policies.map((b) => [b.where, b] as const))("%s is a valid policy", (where, block) => {
    expect(() => validatePolicy(JSON.parse(block.code), where)).not.toThrow();
  });

  it.each(scripts.map((b) => [b.where, b] as const))("%s parses", (where, block) => {
    const out = ts.transpileModule(block.code, {
      fileName: `snippet.${block.lang === "tsx" ? "tsx" : "ts"}`,
      reportDiagnostics: true,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    const errors = (out.diagnostics ?? []).map((d) =>
      ts.flattenDiagnosticMessageText(d.messageText, "\n"),
    );
    expect(errors, where).toEqual([]);
  });
});
