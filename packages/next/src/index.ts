/**
 * @scope/cookie-next: the cookie policy for Next.js 15/16 (App Router). Edge-safe: this
 * entry imports nothing from `node:`; pass the policy as an imported JSON object.
 */
export {
  cookiePolicy,
  forPolicy,
  type NextCookiePolicy,
  type NextCookiePolicyOptions,
  type ProxyHandler,
  type RouteHandler,
} from "./adapter.js";
export { fromHeaders, fromRequest, type HeadersLike } from "./request.js";
export { SOCKET_HEADER, type SocketFacts } from "./socket.js";
