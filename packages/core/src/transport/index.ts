/** Proxy trust and the transport decision (SPEC §2.2). */
export { isLoopbackAddress, isPublicAddress } from "./address.js";
export { MAX_ENTRIES } from "./chain.js";
export { type ForwardedElement, parseForwarded } from "./forwarded.js";
export { readHeader } from "./headers.js";
export {
  isIpLiteral,
  isLocalhostHost,
  isValidHostName,
  type ParsedHost,
  parseHost,
} from "./host.js";
export {
  type AddressTrust,
  compileTrust,
  type TrustMatcher,
  trustEntryError,
} from "./trust.js";
export { decideTransport, type TransportConfig } from "./walk.js";
