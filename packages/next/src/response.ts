/**
 * A route's or proxy's Response with the verdict applied by core's Fetch applier, plus what
 * only Next.js has: the header through which cookies set in proxy.ts reach `cookies()`.
 */
import { applyFetchVerdict, type RequestContext } from "@scope/cookie-core";

/** Internal header through which Next.js hands cookies set in proxy.ts to `cookies()` downstream. */
const MIDDLEWARE_SET_COOKIE = "x-middleware-set-cookie";

/**
 * Every Set-Cookie line of `response` decided (HSTS added when `hsts`); an `error` decision
 * is thrown for Next's error path (a 500), the lines after it never emitted.
 */
export function applyVerdict(ctx: RequestContext, response: Response, hsts: boolean): Response {
  const applied = applyFetchVerdict(ctx, response, { hsts });
  if (applied.error !== undefined) throw applied.error;
  const out = applied.response;
  // Only NextResponse.next() carries it, and its headers are mutable.
  if (out.headers.has(MIDDLEWARE_SET_COOKIE)) {
    const lines = out.headers.getSetCookie();
    if (lines.length > 0) out.headers.set(MIDDLEWARE_SET_COOKIE, lines.join(","));
    else out.headers.delete(MIDDLEWARE_SET_COOKIE);
  }
  return out;
}
