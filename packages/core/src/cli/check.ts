/** `cookie-policy check`: the verdict first, then one line per error or warning; `--print` adds the resolved profiles. */
import { profileNames, resolveProfile } from "../policy/resolve.js";
import { policyWarnings } from "../policy/warnings.js";
import type { PolicyIssue } from "../types.js";
import { type Command, type ParsedArgs, single } from "./args.js";
import { type Io, issueLines, plural } from "./io.js";
import { loadIssues, policyPath } from "./load.js";

export const CHECK_USAGE = `Usage: cookie-policy check [--config FILE] [--env NAME] [--print]

Validates the policy file (default: ./cookie-policy.json). The first line is the
verdict, then one line per problem:
  valid: N warnings | invalid: N errors
  error: <JSON pointer>: <message>
  warning: <JSON pointer>: <message>
Exit code: 0 valid, 1 invalid, 2 usage error.

Options:
  --config FILE   the policy file
  --env NAME      look at this profile only (default: every profile)
  --print         also print the resolved profile(s), as the adapters apply them
  -h, --help      this help`;

export const checkCommand: Command = {
  usage: CHECK_USAGE,
  flags: { values: { "--config": "config", "--env": "env" }, switches: { "--print": "print" } },
  run: check,
};

function check(args: ParsedArgs, io: Io): number {
  const env = single(args, "env");

  const path = policyPath(io, single(args, "config"));
  const loaded = loadIssues(path);
  if ("errors" in loaded) {
    io.out(`invalid: ${plural(loaded.errors.length, "error")}`);
    for (const line of issueLines("error", loaded.errors)) io.out(line);
    return 1;
  }
  const policy = loaded.policy;

  const warnings: PolicyIssue[] = policyWarnings(policy);
  const resolved = (env === undefined ? profileNames(policy) : [env]).map((name) =>
    resolveProfile(policy, name),
  );
  for (const r of resolved)
    for (const d of r.diagnostics) warnings.push({ path: "/profiles", message: d.message });

  io.out(`valid: ${plural(warnings.length, "warning")}`);
  for (const line of issueLines("warning", warnings)) io.out(line);
  if (args.switches.has("print")) {
    for (const r of resolved) {
      const requested = r.requestedEnv === r.env ? "" : ` (requested: ${r.requestedEnv})`;
      io.out(`profile ${r.env}${requested}:`);
      for (const line of JSON.stringify(r.profile, null, 2).split("\n")) io.out(`  ${line}`);
    }
  }
  return 0;
}
