/**
 * @scope/cookie-express: `app.use(cookiePolicy())`, then `res.cookie()` and
 * `res.clearCookie()` obey the cookie policy, and so does every other Set-Cookie line
 * (re-decided as the head is written); HTTPS redirect and HSTS happen here, before any
 * route. Every rule lives in @scope/cookie-core: this file only translates.
 */
import { createHmac } from "node:crypto";
import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from "node:http";
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

/** Set-Cookie lines of this response already decided (by `res.cookie`, or at header time). */
const DECIDED = Symbol("cookiePolicy.decided");
type PolicyResponse = Response & { [DECIDED]?: string[] };

/** Apply a verdict: `set` appends its header, `drop` writes nothing, `error` takes Express's error path. */
function apply(res: PolicyResponse, decision: CookieDecision): Response {
  if (decision.action === "error") throw decision.error;
  if (decision.header !== null) {
    res.append("Set-Cookie", decision.header);
    res[DECIDED] = res[DECIDED]?.concat(decision.header) ?? [decision.header];
  }
  return res;
}

/** `writeHead(status, headers)`: merge `headers` into the response, as Node does when headers were set before. */
function mergeHeaders(res: ServerResponse, headers: OutgoingHttpHeaders | OutgoingHttpHeader[]) {
  if (Array.isArray(headers)) {
    // A flat [name, value, ...] list replaces earlier values and keeps its own duplicates.
    for (let i = 0; i < headers.length; i += 2) res.removeHeader(String(headers[i]));
    for (let i = 0; i < headers.length; i += 2)
      res.appendHeader(String(headers[i]), headers[i + 1] as string | string[]);
  } else
    for (const [name, value] of Object.entries(headers))
      if (value !== undefined) res.setHeader(name, value);
}

/**
 * Right before the head is written: re-decide every Set-Cookie line `res.cookie` did not
 * write (express-session's on-headers hook, `res.setHeader`, `res.append`). The head is
 * already on its way, so an `error` decision cannot take Express's error path: the line is
 * dropped and the engine's report names the code.
 */
function decideWrittenCookies(res: PolicyResponse, ctx: RequestContext): void {
  const value = res.getHeader("Set-Cookie");
  if (value === undefined) return;
  const decided = res[DECIDED];
  const kept: string[] = [];
  let foreign = false;
  for (const line of Array.isArray(value) ? value : [String(value)]) {
    const own = decided?.includes(line) === true; // decided once already: never twice
    foreign ||= !own;
    const header = own ? line : ctx.applySetCookie(line).header;
    if (header !== null) kept.push(header);
  }
  if (!foreign) return;
  res[DECIDED] = kept;
  if (kept.length > 0) res.setHeader("Set-Cookie", kept);
  else res.removeHeader("Set-Cookie");
}

/** Wrap this response's `writeHead` (the on-headers technique): every head goes through it. */
function guardHead(res: PolicyResponse, ctx: RequestContext): void {
  const writeHead = res.writeHead;
  res.writeHead = function policyWriteHead(this: PolicyResponse, ...args: unknown[]) {
    const at = typeof args[1] === "string" ? 2 : 1; // writeHead(status, [reason], [headers])
    const headers = args[at] as OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined;
    if (headers) {
      mergeHeaders(this, headers);
      args.length = at;
    }
    decideWrittenCookies(this, ctx);
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as Response["writeHead"];
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
    if (policy.mode === "enforce") {
      // One answer to "is this HTTPS?": express-session (cookie.secure), passport & co. read
      // req.secure / req.protocol, which Express derives from its own `trust proxy`. Own
      // properties survive a mounted sub-app's prototype switch; report-only changes nothing.
      const { protocol, secure } = ctx.transport;
      Object.defineProperties(req, {
        protocol: { value: protocol, configurable: true, writable: true },
        secure: { value: secure, configurable: true, writable: true },
      });
    }
    guardHead(res, ctx);
    res.cookie = policyCookie as Response["cookie"];
    res.clearCookie = policyClearCookie as Response["clearCookie"];
    next();
  };
}
