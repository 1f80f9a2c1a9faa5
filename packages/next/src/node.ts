/**
 * @scope/cookie-next/node: the same helpers, with the policy loaded from a file (Node
 * runtime only: proxy.ts on Next 16, route handlers, server actions, custom servers).
 */
import type { Mode, OnReport, PolicyFile } from "@scope/cookie-core";
import { type LoadCookiePolicyOptions, loadCookiePolicy } from "@scope/cookie-core/node";
import { forPolicy, type NextCookiePolicy } from "./adapter.js";
import { nextReporter } from "./report.js";

export * from "./index.js";

export interface NodeCookiePolicyOptions {
  /**
   * A path (default `cookie-policy.json` in the working directory) or the policy object;
   * a JSON import's widened types are accepted: the engine validates the object.
   */
  config?: string | PolicyFile | object;
  env?: string;
  mode?: Mode;
  onReport?: OnReport;
}

/** Like the main entry's `cookiePolicy`, but `config` may be a file path. */
export function cookiePolicy(options: NodeCookiePolicyOptions = {}): NextCookiePolicy {
  const { onReport, ...rest } = options;
  return forPolicy(
    loadCookiePolicy({ ...rest, onReport: nextReporter(onReport) } as LoadCookiePolicyOptions),
  );
}
