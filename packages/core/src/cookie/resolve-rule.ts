import type { CookieRule } from "../types.js";

/** Finds the one `cookies` rule for a name: exact name first, else the longest matching glob. */
export type RuleLookup = (name: string) => CookieRule | undefined;

interface GlobRule {
  readonly glob: string;
  readonly pattern: RegExp;
  readonly rule: CookieRule;
}

/** `*` is any run of characters; everything else is literal. Compiled once, anchored. */
function globToRegExp(glob: string): RegExp {
  const source = glob
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`);
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
    if (key.includes("*")) globs.push({ glob: key, pattern: globToRegExp(key), rule });
    else exact.set(key, rule);
  }
  globs.sort((a, b) => b.glob.length - a.glob.length);
  return (name) => {
    const hit = exact.get(name);
    if (hit !== undefined) return hit;
    for (const g of globs) if (g.pattern.test(name)) return g.rule;
    return undefined;
  };
}
