/**
 * Applying a request's verdict to a Fetch `Response`: the one way Hono (off Node's
 * `ServerResponse`) and Next.js do it. Every Set-Cookie line is decided (the lines this
 * request's policy wrote come back as they are) and HSTS added; a response whose headers
 * are immutable (`Response.redirect()`, a fetch()ed one) is copied first.
 */
import type { CookiePolicyError, RequestContext } from "../types.js";
import { decideLines } from "./lines.js";

export interface FetchVerdictOptions {
  /** Add the request's Strict-Transport-Security (where the request is answered). Default true. */
  hsts?: boolean;
}

export interface AppliedFetchVerdict {
  /** The response to send: the same one, or a copy when its headers were immutable. */
  readonly response: Response;
  /**
   * An `error` decision's typed error, for the framework's error path. The response then
   * carries only the lines decided before it: the others are never emitted.
   */
  readonly error: CookiePolicyError | undefined;
}

/** Decides `response`'s Set-Cookie lines and adds HSTS. */
export function applyFetchVerdict(
  ctx: RequestContext,
  response: Response,
  options: FetchVerdictOptions = {},
): AppliedFetchVerdict {
  const hsts = options.hsts === false ? null : ctx.hsts;
  const lines = response.headers.getSetCookie();
  const { kept, changed, error } =
    lines.length === 0
      ? { kept: lines, changed: false, error: undefined }
      : decideLines(ctx, lines);
  if (!changed && hsts === null) return { response, error };
  const edit = (target: Response): Response => {
    const headers = target.headers;
    if (hsts !== null) headers.set("Strict-Transport-Security", hsts);
    if (changed) {
      headers.delete("Set-Cookie");
      for (const line of kept) headers.append("Set-Cookie", line);
    }
    return target;
  };
  try {
    return { response: edit(response), error };
  } catch {
    // Immutable headers throw at the first change, so nothing was changed: edit a copy.
    return { response: edit(new Response(response.body, response)), error };
  }
}
