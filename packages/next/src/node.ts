/**
 * @scope/cookie-next/node: the same helpers, with the policy loaded from a file (Node
 * runtime only: proxy.ts on Next 16, route handlers, server actions, custom servers).
 */
import type { AdapterOptions } from "@scope/cookie-core";
import { loadCookiePolicy } from "@scope/cookie-core/node";
import { forPolicy, type NextCookiePolicy } from "./adapter.js";
import { nextReporter } from "./report.js";

export * from "./index.js";

/** The options of every adapter: `config` is a path (default `cookie-policy.json` in the
 * working directory) or the policy object. */
export type NodeCookiePolicyOptions = AdapterOptions;

/** Like the main entry's `cookiePolicy`, but `config` may be a file path. */
export function cookiePolicy(options: NodeCookiePolicyOptions = {}): NextCookiePolicy {
  const { config, env, mode } = options;
  return forPolicy(
    loadCookiePolicy({ config, env, mode, onReport: nextReporter(options.onReport) }),
  );
}
