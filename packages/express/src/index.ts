/**
 * @scope/cookie-express: `app.use(cookiePolicy())`, then `res.cookie()` and
 * `res.clearCookie()` obey the cookie policy, and so does every other Set-Cookie line
 * (re-decided as the head is written); HTTPS redirect and HSTS happen here, before any
 * route. Every rule lives in @scope/cookie-core: this file only translates.
 */
import { createHmac } from "node:crypto";
import type { ServerResponse } from "node:http";
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

/** The same signature as cookie-signature's `sign()`, which Express uses and cookie-parser checks. */
function sign(value: string, secret: string): string {
  return `${value}.${createHmac("sha256", secret).update(value).digest("base64").replace(/=+$/, "")}`;
}

/**
 * Each request's context, keyed by `req`. Express gives every req/res a hidden class of its
 * own (it re-prototypes them per request), so each property added to one makes V8 build a
 * new map: several µs a store. This adapter adds none; it wraps Express's prototypes once.
 */
const contexts = new WeakMap<object, RequestContext>();

/** Apply a verdict: `set` appends its header, `drop` writes nothing, `error` takes Express's error path. */
function apply(res: Response, decision: CookieDecision): Response {
  if (decision.action === "error") throw decision.error;
  if (decision.header !== null) {
    res.append("Set-Cookie", decision.header);
  }
  return res;
}

/** The prototype in `proto`'s chain that defines `key` (where Express defines its members). */
function definer(proto: object, key: string): object {
  let owner: object | null = proto;
  while (owner !== null && !Object.hasOwn(owner, key)) owner = Object.getPrototypeOf(owner);
  return owner ?? proto;
}

/** Prototypes already wrapped, and the ones requests arrived with (app.request of each app). */
const seen = new WeakSet<object>();

/**
 * `req.cookiePolicy`, and one answer to "is this HTTPS?": express-session (cookie.secure),
 * passport & co. read req.protocol / req.secure, which Express derives from its own `trust
 * proxy`. In enforce mode they answer from the policy's transport; a request that did not
 * pass the middleware, or report-only mode, gets Express's own answer. Assigning still makes
 * an own property, as with Express's getters.
 */
function wrapRequest(owner: object): void {
  Object.defineProperty(owner, "cookiePolicy", {
    configurable: true,
    get(this: object) {
      return contexts.get(this);
    },
    set(this: object, ctx: RequestContext) {
      contexts.set(this, ctx);
    },
  });
  for (const key of ["protocol", "secure"] as const) {
    const target = definer(owner, key);
    const original = Object.getOwnPropertyDescriptor(target, key);
    Object.defineProperty(target, key, {
      configurable: true,
      enumerable: original?.enumerable ?? false,
      get(this: object) {
        const ctx = contexts.get(this); // report-only changes nothing: Express answers
        if (ctx !== undefined && ctx.policy.mode === "enforce") return ctx.transport[key];
        return original?.get ? original.get.call(this) : original?.value;
      },
      set(this: object, value: unknown) {
        Object.defineProperty(this, key, { value, configurable: true, writable: true });
      },
    });
  }
}

/**
 * `res.cookie()` / `res.clearCookie()` decided by the policy, and every head written through
 * `writeHead` (the on-headers technique, so express-session's cookie is decided too), defined
 * once where Express defines `res.cookie`. Responses of requests that did not pass the
 * middleware keep Express's behaviour.
 */
function wrapResponse(owner: Response): void {
  // Express's own methods, for responses the policy does not decide.
  const cookie = owner.cookie as (this: Response, ...args: unknown[]) => Response;
  const clearCookie = owner.clearCookie as (this: Response, ...args: unknown[]) => Response;
  const node = Object.getPrototypeOf(owner) as ServerResponse;
  function policyCookie(this: Response, name: string, value: unknown, o?: ExpressCookieOptions) {
    const ctx = contexts.get(this.req);
    if (ctx === undefined) return cookie.call(this, name, value, o);
    let val = typeof value === "object" ? `j:${JSON.stringify(value)}` : String(value);
    if (o?.signed) {
      const secret = (this.req as { secret?: string }).secret;
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
  // On the prototype, not each response: a session library mounted before the policy
  // (express-session's on-headers) wraps each response's writeHead before the middleware
  // runs, and only the prototype's runs after its Set-Cookie is written.
  function policyWriteHead(this: Response, ...args: unknown[]) {
    const ctx = contexts.get(this.req);
    if (ctx !== undefined) decideHead(ctx, this, args);
    return (node.writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  }
  for (const [key, value] of [
    ["cookie", policyCookie],
    ["clearCookie", policyClearCookie],
    ["writeHead", policyWriteHead],
  ] as const)
    Object.defineProperty(owner, key, { value, configurable: true, writable: true });
}

/** Wraps the prototypes Express defines `protocol` and `cookie` on (each once). */
function wrapExpress(request: object, response: object): void {
  const reqOwner = definer(request, "protocol");
  if (!seen.has(reqOwner)) {
    seen.add(reqOwner);
    wrapRequest(reqOwner);
  }
  const resOwner = definer(response, "cookie") as Response;
  if (!seen.has(resOwner)) {
    seen.add(resOwner);
    wrapResponse(resOwner);
  }
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
  // Now, not on the first request: a wrapper mounted earlier (express-session's on-headers)
  // takes `res.writeHead` per request and must find the policy's already.
  wrapExpress(express.request, express.response);
  return (req, res, next) => {
    // originalUrl: a mounted middleware sees a shortened req.url; redirects need the full one.
    const { socket, headers, rawHeaders, method, originalUrl } = req;
    const ctx = policy.decideRequest(
      nodeRequest({ socket, headers, rawHeaders, method, url: originalUrl }),
    );
    // A nested cookiePolicy() replaces the context: the latest policy decides.
    contexts.set(req, ctx);
    // Another copy of Express than the one this package resolves is wrapped on its first request.
    const reqProto = Object.getPrototypeOf(req) as object;
    if (!seen.has(reqProto)) {
      seen.add(reqProto);
      wrapExpress(reqProto, Object.getPrototypeOf(res) as object);
    }
    if (!answerNodeRequest(ctx, res)) next();
  };
}
