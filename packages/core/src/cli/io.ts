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

/**
 * Characters a terminal would act on rather than show: C0 controls but the line feed,
 * DEL and C1 controls, line and paragraph separators, and bidirectional overrides
 * (which reorder what is shown).
 */
function unprintable(code: number): boolean {
  return (
    (code < 0x20 && code !== 0x0a) ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0x2028 && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

const escapeCode = (code: number) => `\\u${code.toString(16).padStart(4, "0")}`;

/**
 * Text from a policy file or a server, made safe to print: controls are written as
 * `\uXXXX`, so a file cannot move the cursor, recolour the terminal or reorder a line.
 * Line feeds are kept: callers print their own multi-line text (usage) in one call;
 * `issueLines` escapes them too, so a message cannot forge a line of its own.
 */
export function printable(text: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!unprintable(code)) continue;
    out += text.slice(from, i) + escapeCode(code);
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** Every command's lines pass through `printable`. */
export function escapedIo(io: Io): Io {
  return {
    out: (line) => io.out(printable(line)),
    err: (line) => io.err(printable(line)),
    cwd: io.cwd,
  };
}

/** Longest message printed for one issue: a 10 MB key or value is shown by its start. */
const MAX_MESSAGE = 500;

function shortened(message: string): string {
  if (message.length <= MAX_MESSAGE) return message;
  return `${message.slice(0, MAX_MESSAGE)}… (${message.length - MAX_MESSAGE} more characters)`;
}

/** `error: <JSON pointer>: <message>`, one line each (line feeds escaped); the whole document is `/`. */
export function issueLines(kind: "error" | "warning", issues: readonly PolicyIssue[]): string[] {
  return issues.map((issue) =>
    `${kind}: ${shortened(issue.path || "/")}: ${shortened(issue.message)}`.replace(
      /\n/g,
      escapeCode(0x0a),
    ),
  );
}

/** The issue lines on stderr (explain, audit: their result is on stdout). */
export function printIssues(
  io: Io,
  kind: "error" | "warning",
  issues: readonly PolicyIssue[],
): void {
  for (const line of issueLines(kind, issues)) io.err(line);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
