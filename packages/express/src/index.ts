/**
 * @scope/cookie-express: `app.use(cookiePolicy())`, then `res.cookie()` and
 * `res.clearCookie()` obey the cookie policy; HTTPS redirect and HSTS happen here,
 * before any route. Every rule lives in @scope/cookie-core: this file only translates.
 */
import { createHmac } from "node:crypto";
import type { ServerResponse } from "node:http";
import {
  type CookieDecision,
  type CookieOptions,
  type Mode,
  nodeRequest,
  type OnReport,
  type PolicyFile,
  type RequestContext,
} from "@scope/cookie-core";
import { loadCookiePolicy } from "@scope/cookie-core/node";
import type { CookieOptions as ExpressCookieOptions, RequestHandler, Response } from "express";

export interface CookiePolicyOptions {
  /** Path to the policy file, or the policy itself. Default: `cookie-policy.json` in the cwd. */
  config?: string | PolicyFile;
  /** Profile name; else COOKIE_POLICY_ENV, NODE_ENV, then "production". */
  env?: string;
  /** Overrides the profile's `mode`. */
  mode?: Mode;
  /** Receives every report; default: one console.warn per distinct code and cookie. */
  onReport?: OnReport;
}

declare global {
  // Express's own extension point: express-serve-static-core's Request extends Express.Request.
  namespace Express {
    interface Request {
      /** This request's transport and cookie decisions (set by `cookiePolicy()`). */
      cookiePolicy: RequestContext;
    }
  }
}

/**
 * Express options in the policy's vocabulary: Express's `maxAge` is milliseconds. In
 * report-only mode the app's cookie goes out as Express would write it, so Express's one
 * implicit default (Path=/) is added; enforce mode lets the policy fill what the app omits.
 */
function toPolicyOptions(
  ctx: RequestContext,
  o: ExpressCookieOptions | undefined,
  clearing: boolean,
): CookieOptions {
  const asWritten = ctx.policy.mode === "report-only";
  if (o === undefined) return asWritten ? { path: "/" } : {};
  const ms = clearing || o.maxAge == null ? Number.NaN : Number(o.maxAge);
  return {
    secure: o.secure,
    httpOnly: o.httpOnly,
    sameSite: o.sameSite,
    path: o.path ?? (asWritten ? "/" : undefined),
    domain: o.domain,
    maxAge: Number.isNaN(ms) ? undefined : Math.floor(ms / 1000),
    expires: clearing ? undefined : o.expires,
    partitioned: o.partitioned,
    priority: o.priority,
  };
}

/** The same signature as cookie-signature's `sign()`, which Express uses and cookie-parser checks. */
function sign(value: string, secret: string): string {
  return `${value}.${createHmac("sha256", secret).update(value).digest("base64").replace(/=+$/, "")}`;
}

/** Apply a verdict: `set` appends its header, `drop` writes nothing, `error` takes Express's error path. */
function apply(res: Response, decision: CookieDecision): Response {
  if (decision.action === "error") throw decision.error;
  if (decision.header !== null) res.append("Set-Cookie", decision.header);
  return res;
}

// One shared implementation for every request (no closure per request): `this` is the response.
function policyCookie(
  this: Response,
  name: string,
  value: unknown,
  options?: ExpressCookieOptions,
) {
  let val = typeof value === "object" ? `j:${JSON.stringify(value)}` : String(value);
  if (options?.signed) {
    const secret = (this.req as { secret?: string }).secret;
    if (!secret) throw new Error('cookieParser("secret") required for signed cookies');
    val = `s:${sign(val, secret)}`;
  }
  const meta = options?.encode ? { encode: options.encode } : undefined;
  const ctx = this.req.cookiePolicy;
  return apply(this, ctx.setCookie(name, val, toPolicyOptions(ctx, options, false), meta));
}

function policyClearCookie(this: Response, name: string, options?: ExpressCookieOptions) {
  const ctx = this.req.cookiePolicy;
  return apply(this, ctx.clearCookie(name, toPolicyOptions(ctx, options, true)));
}

/** Redirect with the decided status and an empty body; refusals are plain text. */
function answer(res: ServerResponse, status: number, body: string, location?: string): void {
  res.statusCode = status;
  if (location !== undefined) res.setHeader("Location", location);
  else res.setHeader("Content-Type", "text/plain; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.end(body);
}

/**
 * The middleware. The policy is loaded and compiled once, here: a bad policy throws a
 * PolicyLoadError naming every problem before the app starts serving.
 */
export function cookiePolicy(options: CookiePolicyOptions = {}): RequestHandler {
  const policy = loadCookiePolicy({
    config: options.config,
    env: options.env,
    mode: options.mode,
    onReport: options.onReport,
  });
  return (req, res, next) => {
    // originalUrl: a mounted middleware sees a shortened req.url; redirects need the full one.
    const { socket, headers, method, originalUrl } = req;
    const ctx = policy.begin(nodeRequest({ socket, headers, method, url: originalUrl }));
    req.cookiePolicy = ctx;
    if (ctx.reject) return answer(res, ctx.reject.status, ctx.reject.body);
    if (ctx.redirect) return answer(res, ctx.redirect.status, "", ctx.redirect.location);
    if (ctx.hsts) res.setHeader("Strict-Transport-Security", ctx.hsts);
    res.cookie = policyCookie as Response["cookie"];
    res.clearCookie = policyClearCookie as Response["clearCookie"];
    next();
  };
}
