/**
 * @scope/cookie-fastify: `app.register(cookiePolicy, options?)`. Decides each request
 * (redirect, refusal, HSTS) in an `onRequest` hook and makes `reply.setCookie()` /
 * `reply.clearCookie()` obey the policy, with or without `@fastify/cookie`.
 */
import {
  type AdapterOptions,
  type CookieDecision,
  type CookieOptions,
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
type BaseSetCookie = (this: FastifyReply, name: string, value: string, options: object) => void;

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

/** `@fastify/cookie`'s own `setCookie` per reply prototype (absent: not registered there). */
const baseSetCookie = new WeakMap<object, BaseSetCookie | undefined>();

/** Writes a decided cookie: through `@fastify/cookie` when it decorates the reply (keeping its
 * de-duplication and onSend serialization), else as a Set-Cookie header line. */
function emit(reply: Reply, d: CookieDecision, value: string, encode?: (v: string) => string) {
  if (d.action === "error") throw d.error;
  if (d.header === null || d.attributes === null) return reply;
  const base = baseSetCookie.get(Object.getPrototypeOf(reply));
  if (typeof base !== "function") return reply.header("set-cookie", d.header);
  // Every attribute is given (undefined = absent), so @fastify/cookie's own defaults
  // (`sameSite: "lax"`, `parseOptions`) cannot change the decided cookie.
  const a = d.attributes;
  base.call(reply, d.name, value, {
    secure: a.secure,
    httpOnly: a.httpOnly,
    sameSite: a.sameSite,
    path: a.path,
    domain: a.domain,
    maxAge: a.maxAge,
    expires: a.expires,
    partitioned: a.partitioned,
    priority: a.priority,
    signed: false,
    encode,
  });
  return reply;
}

function setCookie(this: Reply, name: string, value: string, options?: ReplyCookieOptions) {
  const encode = options?.encode;
  let v = value;
  if (options?.signed) {
    // Never emit unsigned what the app asked to sign. Sign first: the size check is on this value.
    if (!this.signCookie) throw new Error("signed cookies need @fastify/cookie with a `secret`");
    v = this.signCookie(value);
  }
  const meta = encode === undefined ? undefined : { encode };
  const d = this.request.cookiePolicy.setCookie(name, v, callSite(options), meta);
  return emit(this, d, v, encode);
}

function clearCookie(this: Reply, name: string, options?: ReplyCookieOptions) {
  return emit(this, this.request.cookiePolicy.clearCookie(name, callSite(options)), "");
}

/**
 * Makes a reply prototype's `setCookie` / `clearCookie` (and `@fastify/cookie`'s `cookie`
 * alias) the policy's, once, on the first request it serves: every decorator is in place by
 * then, whichever plugin was registered first. Assigning methods onto each reply instead
 * would change its shape per request and slow every later property access.
 */
function install(proto: Reply): void {
  let base = proto.setCookie as unknown;
  // An encapsulated context's prototype may inherit an installed parent's: take its base.
  for (let p = Object.getPrototypeOf(proto); base === setCookie && p !== null; ) {
    if (baseSetCookie.has(p)) base = baseSetCookie.get(p);
    else p = Object.getPrototypeOf(p);
  }
  baseSetCookie.set(proto, typeof base === "function" ? (base as BaseSetCookie) : undefined);
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
    const ctx = policy.begin(nodeRequest(request.raw));
    request.cookiePolicy = ctx;
    const proto = Object.getPrototypeOf(reply) as Reply;
    if (!baseSetCookie.has(proto)) install(proto);
    if (ctx.reject) {
      reply.code(ctx.reject.status).type("text/plain; charset=utf-8").send(ctx.reject.body);
      return;
    }
    if (ctx.redirect) {
      reply.redirect(ctx.redirect.location, ctx.redirect.status);
      return;
    }
    if (ctx.hsts !== null) reply.header("strict-transport-security", ctx.hsts);
    done();
  });
};

/** The Fastify plugin: `app.register(cookiePolicy, { config, env, mode, onReport })`. */
export const cookiePolicy = fp(plugin, { name: "@scope/cookie-fastify", fastify: "5.x" });
