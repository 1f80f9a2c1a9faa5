/**
 * @scope/cookie-fastify: `app.register(cookiePolicy, options?)`. Decides each request
 * (redirect, refusal, HSTS) in an `onRequest` hook and makes `reply.setCookie()` /
 * `reply.clearCookie()` obey the policy, with or without `@fastify/cookie`.
 */
import {
  type AdapterOptions,
  answerNodeRequest,
  type CookieDecision,
  type CookieOptions,
  decideStoredLines,
  type HeaderStore,
  nodeRequest,
  type Priority,
  type RequestContext,
} from "@scope/cookie-core";
import { loadCookiePolicy } from "@scope/cookie-core/node";
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import fp from "fastify-plugin";

/** `config`, `env`, `mode`, `onReport`: the same options as every adapter. */
export type CookiePolicyOptions = AdapterOptions;

/** `reply.setCookie()` options, as `@fastify/cookie` spells them (`maxAge` in seconds). */
export interface ReplyCookieOptions {
  /** `"auto"` (from `@fastify/cookie`) leaves Secure to the policy, like omitting it. */
  secure?: boolean | "auto";
  httpOnly?: boolean;
  sameSite?: "strict" | "lax" | "none" | boolean;
  path?: string;
  domain?: string;
  /** Seconds. */
  maxAge?: number;
  /** A Date, or milliseconds since the epoch (as `@fastify/cookie` accepts). */
  expires?: Date | number;
  partitioned?: boolean;
  priority?: Priority;
  /** Sign the value with `@fastify/cookie`'s signer (needs its `secret`). */
  signed?: boolean;
  encode?: (value: string) => string;
}

/** The reply methods this plugin provides (and `@fastify/cookie`'s, when registered, satisfy). */
export interface CookiePolicyReply {
  setCookie(name: string, value: string, options?: ReplyCookieOptions): FastifyReply;
  clearCookie(name: string, options?: ReplyCookieOptions): FastifyReply;
}

declare module "fastify" {
  interface FastifyRequest {
    /** This request's transport, redirect/HSTS verdict and cookie decisions. */
    cookiePolicy: RequestContext;
  }
  // Inherited rather than declared, so `@fastify/cookie`'s own declarations can coexist.
  interface FastifyReply extends CookiePolicyReply {}
}

type Reply = FastifyReply & { cookie?: unknown; signCookie?: (value: string) => string };

function callSite(options: ReplyCookieOptions | undefined): CookieOptions | undefined {
  if (options === undefined) return undefined;
  const { secure, expires } = options;
  return {
    secure: secure === "auto" ? undefined : secure,
    httpOnly: options.httpOnly,
    sameSite: options.sameSite,
    path: options.path,
    domain: options.domain,
    maxAge: options.maxAge,
    expires: typeof expires === "number" ? new Date(expires) : expires,
    partitioned: options.partitioned,
    priority: options.priority,
  };
}

/** The same cookie for a browser: @fastify/cookie keys its cookies by name, Domain and Path. */
function sameCookie(a: CookieDecision, b: CookieDecision): boolean {
  return (
    a.name === b.name &&
    a.attributes?.domain === b.attributes?.domain &&
    a.attributes?.path === b.attributes?.path
  );
}

/**
 * Writes a decided cookie as its Set-Cookie line. The policy already serialized it, so
 * @fastify/cookie, when registered, is not asked to again (its options would also merge
 * its `parseOptions` defaults into the decided attributes); as with it, a cookie set again
 * on the same reply replaces the earlier line.
 */
function emit(reply: Reply, ctx: RequestContext, d: CookieDecision): Reply {
  if (d.action === "error") throw d.error;
  if (d.header === null) return reply;
  const decisions = ctx.decisions;
  for (let i = decisions.length - 2; i >= 0; i--) {
    const earlier = decisions[i] as CookieDecision;
    if (earlier.header === null || !sameCookie(earlier, d)) continue;
    const lines = reply.getHeader("set-cookie");
    if (Array.isArray(lines) && lines.includes(earlier.header)) {
      const kept = lines.filter((line) => line !== earlier.header);
      reply.removeHeader("set-cookie");
      if (kept.length > 0) reply.header("set-cookie", kept);
    } else if (lines === earlier.header) reply.removeHeader("set-cookie");
    break;
  }
  return reply.header("set-cookie", d.header);
}

function setCookie(this: Reply, name: string, value: string, options?: ReplyCookieOptions) {
  const encode = options?.encode;
  let v = value;
  if (options?.signed) {
    // Never emit unsigned what the app asked to sign. Sign first: the size check is on this value.
    if (!this.signCookie) throw new Error("signed cookies need @fastify/cookie with a `secret`");
    v = this.signCookie(value);
  }
  const ctx = this.request.cookiePolicy;
  const meta = encode === undefined ? undefined : { encode };
  return emit(this, ctx, ctx.setCookie(name, v, callSite(options), meta));
}

function clearCookie(this: Reply, name: string, options?: ReplyCookieOptions) {
  const ctx = this.request.cookiePolicy;
  return emit(this, ctx, ctx.clearCookie(name, callSite(options)));
}

/** Reply prototypes whose cookie methods are the policy's. */
const installed = new WeakSet<object>();

/**
 * Makes a reply prototype's `setCookie` / `clearCookie` (and `@fastify/cookie`'s `cookie`
 * alias) the policy's, once, on the first request it serves: every decorator is in place by
 * then, whichever plugin was registered first. Assigning methods onto each reply instead
 * would change its shape per request and slow every later property access.
 */
function install(proto: Reply): void {
  installed.add(proto);
  const methods: [string, unknown][] = [
    ["setCookie", setCookie],
    ["clearCookie", clearCookie],
  ];
  if (proto.cookie !== undefined) methods.push(["cookie", setCookie]);
  for (const [key, value] of methods)
    Object.defineProperty(proto, key, { value, writable: true, configurable: true });
}

const plugin: FastifyPluginAsync<CookiePolicyOptions> = async (fastify, options) => {
  const { config, env, mode, onReport } = options;
  // Loaded and compiled once: a bad policy fails `ready()` / `listen()` with PolicyLoadError.
  const policy = loadCookiePolicy({ config, env, mode, onReport });
  // Declared up front (set per request by the hook) so Fastify keeps one request shape.
  fastify.decorateRequest<RequestContext | null>("cookiePolicy", null);

  fastify.addHook("onRequest", (request, reply: Reply, done) => {
    const ctx = policy.decideRequest(nodeRequest(request.raw));
    request.cookiePolicy = ctx;
    const proto = Object.getPrototypeOf(reply) as Reply;
    if (!installed.has(proto)) install(proto);
    if (ctx.reject !== null || ctx.redirect !== null) reply.hijack(); // answered on the raw response
    if (answerNodeRequest(ctx, reply.raw)) return;
    // request.protocol follows the policy's transport; report-only changes nothing.
    if (ctx.policy.mode === "enforce")
      Object.defineProperty(request, "protocol", { value: ctx.transport.protocol });
    done();
  });

  // Every Set-Cookie line about to be sent, decided: those on the raw response (a session
  // library, `reply.raw.setHeader`), then the reply's own. An error decision takes Fastify's
  // error path.
  fastify.addHook("onSend", (request, reply, payload, done) => {
    const ctx = request.cookiePolicy;
    try {
      if (ctx !== null) {
        decideStoredLines(ctx, reply.raw);
        decideStoredLines(ctx, replyHeaders(reply));
      }
    } catch (error) {
      done(error as Error);
      return;
    }
    done(null, payload);
  });
};

/** The reply's own headers as a header store (Fastify writes them with the head). */
function replyHeaders(reply: FastifyReply): HeaderStore {
  return {
    getHeader: (name) => reply.getHeader(name) as string | string[] | undefined,
    setHeader: (name, value) => reply.removeHeader(name).header(name, value),
    removeHeader: (name) => reply.removeHeader(name),
  };
}

/** The Fastify plugin: `app.register(cookiePolicy, { config, env, mode, onReport })`. */
export const cookiePolicy = fp(plugin, { name: "@scope/cookie-fastify", fastify: "5.x" });
