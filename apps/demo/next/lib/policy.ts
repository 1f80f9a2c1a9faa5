/**
 * The demo's one policy, shared by proxy.ts and the route handlers (Node runtime).
 * `serve.mjs --config/--env` reach it through COOKIE_POLICY_CONFIG / COOKIE_POLICY_ENV at
 * run time, so the built app can run against another policy without a rebuild; without
 * them it is the imported apps/demo/cookie-policy.json (the edge-safe way).
 */
import { cookiePolicy } from "@scope/cookie-next/node";
import policy from "../../cookie-policy.json";

export const cp = cookiePolicy({
  config: process.env.COOKIE_POLICY_CONFIG || policy,
  env: process.env.COOKIE_POLICY_ENV || undefined,
});
