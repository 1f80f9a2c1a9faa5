/**
 * Next.js answers a redirect returned from proxy.ts (or middleware.ts) its own way: its
 * router writes the target URL as the body and, for a 308, adds `Refresh: 0;url=<target>`
 * (for browsers that predate 308), whatever body and headers the proxy returned. SPEC §2.4
 * wants a bare redirect: an empty body, no extra header. Nothing in proxy.ts can change
 * that; a custom Node server can, by undoing exactly those two additions.
 */

/** The slice of a Node `ServerResponse` this needs. */
export interface RedirectResponseLike {
  statusCode: number;
  getHeader(name: string): unknown;
  // biome-ignore lint/suspicious/noExplicitAny: ServerResponse's own signatures
  setHeader: (...args: any[]) => any;
  // biome-ignore lint/suspicious/noExplicitAny: ServerResponse.end's overloads
  end: (...args: any[]) => any;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The Location of a redirect being answered, else undefined. */
function redirectTarget(res: RedirectResponseLike): string | undefined {
  const location = res.getHeader("location");
  return REDIRECTS.has(res.statusCode) && typeof location === "string" ? location : undefined;
}

/**
 * Call in a custom server before `handle(req, res)` (with `attestSocket`): on a redirect,
 * a `Refresh` that repeats the Location is not set, and a body that is exactly the Location
 * is not sent. Any other response is untouched.
 */
export function bareRedirects(res: RedirectResponseLike): void {
  const { setHeader, end } = res;
  res.setHeader = function (this: unknown, name: unknown, value: unknown, ...rest: unknown[]) {
    const location = redirectTarget(res);
    if (
      location !== undefined &&
      typeof name === "string" &&
      name.toLowerCase() === "refresh" &&
      value === `0;url=${location}`
    )
      return res;
    return setHeader.call(this, name, value, ...rest);
  };
  res.end = function (this: unknown, ...args: unknown[]) {
    const location = redirectTarget(res);
    if (location !== undefined && args[0] === location) {
      const callback = args.find((arg) => typeof arg === "function");
      return callback === undefined ? end.call(this) : end.call(this, callback);
    }
    return end.apply(this, args);
  };
}
