/**
 * `setCookie(c, name, value, options?)`: `hono/cookie`'s call, decided by the policy before
 * anything is serialized. `hono/cookie` writes a finished line, which the middleware must
 * then read back and decide; this hands the name, value and options to the policy directly
 * and writes only the decided line.
 */
import type { CookieOptions } from "@scope/cookie-core";
import type { Context } from "hono";
import type { setCookie as honoSetCookie } from "hono/cookie";
import type { CookiePolicyEnv } from "./index.js";

/** `hono/cookie`'s options (`prefix` included), for a drop-in replacement. */
export type HonoCookieOptions = NonNullable<Parameters<typeof honoSetCookie>[3]>;

// hono/cookie's default Path, so a cookie gets the same line from either setCookie.
const DEFAULT_OPTIONS: CookieOptions = Object.freeze({ path: "/" });

/** The name and options `hono/cookie` would serialize for a `prefix` option. */
function prefixed(name: string, options: HonoCookieOptions): [string, HonoCookieOptions] {
  if (options.prefix === "secure") return [`__Secure-${name}`, { ...options, secure: true }];
  if (options.prefix === "host")
    return [`__Host-${name}`, { ...options, path: "/", secure: true, domain: undefined }];
  return [name, options];
}

/**
 * Sets a cookie as `setCookie` from `hono/cookie` does (same arguments, value encoded with
 * `encodeURIComponent`, Path `/` unless given), with the attributes the policy decides for
 * this request: the decided line is appended, a dropped cookie appends nothing, and an
 * `error` decision throws to `app.onError`. Needs `cookiePolicy()` registered before the
 * handler; without it this throws rather than set an undecided cookie.
 */
export function setCookie(
  c: Context<CookiePolicyEnv>,
  name: string,
  value: string,
  options?: HonoCookieOptions,
): void {
  const ctx = c.get("cookiePolicy");
  if (ctx === undefined) {
    throw new Error(
      "setCookie from @scope/cookie-hono needs app.use(cookiePolicy()) registered before this handler",
    );
  }
  let decision: ReturnType<typeof ctx.setCookie>;
  if (options === undefined) {
    decision = ctx.setCookie(name, value, DEFAULT_OPTIONS);
  } else {
    const [cookieName, { prefix: _prefix, ...rest }] = prefixed(name, options);
    // The policy reads SameSite and Priority in any case, as hono/cookie spells them.
    decision = ctx.setCookie(cookieName, value, { path: "/", ...rest } as CookieOptions);
  }
  if (decision.action === "error") {
    // As the middleware refuses a line: the response's undecided cookies go, then the error.
    c.header("Set-Cookie", undefined);
    throw decision.error;
  }
  // The middleware's c.header recognises a line its policy wrote and passes it through.
  if (decision.header !== null) c.header("Set-Cookie", decision.header, { append: true });
}
