#!/usr/bin/env node
// `cookie-policy`, the command of @scope/cookie-core, under this package's name too: pnpm
// links only the bins of an app's direct dependencies, and `npx cookie-policy` would then
// fetch an unrelated package from the registry. This runs the installed core's own CLI.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const manifest = createRequire(import.meta.url).resolve("@scope/cookie-core/package.json");
await import(pathToFileURL(join(dirname(manifest), "dist", "cli.js")).href);
