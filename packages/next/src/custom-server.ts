/**
 * @scope/cookie-next/custom-server: for a custom Node server in front of `next()`. Kept
 * apart from the main entry, which loads `next/headers`: a server file must not load that
 * before Next.js has set up its request storage.
 */
export { bareRedirects, type RedirectResponseLike } from "./bare-redirect.js";
export {
  attestSocket,
  SOCKET_HEADER,
  type SocketFacts,
  type SocketRequestLike,
  type SocketResponseLike,
} from "./socket.js";
