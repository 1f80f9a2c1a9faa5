/** The policy file a command works on: `--config`, else `cookie-policy.json` in the working directory. */
import { resolve } from "node:path";
import { DEFAULT_POLICY_FILE, loadPolicyFile } from "../node.js";
import { type PolicyFile, type PolicyIssue, PolicyLoadError } from "../types.js";
import { type Io, plural, printIssues } from "./io.js";

export function policyPath(io: Io, config: string | undefined): string {
  return resolve(io.cwd, config ?? DEFAULT_POLICY_FILE);
}

/**
 * Loads and validates the file. Whatever the file holds, the answer is a policy or a
 * list of errors: a failure the loader did not foresee is one more error line, never a
 * crash of the command.
 */
export function loadIssues(path: string): { policy: PolicyFile } | { errors: PolicyIssue[] } {
  try {
    return { policy: loadPolicyFile(path) };
  } catch (error) {
    if (error instanceof PolicyLoadError) return { errors: [...error.issues] };
    return {
      errors: [{ path: "", message: `cannot check ${path}: ${(error as Error).message}` }],
    };
  }
}

/** `loadIssues` for explain and audit: on failure prints every error line and returns null. */
export function loadForCommand(io: Io, path: string): PolicyFile | null {
  const loaded = loadIssues(path);
  if ("policy" in loaded) return loaded.policy;
  printIssues(io, "error", loaded.errors);
  io.err(`${path}: not loaded (${plural(loaded.errors.length, "error")})`);
  return null;
}
