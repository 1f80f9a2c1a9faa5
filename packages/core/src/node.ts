/**
 * @scope/cookie-core/node: everything of the main entry, plus loading the policy file
 * from disk and the start-up checks of the Node process. This is what Node adapters call.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createCookiePolicy } from "./engine.js";
import { readPolicyFile } from "./policy/file.js";
import { defaultReporter } from "./report.js";
import { reportStartup } from "./startup.js";
import type { AdapterOptions, CookiePolicy, EngineOptions, PolicyFile } from "./types.js";

export * from "./index.js";

/** Where adapters look for the policy when no `config` is given (relative to the working directory). */
export const DEFAULT_POLICY_FILE = "cookie-policy.json";

/** Reads and validates a policy file: strict JSON in UTF-8; every problem names its JSON pointer. */
export function loadPolicyFile(path: string): PolicyFile {
  return readPolicyFile(resolve(path), readFileSync);
}

export interface LoadCookiePolicyOptions extends AdapterOptions {
  /** Directory a relative `config` is resolved against. Default: `process.cwd()`. */
  cwd?: string;
}

/** Loads the policy (file or object), compiles it for the active profile, and runs the start-up checks. */
export function loadCookiePolicy(options: LoadCookiePolicyOptions = {}): CookiePolicy {
  const { config = DEFAULT_POLICY_FILE, cwd = process.cwd(), env, mode } = options;
  const file = typeof config === "string" ? loadPolicyFile(resolve(cwd, config)) : config;
  const onReport = options.onReport ?? defaultReporter();
  const engineOptions: EngineOptions = { onReport };
  if (env !== undefined) engineOptions.env = env;
  if (mode !== undefined) engineOptions.mode = mode;
  const policy = createCookiePolicy(file, engineOptions);
  reportStartup(policy, onReport);
  return policy;
}
