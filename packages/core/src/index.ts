/**
 * @scope/cookie-core: the decision engine. Imports nothing from `node:` so it runs on
 * Node, Bun, Deno, Workers and Next's edge runtime; file loading lives in `./node`.
 */
export * from "./types.js";
