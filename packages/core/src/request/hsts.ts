import { isIpLiteral } from "../transport/index.js";
import type { ResolvedProfile, Transport } from "../types.js";

/** Decides the Strict-Transport-Security value for one request, or null. */
export type HstsRule = (transport: Transport) => string | null;

/**
 * Compiles `https.hsts` once. The header goes only on a secure transport (a localhost
 * secure context does not count), never for localhost or an IP literal: browsers ignore
 * it there, and pinning `localhost` to HTTPS breaks every other local app.
 */
export function compileHsts(settings: ResolvedProfile["https"]["hsts"]): HstsRule | null {
  if (settings === false) return null;
  const value = `max-age=${settings.maxAge}${settings.includeSubDomains ? "; includeSubDomains" : ""}${
    settings.preload ? "; preload" : ""
  }`;
  return (transport) =>
    transport.secure &&
    transport.host !== null &&
    !transport.localhost &&
    !isIpLiteral(transport.host)
      ? value
      : null;
}
