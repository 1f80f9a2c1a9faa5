/**
 * @scope/cookie-core/node: everything of the main entry, plus loading the policy file
 * from disk and the start-up checks of the Node process. This is what Node adapters call.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createCookiePolicy } from "./engine.js";
import { parsePolicyText } from "./policy/validate.js";
import { defaultReporter } from "./report.js";
import { reportStartup } from "./startup.js";
import {
  type AdapterOptions,
  type CookiePolicy,
  type EngineOptions,
  type PolicyFile,
  PolicyLoadError,
} from "./types.js";

export * from "./index.js";

/** Where adapters look for the policy when no `config` is given (relative to the working directory). */
export const DEFAULT_POLICY_FILE = "cookie-policy.json";

/** Reads and validates a policy file: strict JSON in UTF-8; every problem names its JSON pointer. */
export function loadPolicyFile(path: string): PolicyFile {
  const file = resolve(path);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    throw new PolicyLoadError(
      [
        {
          path: "",
          message: missing
            ? `no policy file at ${file}: run \`npx cookie-policy init\` to create one, or pass \`config\``
            : `cannot read ${file}: ${(error as Error).message}`,
        },
      ],
      file,
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new PolicyLoadError([{ path: "", message: "the file is not valid UTF-8" }], file);
  }
  return parsePolicyText(text, file);
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
