/**
 * Loading a policy: strict JSON, then the schema, then what the schema cannot see
 * (extends targets and cycles, Secure conflicts of every profile). Every problem is
 * reported at once, each at its JSON pointer, in words a user acts on.
 */
import { type PolicyFile, type PolicyIssue, PolicyLoadError } from "../types.js";
import { lineColumn, scanJson } from "./json-error.js";
import { didYouMean, toPointer } from "./pointer.js";
import { profileNames, resolveNamedProfile } from "./resolve.js";
import { policySchema, type SchemaNode, type StringNode } from "./schema.js";

type Path = (string | number)[];

/** A value as a user would recognise it in a message. */
function show(value: unknown): string {
  if (typeof value === "string") {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
  }
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  if (value === undefined) return "nothing";
  return String(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** "a, b or c" */
function listOf(words: string[]): string {
  return words.length === 1
    ? String(words[0])
    : `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
}

/** What the node expects, when the value is not even of its type (else null). */
function expectedType(node: SchemaNode, value: unknown): string | null {
  switch (node.kind) {
    case "boolean":
      return typeof value === "boolean" ? null : "true or false";
    case "string":
      return typeof value === "string" ? null : "a string";
    case "integer":
      if (typeof value !== "number" || !Number.isFinite(value)) return "a number";
      return Number.isInteger(value) ? null : "a whole number";
    case "array":
      return Array.isArray(value) ? null : "a list";
    case "object":
    case "record":
      return isObject(value) ? null : "an object";
    case "enum":
      return node.values.includes(value as string | number) ? null : listOf(node.values.map(show));
    case "union":
      return node.options.every((option) => expectedType(option, value) !== null)
        ? node.error
        : null;
  }
}

/**
 * Checks `value` against `node`, adding an issue per problem (each at its JSON pointer),
 * and gives back a copy of it, so a caller changing its object later changes nothing.
 */
function check(node: SchemaNode, value: unknown, path: Path, issues: PolicyIssue[]): unknown {
  const fail = (message: string, at: Path = path) => {
    issues.push({ path: toPointer(at), message });
  };
  if (node.kind === "enum") {
    if (node.values.includes(value as string | number)) return value;
    const hint =
      typeof value === "string"
        ? didYouMean(
            value,
            node.values.filter((v): v is string => typeof v === "string"),
            1, // a looser hint could flip the meaning ("secure" → "insecure")
          )
        : "";
    fail(`must be ${listOf(node.values.map(show))} (got ${show(value)})${hint}`);
    return value;
  }
  if (node.kind === "union") {
    // The value has the type of one option (an object for `redirect`): its problems are the ones to show.
    const fitting = node.options.filter((option) => expectedType(option, value) === null);
    if (fitting.length === 1 && fitting[0]) return check(fitting[0], value, path, issues);
    fail(`${node.error} (got ${show(value)})`);
    return value;
  }
  const expected = expectedType(node, value);
  if (expected !== null) {
    const subject = path.length === 0 ? "the policy must be" : "must be";
    fail(`${subject} ${expected} (got ${show(value)})`);
    return value;
  }
  switch (node.kind) {
    case "string": {
      const message = stringError(node, value as string);
      if (message !== null) fail(message);
      return value;
    }
    case "integer": {
      const n = value as number;
      if (n < node.min) fail(`must be at least ${node.min} (got ${show(n)})`);
      else if (n > node.max) fail(`must be at most ${node.max} (got ${show(n)})`);
      return value;
    }
    case "array":
      return (value as unknown[]).map((item, index) =>
        check(node.items, item, [...path, index], issues),
      );
    case "object": {
      const copy: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        if (item === undefined) continue; // an optional key spelled out in code, as absent
        const property = Object.hasOwn(node.properties, key) ? node.properties[key] : undefined;
        if (property === undefined) {
          const hint = didYouMean(key, Object.keys(node.properties));
          fail(`unknown key ${JSON.stringify(key)}${hint}`, [...path, key]);
        } else copy[key] = check(property, item, [...path, key], issues);
      }
      return copy;
    }
    case "record": {
      const copy: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        // An own "__proto__" (JSON.parse makes one) would set the copy's prototype, not add a rule.
        if (key === "__proto__") {
          fail('"__proto__" is a reserved name', [...path, key]);
          continue;
        }
        const keyError = stringError(node.keys, key, "");
        if (keyError !== null) fail(`key ${show(key)} ${keyError}`, [...path, key]);
        else copy[key] = check(node.values, item, [...path, key], issues);
      }
      return copy;
    }
    case "boolean":
      return value;
  }
}

/** The problem with a string, or null; `subject` opens a pattern's message (by default the quoted value). */
function stringError(node: StringNode, value: string, subject = `${show(value)} `): string | null {
  if (value.length < (node.minLength ?? 0)) return "must not be empty";
  if (node.pattern && !node.pattern.test(value)) return `${subject}${node.patternError}`;
  return node.check?.(value) ?? null;
}

/** Issues the schema cannot see: every profile's extends chain and Secure conflicts. */
function profileIssues(policy: PolicyFile): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  for (const name of profileNames(policy)) {
    try {
      resolveNamedProfile(policy, name);
    } catch (error) {
      if (!(error instanceof PolicyLoadError)) throw error;
      for (const issue of error.issues) {
        if (!issues.some((i) => i.path === issue.path && i.message === issue.message)) {
          issues.push(issue);
        }
      }
    }
  }
  return issues;
}

/** Validates a policy object; throws `PolicyLoadError` with every issue. */
export function validatePolicy(input: unknown, source?: string): PolicyFile {
  const issues: PolicyIssue[] = [];
  const policy = check(policySchema, input, [], issues) as PolicyFile;
  if (issues.length === 0) issues.push(...profileIssues(policy));
  if (issues.length > 0) throw new PolicyLoadError(issues, source);
  return policy;
}

/** What stands at the offset: a word (`tru`), a character, a line break or the end. */
function describeAt(text: string, offset: number): string {
  const char = text[offset];
  if (char === undefined) return "end of file";
  if (char === "\n" || char === "\r") return "line break";
  return JSON.stringify(/^\w+/.exec(text.slice(offset, offset + 40))?.[0] ?? char);
}

/**
 * Parses `cookie-policy.json` text (strict JSON, UTF-8, a BOM tolerated) and validates
 * it. A syntax error names its line and column; a key written twice in one object is an
 * error too, since JSON.parse would silently keep only the last.
 */
export function parsePolicyText(text: string, source?: string): PolicyFile {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const scan = scanJson(body);
  let input: unknown;
  try {
    if (scan.errorReason !== undefined) throw new Error(scan.errorReason);
    input = JSON.parse(body);
  } catch (error) {
    const offset = scan.errorOffset ?? body.length;
    const { line, column } = lineColumn(body, offset);
    // V8's reason without its position or its echo of the text; "Unexpected token" names the character.
    let reason = (error instanceof Error ? error.message : String(error))
      .replace(/, (?:\.\.\.)?".*$/s, "")
      .replace(/ (?:in JSON )?at position \d+.*$/s, "");
    if (reason.startsWith("Unexpected token")) reason = `unexpected ${describeAt(body, offset)}`;
    throw new PolicyLoadError(
      [{ path: "", message: `invalid JSON at line ${line}, column ${column}: ${reason}` }],
      source,
    );
  }
  if (scan.duplicates.length > 0) {
    throw new PolicyLoadError(
      scan.duplicates.map(({ path, offset }) => {
        const { line, column } = lineColumn(body, offset);
        return {
          path: toPointer(path),
          message: `key ${JSON.stringify(path.at(-1))} is written twice in the same object (again at line ${line}, column ${column}); keep one`,
        };
      }),
      source,
    );
  }
  return validatePolicy(input, source);
}
