/** The `cookie-policy` command: dispatch, help and exit codes (0 ok, 1 invalid / findings, 2 usage). */
import { type Command, commandArgs, UsageError } from "./args.js";
import { auditCommand } from "./audit.js";
import { checkCommand } from "./check.js";
import { explainCommand } from "./explain.js";
import { initCommand } from "./init.js";
import { escapedIo, type Io } from "./io.js";

const COMMANDS: Record<string, Command> = {
  init: initCommand,
  check: checkCommand,
  explain: explainCommand,
  audit: auditCommand,
};

function commandNamed(name: string) {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

export const USAGE = `Usage: cookie-policy <command> [options]

Commands:
  init      write a starter cookie-policy.json
  check     validate the policy: the verdict, then each error and warning
  explain   simulate one request: transport, redirect/HSTS, cookie decisions
  audit     request a live URL and judge its Set-Cookie and HSTS headers

Run \`cookie-policy <command> --help\` for a command's options.`;

export async function main(argv: readonly string[], rawIo: Io): Promise<number> {
  const io = escapedIo(rawIo);
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" && rest[0] !== undefined ? commandNamed(rest[0]) : undefined;
    (name === undefined ? io.err : io.out)(topic?.usage ?? USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = commandNamed(name);
  if (command === undefined) {
    io.err(`error: unknown command "${name}"`);
    io.err(USAGE);
    return 2;
  }
  try {
    const args = commandArgs(command, rest);
    if (args === null) {
      io.out(command.usage);
      return 0;
    }
    return await command.run(args, io);
  } catch (error) {
    if (!(error instanceof UsageError)) {
      // A bug, not the input's fault: one line, never a stack trace in the user's terminal.
      io.err(`error: cookie-policy ${name} failed: ${(error as Error).message ?? error}`);
      return 2;
    }
    io.err(`error: ${error.message}`);
    io.err(`Run \`cookie-policy ${name} --help\` for usage.`);
    return 2;
  }
}
