import type { CookiePolicyError, RequestContext } from "../types.js";

/** Set-Cookie lines after the policy decided them. */
export interface DecidedLines {
  /** The lines to emit: each decided line's header, dropped ones left out. */
  readonly kept: string[];
  /** Whether `kept` differs from the lines as written. */
  readonly changed: boolean;
  /** The first `error` decision: `kept` holds only the lines decided before it. */
  readonly error: CookiePolicyError | undefined;
}

/**
 * Decides Set-Cookie lines in order (the lines this request's policy wrote come back as they
 * are). Stops at the first `error` decision: the lines after it are not decided, so never
 * emitted.
 */
export function decideLines(ctx: RequestContext, lines: readonly string[]): DecidedLines {
  const kept: string[] = [];
  let changed = false;
  for (const line of lines) {
    const decision = ctx.decideWrittenLine(line);
    if (decision.action === "error") return { kept, changed: true, error: decision.error };
    if (decision.header !== null) kept.push(decision.header);
    changed ||= decision.header !== line;
  }
  return { kept, changed, error: undefined };
}
