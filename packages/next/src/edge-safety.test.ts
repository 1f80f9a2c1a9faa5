import { readFileSync } from "node:fs";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/** Every module the main entry loads, following its relative imports. */
function moduleGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (graph.has(file)) continue;
    const source = readFileSync(new URL(file, import.meta.url), "utf8");
    const specifiers = ts.preProcessFile(source).importedFiles.map((f) => f.fileName);
    graph.set(file, specifiers);
    for (const s of specifiers) if (s.startsWith("./")) queue.push(s.replace(/\.js$/, ".ts"));
  }
  return graph;
}

describe("the main entry is edge-safe (middleware.ts on the Edge runtime)", () => {
  const graph = moduleGraph("./index.ts");

  it("follows the whole graph", () => {
    expect([...graph.keys()].sort()).toEqual([
      "./adapter.ts",
      "./index.ts",
      "./report.ts",
      "./request.ts",
      "./response.ts",
      "./socket.ts",
    ]);
  });

  it("imports nothing from node: and not the core's /node entry", () => {
    const external = [...graph.values()].flat().filter((s) => !s.startsWith("./"));
    expect(external.filter((s) => s.startsWith("node:") || s.endsWith("/node"))).toEqual([]);
    expect(new Set(external)).toEqual(
      new Set(["@scope/cookie-core", "next/headers.js", "next/server.js"]),
    );
  });
});
