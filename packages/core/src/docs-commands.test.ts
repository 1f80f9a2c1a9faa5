/**
 * The docs' `cookie-policy` command lines run as written: every ```sh block line of the
 * README files and docs/*.md that calls the command is run through the CLI's own entry, in
 * a fresh folder per block (so `init` writes the file a later `check` reads). `audit` asks a
 * local server instead of the remote site the docs name (this machine has no network), with
 * the rest of its line unchanged. A renamed flag, a command that exits with a usage error or
 * a crash fails here.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { type Served, serve } from "@scope/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "./cli/main.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

function markdownFiles(): string[] {
  const files = [join(root, "README.md")];
  for (const name of readdirSync(join(root, "docs")))
    if (name.endsWith(".md")) files.push(join(root, "docs", name));
  for (const group of ["packages", "apps"])
    for (const name of readdirSync(join(root, group))) {
      const readme = join(root, group, name, "README.md");
      try {
        readFileSync(readme);
        files.push(readme);
      } catch {
        // a package without a README
      }
    }
  return files;
}

/** Shell words of one command line: quotes grouped, a trailing `# comment` dropped. */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(#.*$)|(\S+)/g;
  for (const m of line.matchAll(re)) {
    if (m[3] !== undefined) break;
    out.push(m[1] ?? m[2] ?? (m[4] as string));
  }
  return out;
}

interface Command {
  readonly where: string;
  readonly block: number;
  readonly argv: string[];
}

function commands(): Command[] {
  const found: Command[] = [];
  let block = 0;
  for (const file of markdownFiles()) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/^[ \t]*```(?:sh|bash|shell)[^\n]*\n([\s\S]*?)^[ \t]*```/gm)) {
      block++;
      const startLine = text.slice(0, m.index).split("\n").length + 1;
      // A line ending in `\` goes on in the next: join them, named by the first.
      let pending = "";
      let pendingAt = 0;
      (m[1] as string).split("\n").forEach((raw, i) => {
        if (pending === "") pendingAt = startLine + i;
        if (raw.endsWith("\\")) {
          pending += `${raw.slice(0, -1)} `;
          return;
        }
        const argv = words(pending + raw);
        pending = "";
        const at = argv.indexOf("cookie-policy");
        if (at === -1 || !["npx", "exec"].includes(argv[at - 1] ?? "")) return;
        found.push({
          where: `${relative(root, file)}:${pendingAt}`,
          block,
          argv: argv.slice(at + 1),
        });
      });
    }
  }
  return found;
}

const all = commands();
let server: Served;
const folders = new Map<number, string>();

beforeAll(async () => {
  server = await serve((_req, res) => {
    res.setHeader("Set-Cookie", "theme=dark; Path=/");
    res.end("ok");
  });
});
afterAll(async () => {
  await server.close();
  for (const dir of folders.values()) rmSync(dir, { recursive: true, force: true });
});

/** The audit's URL pointed at the local server (same scheme and path). */
function local(argv: string[]): string[] {
  return argv.map((arg, i) => {
    if (i !== 1 || !/^https?:\/\//.test(arg)) return arg;
    const url = new URL(arg);
    const base = url.protocol === "https:" ? server.https : server.http;
    return `${base}${url.pathname}${url.search}`;
  });
}

describe("documentation command lines", () => {
  it("finds the commands the README and the docs show", () => {
    const names = new Set(all.map((c) => c.argv[0]));
    for (const name of ["init", "check", "explain", "audit"]) expect(names).toContain(name);
  });

  it.each(all.map((c) => [c.where, c] as const))("%s runs", async (_where, c) => {
    let cwd = folders.get(c.block);
    if (cwd === undefined) {
      cwd = mkdtempSync(join(tmpdir(), "docs-command-"));
      folders.set(c.block, cwd);
    }
    const out: string[] = [];
    const err: string[] = [];
    let argv = c.argv[0] === "audit" ? local(c.argv) : c.argv;
    // `audit` to an https URL of this test's server needs its self-signed certificate.
    if (c.argv[0] === "audit" && argv[1]?.startsWith("https:") && !argv.includes("--insecure"))
      argv = [...argv, "--insecure"];
    const code = await main(argv, {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      cwd,
    });
    // 0 or 1 are answers (valid/invalid, clean/findings); 2 is a usage error or a crash.
    expect(code, `${c.where}\n${err.join("\n")}`).toBeLessThan(2);
    expect(out.length + err.length).toBeGreaterThan(0);
  });
});
