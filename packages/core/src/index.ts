/**
 * @scope/cookie-core: the decision engine. Imports nothing from `node:` so it runs on
 * Node, Bun, Deno, Workers and Next's edge runtime; file loading lives in `./node`.
 */

export {
  type AppliedFetchVerdict,
  applyFetchVerdict,
  type FetchVerdictOptions,
} from "./apply/fetch.js";
export {
  answerNodeRequest,
  applyNodeVerdict,
  decideHead,
  decideStoredLines,
  type HeaderStore,
  type NodeResponseLike,
} from "./apply/node.js";
export { encodeCookieValue } from "./cookie/invariants.js";
export { type ParsedSetCookie, parseSetCookie } from "./cookie/parse.js";
export { createCookiePolicy } from "./engine.js";
export * from "./policy/index.js";
export { defaultReporter, describeReason } from "./report.js";
export {
  type FetchConnection,
  type FetchRequestLike,
  fetchRequest,
} from "./request/fetch-view.js";
export { type NodeRequestLike, nodeRequest } from "./request/node-view.js";
export { reportStartup } from "./startup.js";
export * from "./transport/index.js";
export * from "./types.js";
