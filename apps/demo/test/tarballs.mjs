/**
 * The packages as users get them, for the suites that install them into new apps outside the
 * workspace (packaging, runtimes): `pnpm pack` (which rewrites `workspace:^` to real
 * versions), then `npm install` of the tarballs with the core pinned to the packed one.
 */
import { execFile } from "node:child_process";
import { access, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
export const root = fileURLToPath(new URL("../../../", import.meta.url));
export const INSTALL_TIMEOUT = 600_000;

/** Every file the package's exports point at exists (else: run `pnpm build` first). */
async function expectBuilt(name) {
  const dir = join(root, "packages", name);
  const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8"));
  const targets = JSON.stringify(manifest.exports).match(/"\.\/dist\/[^"]+"/g) ?? [];
  for (const target of targets) {
    const file = join(dir, JSON.parse(target));
    await access(file).catch(() => {
      throw new Error(
        `packages/${name} is not built (${file} is missing): run \`pnpm build\` first`,
      );
    });
  }
}

/** Packs each of packages/<name> into `dest`: package folder name → absolute tarball path. */
export async function packTarballs(names, dest) {
  await mkdir(dest, { recursive: true });
  const tarballs = {};
  for (const name of names) {
    await expectBuilt(name);
    const before = new Set(await readdir(dest));
    await run("pnpm", ["pack", "--pack-destination", dest], { cwd: join(root, "packages", name) });
    const created = (await readdir(dest)).filter((f) => !before.has(f));
    if (created.length !== 1) throw new Error(`pnpm pack in packages/${name} made ${created}`);
    tarballs[name] = join(dest, created[0]);
  }
  return tarballs;
}

/**
 * Writes `dir/package.json` depending on the tarballs (`file:`) and `deps`, then runs
 * `npm install` there. The adapters ask for @scope/cookie-core@^x.y.z: an override keeps it
 * the packed one, never the registry's. One npm cache for every app: the user's own unless
 * COOKIE_POLICY_NPM_CACHE names another.
 */
export async function npmInstall(dir, { name, tarballs, deps = {}, npmFlags = [], extra = {} }) {
  const pkg = {
    name,
    private: true,
    type: "module",
    ...extra,
    dependencies: {
      ...Object.fromEntries(
        Object.entries(tarballs).map(([folder, file]) => [
          `@scope/cookie-${folder}`,
          `file:${file}`,
        ]),
      ),
      ...deps,
    },
    overrides: { "@scope/cookie-core": "$@scope/cookie-core" },
  };
  await writeFile(join(dir, "package.json"), JSON.stringify(pkg, null, 2));
  const flags = [
    "install",
    "--no-audit",
    "--no-fund",
    "--prefer-offline",
    "--loglevel=error",
    ...npmFlags,
  ];
  const npmCache = process.env.COOKIE_POLICY_NPM_CACHE ?? "";
  if (npmCache) flags.push("--cache", npmCache);
  await run("npm", flags, { cwd: dir, timeout: INSTALL_TIMEOUT });
}
