/**
 * Loading a policy: strict JSON, then the schema, then what the schema cannot see
 * (extends targets and cycles, Secure conflicts of every profile). Every problem is
 * reported at once, each at its JSON pointer, in words a user acts on.
 */
import type { z } from "zod";
import { type PolicyFile, type PolicyIssue, PolicyLoadError } from "../types.js";
import { lineColumn, scanJson } from "./json-error.js";
import { didYouMean, toPointer } from "./pointer.js";
import { profileNames, resolveNamedProfile } from "./resolve.js";
import { policySchema } from "./schema.js";

type Issue = z.core.$ZodIssue;
type SchemaDef = { type: string; [key: string]: unknown };

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

const EXPECTED: Record<string, string> = {
  boolean: "true or false",
  string: "a string",
  number: "a number",
  int: "a whole number",
  object: "an object",
  record: "an object",
  array: "a list",
};

function def(schema: unknown): SchemaDef {
  return (schema as { _zod: { def: SchemaDef } })._zod.def;
}

/** The object schemas reachable at `path`, for listing known keys in a hint. */
function objectKeysAt(path: readonly PropertyKey[]): string[] {
  let nodes: unknown[] = [policySchema];
  for (const segment of [...path, null]) {
    const next: unknown[] = [];
    const expand = (node: unknown): void => {
      const d = def(node);
      if (d.type === "optional") expand(d.innerType);
      else if (d.type === "union") for (const option of d.options as unknown[]) expand(option);
      else if (segment === null) next.push(node);
      else if (d.type === "object") {
        const child = (d.shape as Record<string, unknown>)[String(segment)];
        if (child) next.push(child);
      } else if (d.type === "record") next.push(d.valueType);
      else if (d.type === "array" && typeof segment === "number") next.push(d.element);
    };
    for (const node of nodes) expand(node);
    nodes = next;
  }
  return nodes.flatMap((node) => Object.keys(def(node).shape ?? {}));
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const segment of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

/** One zod issue as policy issues (an unknown-keys issue becomes one per key). */
function describe(issue: Issue, input: unknown): PolicyIssue[] {
  const path = issue.path;
  const at = toPointer(path);
  const value = valueAt(input, path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = objectKeysAt(path);
      return issue.keys.map((key) => ({
        path: toPointer([...path, key]),
        message: `unknown key "${key}"${didYouMean(key, known)}`,
      }));
    }
    case "invalid_type": {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      const subject = path.length === 0 ? "the policy must be" : "must be";
      return [{ path: at, message: `${subject} ${expected} (got ${show(value)})` }];
    }
    case "invalid_value": {
      const options = issue.values.map((v) => show(v));
      const list =
        options.length === 1
          ? options[0]
          : `${options.slice(0, -1).join(", ")} or ${options.at(-1)}`;
      const hint =
        typeof value === "string"
          ? didYouMean(
              value,
              issue.values.filter((v): v is string => typeof v === "string"),
              1, // a looser hint could flip the meaning ("secure" → "insecure")
            )
          : "";
      return [{ path: at, message: `must be ${list} (got ${show(value)})${hint}` }];
    }
    case "too_small": {
      const message =
        issue.origin === "string" || issue.origin === "array"
          ? "must not be empty"
          : `must be at least ${issue.minimum} (got ${show(value)})`;
      return [{ path: at, message }];
    }
    case "too_big":
      return [{ path: at, message: `must be at most ${issue.maximum} (got ${show(value)})` }];
    case "invalid_key": {
      const inner = issue.issues[0];
      const key = String(path.at(-1));
      const why =
        inner?.code === "too_small" ? "must not be empty" : (inner?.message ?? "is not allowed");
      return [{ path: at, message: `key ${show(key)} ${why}` }];
    }
    case "invalid_format":
      return [{ path: at, message: `${show(value)} ${issue.message}` }];
    case "invalid_union": {
      // The value had the type of one branch (an object for `redirect`): its issues are the ones to show.
      const matched = issue.errors.filter(
        (branch) => !branch.every((i) => i.code === "invalid_type" && i.path.length === 0),
      );
      if (matched.length === 1 && matched[0]) {
        return matched[0].flatMap((inner) =>
          describe({ ...inner, path: [...path, ...inner.path] } as Issue, input),
        );
      }
      return [{ path: at, message: `${issue.message} (got ${show(value)})` }];
    }
    default:
      return [{ path: at, message: issue.message }];
  }
}

function hasOwnProto(value: unknown): boolean {
  return typeof value === "object" && value !== null && Object.hasOwn(value, "__proto__");
}

/** zod drops a `__proto__` key of a record without a word; say so instead of ignoring a rule. */
function reservedKeyIssues(input: unknown): PolicyIssue[] {
  if (typeof input !== "object" || input === null) return [];
  const root = input as Record<string, unknown>;
  const records: PropertyKey[][] = [["cookies"], ["profiles"]];
  const profiles = root.profiles;
  if (typeof profiles === "object" && profiles !== null) {
    for (const name of Object.keys(profiles)) records.push(["profiles", name, "cookies"]);
  }
  return records
    .filter((path) => hasOwnProto(valueAt(input, path)))
    .map((path) => ({
      path: toPointer([...path, "__proto__"]),
      message: '"__proto__" is a reserved name',
    }));
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
  const result = policySchema.safeParse(input);
  const reserved = reservedKeyIssues(input);
  if (!result.success || reserved.length > 0) {
    const issues = result.success ? [] : result.error.issues.flatMap((i) => describe(i, input));
    throw new PolicyLoadError([...issues, ...reserved], source);
  }
  const issues = profileIssues(result.data);
  if (issues.length > 0) throw new PolicyLoadError(issues, source);
  return result.data;
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
