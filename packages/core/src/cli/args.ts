/** Command-line flags: `--flag value`, `--flag=value`, repeatable flags, and usage errors. */
import type { Io } from "./io.js";

/** A mistake in how the command was called: exit code 2 with a hint to `--help`. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface FlagSpec {
  /** Flags that take a value, by every spelling (`-H` and `--header` map to `header`). */
  readonly values?: Readonly<Record<string, string>>;
  /** Value flags that may be given more than once (kept in order). */
  readonly repeatable?: readonly string[];
  /** Flags without a value. */
  readonly switches?: Readonly<Record<string, string>>;
}

export interface ParsedArgs {
  readonly values: Map<string, string[]>;
  readonly switches: Set<string>;
  readonly positionals: string[];
}

export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const values = new Map<string, string[]>();
  const switches = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const valueName = spec.values?.[flag];
    const switchName = spec.switches?.[flag];
    if (switchName !== undefined && eq === -1) {
      switches.add(switchName);
      continue;
    }
    if (valueName === undefined) throw new UsageError(`unknown option ${flag}`);
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    const list = values.get(valueName);
    if (list === undefined) values.set(valueName, [value]);
    else if (spec.repeatable?.includes(valueName)) list.push(value);
    else throw new UsageError(`${flag} may be given only once`);
  }
  return { values, switches, positionals };
}

/** One `cookie-policy` command: its usage, its flags, and what it does with them parsed. */
export interface Command {
  readonly usage: string;
  /** Its flags, besides `-h`/`--help` which every command takes. */
  readonly flags: FlagSpec;
  /** Whether it reads positional arguments itself (audit's URL); otherwise any is a usage error. */
  readonly positionals?: boolean;
  run(args: ParsedArgs, io: Io): number | Promise<number>;
}

const HELP = { "--help": "help", "-h": "help" };

/**
 * A command's arguments, checked alike for every command: its flags, no stray argument,
 * a non-empty `--env`. Null when `-h`/`--help` asks for its usage instead.
 */
export function commandArgs(command: Command, argv: readonly string[]): ParsedArgs | null {
  const flags = command.flags;
  const args = parseArgs(argv, { ...flags, switches: { ...flags.switches, ...HELP } });
  if (args.switches.has("help")) return null;
  if (!command.positionals && args.positionals.length > 0)
    throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  if (single(args, "env") === "") throw new UsageError("--env needs a profile name");
  return args;
}

/** The single value of a flag, if given. */
export function single(args: ParsedArgs, name: string): string | undefined {
  return args.values.get(name)?.[0];
}
