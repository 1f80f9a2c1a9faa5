/**
 * The page's explanations and `POST /explain` (apps/demo/src/explain.mjs) on the policy
 * the route handlers use: the same file, reached the same way as lib/policy.ts does.
 */

import policy from "../../cookie-policy.json";
import { demoPolicy } from "../../src/explain.mjs";

export const demo = demoPolicy(process.env.COOKIE_POLICY_CONFIG || policy, "next");
