/**
 * Applying a request's decisions to a Fetch `Response`: every Set-Cookie line is decided
 * again (the app's attributes are the call-site options), HSTS is added by the proxy helper.
 */
import type { CookieDecision, RequestContext } from "@scope/cookie-core";

/** Internal header through which Next.js hands cookies set in proxy.ts to `cookies()` downstream. */
const MIDDLEWARE_SET_COOKIE = "x-middleware-set-cookie";

/**
 * Re-decide every Set-Cookie of `response` (lines already decided on `ctx`, e.g. written
 * from a `ctx.setCookie` decision, are kept as they are). Returns the response to send (the
 * same one, or a copy when its headers were immutable) and the decisions made here.
 */
export function applyCookies(
  ctx: RequestContext,
  response: Response,
  hsts: string | null = null,
): { response: Response; decisions: CookieDecision[] } {
  const lines = response.headers.getSetCookie();
  const decisions: CookieDecision[] = [];
  if (lines.length === 0 && hsts === null) return { response, decisions };
  const decided = new Set(ctx.decisions.map((d) => d.header));
  const emitted: string[] = [];
  for (const line of lines) {
    if (decided.has(line)) {
      emitted.push(line);
      continue;
    }
    const decision = ctx.applySetCookie(line);
    decisions.push(decision);
    if (decision.header !== null) emitted.push(decision.header);
  }
  const rewrite = (target: Response): Response => {
    target.headers.delete("set-cookie");
    for (const header of emitted) target.headers.append("set-cookie", header);
    if (target.headers.has(MIDDLEWARE_SET_COOKIE)) {
      if (emitted.length > 0) target.headers.set(MIDDLEWARE_SET_COOKIE, emitted.join(","));
      else target.headers.delete(MIDDLEWARE_SET_COOKIE);
    }
    if (hsts !== null) target.headers.set("strict-transport-security", hsts);
    return target;
  };
  try {
    return { response: rewrite(response), decisions };
  } catch {
    // `Response.redirect()` and fetched responses have immutable headers (the first
    // change throws, so nothing was changed): answer with a copy.
    return { response: rewrite(new Response(response.body, response)), decisions };
  }
}
