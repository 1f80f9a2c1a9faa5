/** `cookie-policy init`: write a starter policy that passes `check` without warnings. */
import { existsSync, writeFileSync } from "node:fs";
import type { PolicyFile } from "../types.js";
import { parseArgs, single, UsageError } from "./args.js";
import type { Io } from "./io.js";
import { policyPath } from "./load.js";

export const INIT_USAGE = `Usage: cookie-policy init [--config FILE] [--force]

Writes a starter ./cookie-policy.json (with "$schema", so editors complete it).
Refuses to overwrite an existing file unless --force is given.

Options:
  --config FILE   where to write it
  --force         overwrite an existing file
  -h, --help      this help`;

/**
 * Safe wherever it runs: only loopback proxies are trusted, and redirect/HSTS stay off
 * until the user knows the proxy in front of production (a redirect behind an untrusted
 * TLS-terminating proxy would loop).
 */
export const STARTER_POLICY: PolicyFile = {
  $schema: "./node_modules/@scope/cookie-core/schema.json",
  proxy: { trust: ["loopback"], headers: ["forwarded", "x-forwarded-for", "x-forwarded-proto"] },
  https: { redirect: false, hsts: false },
  defaults: { secure: "auto", httpOnly: true, sameSite: "lax", path: "/", onInsecure: "drop" },
  sensitive: { secure: "always", httpOnly: true, sameSite: "strict" },
  cookies: {},
  profiles: {
    development: { proxy: { trust: false }, sensitive: { secure: "auto" } },
    test: { extends: "development" },
    production: {},
  },
};

export function init(argv: readonly string[], io: Io): number {
  const args = parseArgs(argv, {
    values: { "--config": "config" },
    switches: { "--force": "force", "--help": "help", "-h": "help" },
  });
  if (args.switches.has("help")) {
    io.out(INIT_USAGE);
    return 0;
  }
  if (args.positionals.length > 0)
    throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const path = policyPath(io, single(args, "config"));
  if (existsSync(path) && !args.switches.has("force")) {
    io.err(`error: ${path} already exists; pass --force to overwrite it`);
    return 1;
  }
  writeFileSync(path, `${JSON.stringify(STARTER_POLICY, null, 2)}\n`);
  io.out(`wrote ${path}`);
  io.out("next: list your proxies' addresses in proxy.trust (production), turn on https.redirect");
  io.out("and https.hsts there once HTTPS works end to end, then run `cookie-policy check`.");
  return 0;
}
