/** `cookie-policy check`: validate the file, print the resolved profiles and the warnings. */
import { profileNames, resolveProfile } from "../policy/resolve.js";
import { policyWarnings } from "../policy/warnings.js";
import { parseArgs, single, UsageError } from "./args.js";
import { type Io, plural, printIssues } from "./io.js";
import { loadForCommand, policyPath } from "./load.js";

export const CHECK_USAGE = `Usage: cookie-policy check [--config FILE] [--env NAME]

Validates the policy file (default: ./cookie-policy.json), prints the resolved
profile(s) and the warnings. Errors and warnings go to stderr, one per line:
  error: <JSON pointer>: <message>
  warning: <JSON pointer>: <message>
Exit code: 0 valid, 1 invalid, 2 usage error.

Options:
  --config FILE   the policy file
  --env NAME      resolve only this profile (default: every profile)
  -h, --help      this help`;

export function check(argv: readonly string[], io: Io): number {
  const args = parseArgs(argv, {
    values: { "--config": "config", "--env": "env" },
    switches: { "--help": "help", "-h": "help" },
  });
  if (args.switches.has("help")) {
    io.out(CHECK_USAGE);
    return 0;
  }
  if (args.positionals.length > 0)
    throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const env = single(args, "env");
  if (env === "") throw new UsageError("--env needs a profile name");

  const path = policyPath(io, single(args, "config"));
  const policy = loadForCommand(io, path);
  if (policy === null) return 1;

  const warnings = policyWarnings(policy);
  for (const name of env === undefined ? profileNames(policy) : [env]) {
    const resolved = resolveProfile(policy, name);
    for (const d of resolved.diagnostics) {
      warnings.push({ path: "/profiles", message: d.message });
    }
    const requested =
      resolved.requestedEnv === resolved.env ? "" : ` (requested: ${resolved.requestedEnv})`;
    io.out(`profile ${resolved.env}${requested}:`);
    io.out(JSON.stringify(resolved.profile, null, 2).replace(/^/gm, "  "));
  }
  printIssues(io, "warning", warnings);
  io.out(`${path}: valid (${plural(warnings.length, "warning")})`);
  return 0;
}
