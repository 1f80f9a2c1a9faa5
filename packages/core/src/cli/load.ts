/** The policy file a command works on: `--config`, else `cookie-policy.json` in the working directory. */
import { resolve } from "node:path";
import { DEFAULT_POLICY_FILE, loadPolicyFile } from "../node.js";
import { type PolicyFile, PolicyLoadError } from "../types.js";
import { type Io, plural, printIssues } from "./io.js";

export function policyPath(io: Io, config: string | undefined): string {
  return resolve(io.cwd, config ?? DEFAULT_POLICY_FILE);
}

/** Loads and validates the file; on failure prints every error line and returns null. */
export function loadForCommand(io: Io, path: string): PolicyFile | null {
  try {
    return loadPolicyFile(path);
  } catch (error) {
    if (!(error instanceof PolicyLoadError)) throw error;
    printIssues(io, "error", error.issues);
    io.err(`${path}: not loaded (${plural(error.issues.length, "error")})`);
    return null;
  }
}
