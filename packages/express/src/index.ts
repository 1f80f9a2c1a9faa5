/**
 * @scope/cookie-express: `app.use(cookiePolicy())`, then `res.cookie()` and
 * `res.clearCookie()` obey the cookie policy, and so does every other Set-Cookie line
 * (decided as the head is written); HTTPS redirect and HSTS happen here, before any
 * route. Every rule lives in @scope/cookie-core: this file only translates.
 */
import {
  type AdapterOptions,
  answerNodeRequest,
  type CookieDecision,
  type CookieOptions,
  decideHead,
  nodeRequest,
  type RequestContext,
} from "@scope/cookie-core";
import { loadCookiePolicy } from "@scope/cookie-core/node";
import { sign } from "cookie-signature";
import express, {
  type CookieOptions as ExpressCookieOptions,
  type RequestHandler,
  type Response,
} from "express";

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
): CookieOptions | undefined {
  const asWritten = ctx.policy.mode === "report-only";
  if (o === undefined) return asWritten ? { path: "/" } : undefined;
  // Milliseconds become seconds; any other maxAge reaches the policy as written, which refuses it.
  const maxAge: unknown = clearing ? undefined : o.maxAge;
  return {
    secure: o.secure,
    httpOnly: o.httpOnly,
    sameSite: o.sameSite,
    path: o.path ?? (asWritten ? "/" : undefined),
    domain: o.domain,
    maxAge: (typeof maxAge === "number" ? maxAge / 1000 : maxAge) as number | undefined,
    expires: clearing ? undefined : o.expires,
    partitioned: o.partitioned,
    priority: o.priority,
  };
}

/**
 * Each request's context, keyed by `req`. Nothing is added to `req` or `res` per request
 * (not even the applier's per-response `writeHead`): Express re-prototypes both for every
 * request, so each property added to one costs V8 a new hidden class, which the realistic
 * bench shows. Express's members are wrapped instead, once, on the prototypes where Express
 * defines them (shared by every app and sub-app of that copy of Express); a request that did
 * not pass the middleware gets Express's own.
 */
const contexts = new WeakMap<object, RequestContext>();
/** Prototypes already wrapped, and the ones requests arrived with. */
const seen = new WeakSet<object>();

/** Applies a call-site decision: `set` appends its line, `error` takes Express's error path. */
function apply(res: Response, decision: CookieDecision): Response {
  if (decision.action === "error") throw decision.error;
  if (decision.header !== null) res.append("Set-Cookie", decision.header);
  return res;
}

/** Defines `members` on the prototype in `proto`'s chain that defines `key`, once. */
function wrapOnce(proto: object, key: string, members: (owner: object) => PropertyDescriptorMap) {
  let owner: object | null = proto;
  while (owner !== null && !Object.hasOwn(owner, key)) owner = Object.getPrototypeOf(owner);
  if (owner === null || seen.has(owner)) return;
  seen.add(owner);
  Object.defineProperties(owner, members(owner));
}

/**
 * `req.cookiePolicy`, and `req.protocol` / `req.secure` from the policy's transport in
 * enforce mode: express-session (cookie.secure), passport & co. read them, and Express
 * would answer from its own `trust proxy`. Report-only changes nothing: Express answers.
 */
function requestMembers(owner: object): PropertyDescriptorMap {
  const byPolicy = (key: "protocol" | "secure"): PropertyDescriptor => {
    const express = Object.getOwnPropertyDescriptor(owner, key);
    return {
      ...express,
      get(this: object) {
        const ctx = contexts.get(this);
        return ctx?.policy.mode === "enforce" ? ctx.transport[key] : express?.get?.call(this);
      },
    };
  };
  return {
    cookiePolicy: {
      configurable: true,
      get(this: object) {
        return contexts.get(this);
      },
    },
    protocol: byPolicy("protocol"),
    secure: byPolicy("secure"),
  };
}

type Method = (this: Response, ...args: unknown[]) => Response;

/**
 * `res.cookie()` / `res.clearCookie()` decided by the policy, and every head written through
 * `writeHead` (core's `decideHead`). On the prototype, a wrapper a library takes per
 * response (express-session's on-headers, mounted before or after the policy) runs before
 * it, so the lines that library writes are in the head decided here.
 */
function responseMembers(owner: object): PropertyDescriptorMap {
  const { cookie, clearCookie, writeHead } = owner as Record<
    "cookie" | "clearCookie" | "writeHead",
    Method
  >;
  function policyCookie(this: Response, name: string, value: unknown, o?: ExpressCookieOptions) {
    const ctx = contexts.get(this.req);
    if (ctx === undefined) return cookie.call(this, name, value, o);
    // Express writes an object value as `j:` + its JSON (cookie-parser reads it back); it
    // exports no function for it.
    let val = typeof value === "object" ? `j:${JSON.stringify(value)}` : String(value);
    if (o?.signed) {
      const { secret } = this.req as { secret?: string }; // set by cookie-parser
      if (!secret) throw new Error('cookieParser("secret") required for signed cookies');
      val = `s:${sign(val, secret)}`;
    }
    const meta = o?.encode ? { encode: o.encode } : undefined;
    return apply(this, ctx.setCookie(name, val, toPolicyOptions(ctx, o, false), meta));
  }
  function policyClearCookie(this: Response, name: string, o?: ExpressCookieOptions) {
    const ctx = contexts.get(this.req);
    if (ctx === undefined) return clearCookie.call(this, name, o);
    return apply(this, ctx.clearCookie(name, toPolicyOptions(ctx, o, true)));
  }
  function policyWriteHead(this: Response, ...args: unknown[]) {
    const ctx = contexts.get(this.req);
    if (ctx !== undefined) decideHead(ctx, this, args);
    return writeHead.apply(this, args);
  }
  const method = (value: unknown) => ({ value, configurable: true, writable: true });
  return {
    cookie: method(policyCookie),
    clearCookie: method(policyClearCookie),
    writeHead: method(policyWriteHead),
  };
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
  // Now, not on the first request: express-session mounted before the policy takes
  // `res.writeHead` per response and must find the policy's already.
  wrapOnce(express.request, "protocol", requestMembers);
  wrapOnce(express.response, "cookie", responseMembers);
  return (req, res, next) => {
    // originalUrl: a mounted middleware sees a shortened req.url; redirects need the full one.
    const { socket, headers, rawHeaders, method, originalUrl } = req;
    const ctx = policy.decideRequest(
      nodeRequest({ socket, headers, rawHeaders, method, url: originalUrl }),
    );
    contexts.set(req, ctx);
    // Each app and sub-app gives its requests a prototype of its own, over Express's (and
    // an app may run on another copy of Express than the one imported here).
    const proto = Object.getPrototypeOf(req) as object;
    if (!seen.has(proto)) {
      seen.add(proto);
      wrapOnce(proto, "protocol", requestMembers);
      wrapOnce(Object.getPrototypeOf(res), "cookie", responseMembers);
    }
    if (!answerNodeRequest(ctx, res)) next();
  };
}
