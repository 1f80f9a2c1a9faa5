/** The `cookie-policy` command: dispatch, help and exit codes (0 ok, 1 invalid / findings, 2 usage). */
import { UsageError } from "./args.js";
import { CHECK_USAGE, check } from "./check.js";
import { EXPLAIN_USAGE, explain } from "./explain.js";
import { INIT_USAGE, init } from "./init.js";
import type { Io } from "./io.js";

const COMMANDS: Record<
  string,
  { run: (argv: readonly string[], io: Io) => number; usage: string }
> = {
  init: { run: init, usage: INIT_USAGE },
  check: { run: check, usage: CHECK_USAGE },
  explain: { run: explain, usage: EXPLAIN_USAGE },
};

export const USAGE = `Usage: cookie-policy <command> [options]

Commands:
  init      write a starter cookie-policy.json
  check     validate the policy, print the resolved profiles and warnings
  explain   simulate one request: transport, redirect/HSTS, cookie decisions

Run \`cookie-policy <command> --help\` for a command's options.`;

export function main(argv: readonly string[], io: Io): number {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" && rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
    (name === undefined ? io.err : io.out)(topic?.usage ?? USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.err(`error: unknown command "${name}"`);
    io.err(USAGE);
    return 2;
  }
  try {
    return command.run(rest, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`error: ${error.message}`);
    io.err(`Run \`cookie-policy ${name} --help\` for usage.`);
    return 2;
  }
}
