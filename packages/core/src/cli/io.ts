/** Where a command writes, and how it prints policy issues. */
import type { PolicyIssue } from "../types.js";

export interface Io {
  /** One line of the command's result (stdout). */
  out(line: string): void;
  /** One line of diagnostics: errors, warnings, usage (stderr). */
  err(line: string): void;
  /** The directory relative paths are resolved against. */
  readonly cwd: string;
}

/** `error: <JSON pointer>: <message>`; the whole document is written `/`. */
export function printIssues(
  io: Io,
  kind: "error" | "warning",
  issues: readonly PolicyIssue[],
): void {
  for (const issue of issues) io.err(`${kind}: ${issue.path || "/"}: ${issue.message}`);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
