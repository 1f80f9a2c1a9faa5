/**
 * The demo on Next.js 16: the BUILT app in apps/demo/next (`next build` runs in `pnpm
 * build`), served the way `next start` serves it (`next({ dev: false })` behind node:http,
 * or node:https for `--https`). The policy path and profile reach the app's policy module
 * through COOKIE_POLICY_CONFIG / COOKIE_POLICY_ENV, read at run time.
 *
 * This is a custom Node server, so it tells the app the truth about each socket with
 * `attestSocket` (@scope/cookie-next/custom-server): the explanation page and the cookie
 * decisions see the real peer and TLS state, never a client's claim. `attest: false` runs
 * it exactly as `next start` does (tests of what a standard deployment gets).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { attestSocket, bareRedirects } from "@scope/cookie-next/custom-server";
import next from "next";
import { listen } from "./shared.mjs";

const dir = fileURLToPath(new URL("../../next", import.meta.url));

export async function start({ port, host, tls, config, env, attest = true }) {
  if (!existsSync(`${dir}/.next/BUILD_ID`)) {
    throw new Error(`the Next.js demo is not built: run \`pnpm build\` (next build in ${dir})`);
  }
  process.env.NEXT_TELEMETRY_DISABLED = "1";
  if (config) process.env.COOKIE_POLICY_CONFIG = config;
  if (env) process.env.COOKIE_POLICY_ENV = env;
  let handle;
  const ready = new Promise((resolve) => {
    handle = resolve;
  });
  // Listen first (port 0 picks a free one), then tell Next the real address.
  const listener = (req, res) => {
    if (attest) {
      attestSocket(req, res);
      // SPEC §2.4: Next.js adds a body and `Refresh` to proxy.ts's redirects; undone here.
      bareRedirects(res);
    }
    return ready.then((h) => h(req, res));
  };
  const server = await listen(listener, { port, host, tls });
  const { hostname, port: actualPort } = new URL(server.url);
  const app = next({
    dev: false,
    dir,
    hostname: hostname.replace(/^\[|\]$/g, ""),
    port: Number(actualPort),
    quiet: true,
  });
  // Next logs "Running next.config.mjs took …" to stdout while preparing; serve.mjs's
  // stdout carries exactly one JSON line, so Next's start-up chatter goes to stderr.
  const log = console.log;
  console.log = console.error;
  try {
    await app.prepare();
  } finally {
    console.log = log;
  }
  handle(app.getRequestHandler());
  return {
    url: server.url,
    close: async () => {
      await server.close();
      await app.close?.();
    },
  };
}
