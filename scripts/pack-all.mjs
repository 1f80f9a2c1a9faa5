#!/usr/bin/env node
/**
 * `pnpm pack-all` (after the build): packs every package of this repository into
 * ./tarballs/cookie-<name>.tgz, names without versions, so the README's install line
 * stays right:
 *   npm install /path/to/cookie-policy/tarballs/cookie-core.tgz /path/to/cookie-policy/tarballs/cookie-express.tgz
 * `pnpm pack` rewrites `workspace:^` to the real version range. Another folder:
 * `node scripts/pack-all.mjs DIR`.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const dest = resolve(process.argv[2] ?? join(root, "tarballs"));
const PACKAGES = ["core", "express", "fastify", "hono", "koa", "next"];

mkdirSync(dest, { recursive: true });
const scratch = mkdtempSync(join(dest, ".pack-"));
try {
  for (const name of PACKAGES) {
    execFileSync("pnpm", ["pack", "--pack-destination", scratch], {
      cwd: join(root, "packages", name),
      stdio: ["ignore", "ignore", "inherit"],
    });
    const [made] = readdirSync(scratch);
    if (made === undefined) throw new Error(`pnpm pack in packages/${name} made no tarball`);
    renameSync(join(scratch, made), join(dest, `cookie-${name}.tgz`));
    console.log(join(dest, `cookie-${name}.tgz`));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
