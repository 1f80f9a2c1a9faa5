/** SPEC §2.3: glob matching (`*` only) in time linear in the name, checked against a reference. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createCookiePolicy } from "../engine.js";
import { compileGlob } from "./resolve-rule.js";

/** The definition, by dynamic programming over (glob position, name position). */
function reference(glob: string, name: string): boolean {
  let row = new Array<boolean>(name.length + 1).fill(false);
  row[0] = true;
  for (const g of glob) {
    const next = new Array<boolean>(name.length + 1).fill(false);
    for (let j = 0; j <= name.length; j++) {
      if (g === "*") next[j] = row[j] || (j > 0 && next[j - 1] === true);
      else next[j] = j > 0 && row[j - 1] === true && name[j - 1] === g;
    }
    row = next;
  }
  return row[name.length] === true;
}

describe("glob matching", () => {
  it("agrees with the definition on any glob and name (small alphabet: many near misses)", () => {
    const text = (max: number, chars: string[]) =>
      fc.array(fc.constantFrom(...chars), { maxLength: max }).map((a) => a.join(""));
    fc.assert(
      fc.property(text(10, ["a", "b", "*", "."]), text(16, ["a", "b", "."]), (glob, name) => {
        expect(compileGlob(glob)(name)).toBe(reference(glob, name));
      }),
      { numRuns: 10_000 },
    );
  });

  it("literal characters stay literal; * matches the empty run", () => {
    expect(compileGlob("a.b*")("a.b")).toBe(true);
    expect(compileGlob("a.b*")("axb")).toBe(false);
    expect(compileGlob("*")("")).toBe(true);
    expect(compileGlob("ab*ba")("aba")).toBe(false);
    expect(compileGlob("ab*ba")("abba")).toBe(true);
  });

  it("a glob that backtracks a regular expression answers at once (no timing: it returns)", () => {
    const glob = `${"*a".repeat(11)}*b`;
    expect(compileGlob(glob)("a".repeat(32))).toBe(false);
    expect(compileGlob(glob)("a".repeat(4096))).toBe(false);
    expect(compileGlob(glob)(`${"a".repeat(4096)}b`)).toBe(true);
  });

  it("a name above the size limit is refused before any rule is matched against it", () => {
    const policy = createCookiePolicy(
      { cookies: { [`${"*a".repeat(11)}*b`]: { httpOnly: true } } },
      { env: "production", onReport: () => {} },
    );
    const ctx = policy.decideRequest({
      encrypted: true,
      peer: "127.0.0.1",
      headers: {},
      method: "GET",
      url: "/",
    });
    const d = ctx.setCookie("a".repeat(1 << 20), "v");
    expect(d.action).toBe("error");
    expect(d.error?.code).toBe("COOKIE_TOO_LARGE");
    expect(ctx.decideWrittenLine(`${"a".repeat(1 << 20)}=v`).error?.code).toBe("COOKIE_TOO_LARGE");
  });
});
