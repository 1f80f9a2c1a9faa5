/**
 * `cookiePolicy(options)` for Next.js: one compiled policy, three idioms.
 * - `proxy(handler?)`: the proxy.ts / middleware.ts function: refusal, HTTPS redirect, HSTS,
 *   and the policy applied to cookies the handler sets on its `NextResponse`.
 * - `route(handler)`: wraps a route handler; every Set-Cookie of its response obeys the policy.
 * - `setCookie` / `deleteCookie` / `context`: for server actions and route handlers, on
 *   `cookies()` / `headers()` from `next/headers`.
 */
import {
  type AdapterOptions,
  type CookieDecision,
  type CookieOptions,
  type CookiePolicy,
  createCookiePolicy,
  type PolicyJson,
  parseSetCookie,
  type RequestContext,
  reportStartup,
} from "@scope/cookie-core";
import { cookies, headers } from "next/headers.js";
import { NextResponse } from "next/server.js";
import { nextReporter } from "./report.js";
import { fromHeaders, fromRequest } from "./request.js";
import { applyVerdict } from "./response.js";

/** The options of every adapter; `config` is the policy object here (no file system on the Edge). */
export interface NextCookiePolicyOptions extends AdapterOptions {
  /**
   * The policy object (`import policy from "./cookie-policy.json"`; a JSON import's widened
   * types are accepted, the engine validates it). File paths: `@scope/cookie-next/node`.
   */
  config: PolicyJson;
}

/** What proxy.ts may return: a response, or nothing for `NextResponse.next()`. */
export type ProxyHandler<R extends Request = Request> = (
  request: R,
  cookiePolicy: RequestContext,
) => Response | undefined | Promise<Response | undefined>;

/** `R` is the request type the handler declares (`NextRequest` or `Request`). */
export type RouteHandler<C, R extends Request = Request> = (
  request: R,
  context: C,
  cookiePolicy: RequestContext,
) => Response | Promise<Response>;

export interface NextCookiePolicy {
  /** The compiled policy (profile, env, mode, load diagnostics). */
  readonly policy: CookiePolicy;
  /** Decide one request (transport, redirect, HSTS); `explain()` it or set cookies on it. */
  decideRequest(request: Request): RequestContext;
  /** The proxy.ts (Next 16) / middleware.ts (edge) function. */
  proxy<R extends Request = Request>(handler?: ProxyHandler<R>): (request: R) => Promise<Response>;
  /** Wrap a route handler: the policy applies to every Set-Cookie of its response. */
  route<C, R extends Request = Request>(
    handler: RouteHandler<C, R>,
  ): (request: R, context: C) => Promise<Response>;
  /** The current request's context from `headers()` (server actions, route handlers, server components). */
  context(): Promise<RequestContext>;
  /** Decide and set a cookie through `cookies()`; throws the decision's `CookiePolicyError` on `error`. */
  setCookie(name: string, value: string, options?: CookieOptions): Promise<CookieDecision>;
  /** Decide and clear a cookie through `cookies()`. */
  deleteCookie(name: string, options?: CookieOptions): Promise<CookieDecision>;
}

/** Build the Next.js helpers for a policy object (edge-safe: no `node:` anywhere). */
export function cookiePolicy(options: NextCookiePolicyOptions): NextCookiePolicy {
  const { config, env, mode } = options;
  const onReport = nextReporter(options.onReport);
  const policy = createCookiePolicy(config, { env, mode, onReport });
  reportStartup(policy, onReport);
  return forPolicy(policy);
}

/** The helpers around an already compiled policy (the `/node` entry loads files with it). */
export function forPolicy(policy: CookiePolicy): NextCookiePolicy {
  const decideRequest = (request: Request): RequestContext =>
    policy.decideRequest(fromRequest(request));

  const context = async (): Promise<RequestContext> =>
    // No URL here: the path only matters to redirects, which these helpers never make.
    policy.decideRequest(fromHeaders(await headers(), "POST", "/"));

  const write = async (decision: CookieDecision, value: string): Promise<CookieDecision> => {
    if (decision.error !== undefined) throw decision.error;
    const parsed = decision.header === null ? null : parseSetCookie(decision.header);
    // `cookies().set` encodes the value itself (encodeURIComponent, as the engine did); a
    // clearing (a maxAge of zero or less) sends no value.
    const sent = decision.clearing ? "" : value;
    if (parsed !== null) (await cookies()).set(decision.name, sent, asNextOptions(parsed.options));
    return decision;
  };

  return {
    policy,
    decideRequest,
    proxy: (handler) => async (request) => {
      const ctx = decideRequest(request);
      if (ctx.reject !== null)
        return new NextResponse(ctx.reject.body, {
          status: ctx.reject.status,
          headers: { "content-type": "text/plain; charset=utf-8" },
        });
      if (ctx.redirect !== null)
        // Bare as far as proxy.ts decides; Next.js's router then adds a body and, for a 308,
        // `Refresh` (undone in a custom server by `bareRedirects`, custom-server entry).
        return new NextResponse(null, {
          status: ctx.redirect.status,
          headers: { location: ctx.redirect.location },
        });
      const response = (await handler?.(request, ctx)) ?? NextResponse.next();
      return applyVerdict(ctx, response, true);
    },
    route: (handler) => async (request, routeContext) => {
      const ctx = decideRequest(request);
      return applyVerdict(ctx, await handler(request, routeContext, ctx), false);
    },
    context,
    setCookie: async (name, value, options) =>
      write((await context()).setCookie(name, value, options), value),
    deleteCookie: async (name, options) => write((await context()).clearCookie(name, options), ""),
  };
}

type NextCookieOptions = NonNullable<Parameters<Awaited<ReturnType<typeof cookies>>["set"]>[2]>;

/** The decided attributes in `cookies().set`'s vocabulary (same names; Max-Age in seconds). */
function asNextOptions(o: CookieOptions): NextCookieOptions {
  const out: NextCookieOptions = {};
  if (o.secure !== undefined) out.secure = o.secure;
  if (o.httpOnly !== undefined) out.httpOnly = o.httpOnly;
  if (o.sameSite !== undefined) out.sameSite = o.sameSite;
  if (o.path !== undefined) out.path = o.path;
  if (o.domain !== undefined) out.domain = o.domain;
  if (o.maxAge !== undefined) out.maxAge = o.maxAge;
  if (o.expires !== undefined) out.expires = o.expires;
  if (o.partitioned !== undefined) out.partitioned = o.partitioned;
  if (o.priority !== undefined) out.priority = o.priority;
  return out;
}
