/**
 * @scope/cookie-express: `app.use(cookiePolicy())`, then `res.cookie()` and
 * `res.clearCookie()` obey the cookie policy, and so does every other Set-Cookie line
 * (re-decided as the head is written); HTTPS redirect and HSTS happen here, before any
 * route. Every rule lives in @scope/cookie-core: this file only translates.
 */
import { createHmac } from "node:crypto";
import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from "node:http";
import {
  type AdapterOptions,
  type CookieDecision,
  type CookieOptions,
  nodeRequest,
  type RequestContext,
} from "@scope/cookie-core";
import { loadCookiePolicy } from "@scope/cookie-core/node";
import type { CookieOptions as ExpressCookieOptions, RequestHandler, Response } from "express";

/** `config`, `env`, `mode`, `onReport`: the same options as every adapter. */
export type CookiePolicyOptions = AdapterOptions;

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

type PolicyResponse = Response;

/** Apply a verdict: `set` appends its header, `drop` writes nothing, `error` takes Express's error path. */
function apply(res: PolicyResponse, decision: CookieDecision): Response {
  if (decision.action === "error") throw decision.error;
  if (decision.header !== null) {
    res.append("Set-Cookie", decision.header);
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
  // Lines the policy already decided (by `res.cookie`, or at an earlier head): never twice.
  const decided = ctx.decisions;
  const kept: string[] = [];
  let foreign = false;
  for (const line of Array.isArray(value) ? value : [String(value)]) {
    const own = decided.some((d) => d.header === line);
    foreign ||= !own;
    const header = own ? line : ctx.applySetCookie(line).header;
    if (header !== null) kept.push(header);
  }
  if (!foreign) return;
  if (kept.length > 0) res.setHeader("Set-Cookie", kept);
  else res.removeHeader("Set-Cookie");
}

/** The `writeHead` this response had before `cookiePolicy()` (Node's, or another on-headers wrapper). */
const WRITE_HEAD = Symbol("cookiePolicy.writeHead");
type GuardedResponse = PolicyResponse & { [WRITE_HEAD]?: (...args: unknown[]) => ServerResponse };

/**
 * Replaces each response's `writeHead` (the on-headers technique): every head goes through
 * it. One shared function reading `this`, so a request allocates no closure.
 */
function policyWriteHead(this: GuardedResponse, ...args: unknown[]) {
  const at = typeof args[1] === "string" ? 2 : 1; // writeHead(status, [reason], [headers])
  const headers = args[at] as OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined;
  if (headers) {
    mergeHeaders(this, headers);
    args.length = at;
  }
  decideWrittenCookies(this, this.req.cookiePolicy);
  // Own `writeHead` of another wrapper saved in WRITE_HEAD, else the prototype's.
  const writeHead = this[WRITE_HEAD] ?? Object.getPrototypeOf(this).writeHead;
  return writeHead.apply(this, args);
}

/** Request prototypes already seen, and the getters below (each installed once). */
const seen = new WeakSet<object>();
const getters = new WeakSet<object>();

/**
 * One answer to "is this HTTPS?": express-session (cookie.secure), passport & co. read
 * req.protocol / req.secure, which Express derives from its own `trust proxy`. Express's
 * getters are wrapped once, where they are defined (shared by every app and mounted
 * sub-app), to answer from `req.cookiePolicy` in enforce mode, else as
 * Express would; assigning still makes an own property. Wrapping once, rather than defining
 * own properties per request, keeps `req` a fast-mode object for the rest of Express.
 */
function answerTransport(proto: object): void {
  seen.add(proto);
  for (const key of ["protocol", "secure"] as const) {
    let owner: object | null = proto;
    while (owner !== null && !Object.hasOwn(owner, key)) owner = Object.getPrototypeOf(owner);
    const target = owner ?? proto;
    const original = Object.getOwnPropertyDescriptor(target, key);
    if (original?.get && getters.has(original.get)) continue;
    const get = function (this: { cookiePolicy?: RequestContext }) {
      const ctx = this.cookiePolicy; // report-only changes nothing: Express answers
      if (ctx !== undefined && ctx.policy.mode === "enforce") return ctx.transport[key];
      return original?.get ? original.get.call(this) : original?.value;
    };
    getters.add(get);
    Object.defineProperty(target, key, {
      configurable: true,
      enumerable: original?.enumerable ?? false,
      get,
      set(this: object, value: unknown) {
        Object.defineProperty(this, key, { value, configurable: true, writable: true });
      },
    });
  }
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
    const proto = Object.getPrototypeOf(req) as object;
    if (!seen.has(proto)) answerTransport(proto);
    // Express's req/res get a fresh hidden class per request, so each property added here
    // costs a slow store: only `writeHead` is added, plus the previous one when it was wrapped.
    if (res.writeHead !== policyWriteHead) {
      // A nested cookiePolicy() finds the guard in place: one guard decides with the latest context.
      if (Object.hasOwn(res, "writeHead"))
        (res as GuardedResponse)[WRITE_HEAD] = res.writeHead as GuardedResponse[typeof WRITE_HEAD];
      res.writeHead = policyWriteHead as Response["writeHead"];
    }
    res.cookie = policyCookie as Response["cookie"];
    res.clearCookie = policyClearCookie as Response["clearCookie"];
    next();
  };
}
