/**
 * How the Next.js helpers report. Two things differ from a plain Node server:
 * - Next.js builds proxy.ts and each route into its own bundle, so one app creates several
 *   policies in one process; the default `console.warn` reporter is shared by all of them
 *   (on `globalThis`), so a warning is printed once per process, not once per bundle.
 * - Without a socket (no `attestSocket`), Next.js itself has already taken `request.url`'s
 *   scheme from `X-Forwarded-Proto`, whoever sent it. When the policy does not believe that
 *   header (TRANSPORT_PEER_UNKNOWN), the request still counts as that scheme: the report
 *   says so instead of implying the header changed nothing.
 */
import { defaultReporter, type OnReport } from "@scope/cookie-core";

const SHARED = Symbol.for("@scope/cookie-next.reporter");

/** The process-wide default reporter (one per realm: Edge-runtime middleware has its own). */
function sharedReporter(): OnReport {
  const g = globalThis as { [SHARED]?: OnReport };
  g[SHARED] ??= defaultReporter();
  return g[SHARED];
}

const NEXT_SCHEME =
  " Note: Next.js itself has already taken this request's scheme (request.url) from X-Forwarded-Proto, whoever sent it, so the request counts as that scheme anyway; keep `next start` reachable only through a proxy that overwrites X-Forwarded-Proto, or attest the socket in a custom server (attestSocket from @scope/cookie-next/custom-server).";

/** `onReport` for the Next.js helpers: the app's own, or the shared default; Next's part said. */
export function nextReporter(onReport: OnReport | undefined): OnReport {
  const report = onReport ?? sharedReporter();
  return (event) => {
    if (event.code === "TRANSPORT_PEER_UNKNOWN" && /X-Forwarded-Proto/i.test(event.message))
      report({ ...event, message: event.message + NEXT_SCHEME });
    else report(event);
  };
}
