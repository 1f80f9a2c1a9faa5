import type { CookieRule } from "../types.js";

/** Finds the one `cookies` rule for a name: exact name first, else the longest matching glob. */
export type RuleLookup = (name: string) => CookieRule | undefined;

interface GlobRule {
  readonly glob: string;
  readonly matches: (name: string) => boolean;
  readonly rule: CookieRule;
}

/**
 * `*` is any run of characters; everything else is literal. Matched without a regular
 * expression, in time linear in the name: the literal parts between the stars are found
 * left to right, each at its first place after the previous one (the first place is always
 * as good as a later one, so nothing is ever retried), the first and last parts anchored.
 */
export function compileGlob(glob: string): (name: string) => boolean {
  const parts = glob.split("*");
  const head = parts[0] as string;
  const tail = parts[parts.length - 1] as string;
  const middle = parts.slice(1, -1).filter((part) => part !== "");
  if (parts.length === 1) return (name) => name === glob;
  const fixed = head.length + tail.length;
  return (name) => {
    if (name.length < fixed || !name.startsWith(head) || !name.endsWith(tail)) return false;
    let at = head.length;
    const end = name.length - tail.length;
    for (const part of middle) {
      const found = name.indexOf(part, at);
      if (found === -1 || found + part.length > end) return false;
      at = found + part.length;
    }
    return true;
  };
}

/**
 * Compiles `cookies` once at load. Exact names go in a Map; globs are sorted longer
 * first (the longer glob is the more specific), file order breaking ties (the sort is
 * stable). Rules never merge: the first match is the rule.
 */
export function compileRuleLookup(cookies: Readonly<Record<string, CookieRule>>): RuleLookup {
  const exact = new Map<string, CookieRule>();
  const globs: GlobRule[] = [];
  for (const [key, rule] of Object.entries(cookies)) {
    if (key.includes("*")) globs.push({ glob: key, matches: compileGlob(key), rule });
    else exact.set(key, rule);
  }
  globs.sort((a, b) => b.glob.length - a.glob.length);
  return (name) => {
    const hit = exact.get(name);
    if (hit !== undefined) return hit;
    for (const g of globs) if (g.matches(name)) return g.rule;
    return undefined;
  };
}
