/** `cookie-policy init`: write a starter policy that passes `check` without warnings. */
import { existsSync, writeFileSync } from "node:fs";
import { nearest } from "../policy/pointer.js";
import type { PolicyFile } from "../types.js";
import { type Command, type ParsedArgs, single, UsageError } from "./args.js";
import type { Io } from "./io.js";
import { policyPath } from "./load.js";
import { PLATFORM_NAMES, type Platform, platformNamed } from "./platforms.js";

export const INIT_USAGE = `Usage: cookie-policy init [--platform NAME | --next] [--config FILE] [--force]

Writes a starter ./cookie-policy.json (with "$schema", so editors complete it).
Refuses to overwrite an existing file unless --force is given.

Options:
  --platform NAME  trust the proxy in front of the app, as docs/deployment.md says:
                   ${PLATFORM_NAMES.join(", ")}
                   (default: a proxy on this host, at 127.0.0.1 or ::1)
  --next           the same as --platform next: Next.js gives the app no peer
                   address, so one hop is trusted by count
  --config FILE    where to write it
  --force          overwrite an existing file
  -h, --help       this help`;

/** Without --platform: a proxy on the app's own host, whichever loopback address it uses. */
const LOCAL: Pick<Platform, "trust" | "headers"> = {
  trust: ["127.0.0.1", "::1"],
  headers: ["x-forwarded-for", "x-forwarded-proto"],
};

/**
 * Safe wherever it runs: only the named proxies are believed, development believes none
 * (`next dev` and `node app.js` have no proxy), and redirect/HSTS stay off until HTTPS
 * works end to end (a redirect behind a proxy that is not trusted would loop).
 */
export function starterPolicy(platform: Pick<Platform, "trust" | "headers"> = LOCAL): PolicyFile {
  return {
    $schema: "./node_modules/@scope/cookie-core/schema.json",
    proxy: {
      trust: Array.isArray(platform.trust) ? [...platform.trust] : platform.trust,
      headers: [...platform.headers],
    },
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
}

function chosenPlatform(name: string | undefined, next: boolean): Platform | undefined {
  if (next) {
    if (name !== undefined) throw new UsageError("give either --next or --platform, not both");
    return platformNamed("next");
  }
  if (name === undefined) return undefined;
  const platform = platformNamed(name);
  if (platform !== undefined) return platform;
  const hit = nearest(name, PLATFORM_NAMES, 2);
  throw new UsageError(
    `unknown platform ${JSON.stringify(name)}${hit === undefined ? "" : ` (did you mean "${hit}"?)`}; known: ${PLATFORM_NAMES.join(", ")}`,
  );
}

export const initCommand: Command = {
  usage: INIT_USAGE,
  flags: {
    values: { "--config": "config", "--platform": "platform" },
    switches: { "--force": "force", "--next": "next" },
  },
  run: init,
};

function init(args: ParsedArgs, io: Io): number {
  const platform = chosenPlatform(single(args, "platform"), args.switches.has("next"));
  const path = policyPath(io, single(args, "config"));
  if (existsSync(path) && !args.switches.has("force")) {
    io.err(`error: ${path} already exists; pass --force to overwrite it`);
    return 1;
  }
  writeFileSync(path, `${JSON.stringify(starterPolicy(platform), null, 2)}\n`);
  io.out(`wrote ${path}`);
  io.out(
    `proxy: ${platform?.note ?? "a proxy on this host (127.0.0.1 or ::1); with none, nothing is believed but the socket"}`,
  );
  io.out("development and test believe no proxy and let sensitive cookies follow the transport;");
  io.out("turn on https.redirect and https.hsts once HTTPS works end to end, then run");
  io.out("`cookie-policy check`.");
  return 0;
}
