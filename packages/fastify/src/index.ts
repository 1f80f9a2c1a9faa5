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
  type RequestContext,
} from "@scope/cookie-core";
import { loadCookiePolicy } from "@scope/cookie-core/node";
import type { FastifyPluginAsync, FastifyReply, onSendHookHandler } from "fastify";
import fp from "fastify-plugin";

/** `config`, `env`, `mode`, `onReport`: the same options as every adapter. */
export type CookiePolicyOptions = AdapterOptions;

/** `reply.setCookie()` options, as `@fastify/cookie` spells them (`maxAge` in seconds). */
export interface ReplyCookieOptions extends Omit<CookieOptions, "secure" | "expires"> {
  /** `"auto"` (from `@fastify/cookie`) leaves Secure to the policy, like omitting it. */
  secure?: boolean | "auto";
  /** A Date, or milliseconds since the epoch (as `@fastify/cookie` accepts). */
  expires?: Date | number;
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

/** The same cookie for @fastify/cookie, which keys a reply's cookies by name, Domain and Path. */
const sameCookie = (a: CookieDecision, b: CookieDecision) =>
  a.name === b.name &&
  a.attributes?.domain === b.attributes?.domain &&
  a.attributes?.path === b.attributes?.path;

/**
 * Writes a decided cookie's line to the reply. The policy already serialized it, so
 * @fastify/cookie is not asked to (it would merge its `parseOptions` into the decided
 * attributes); as with it, a cookie set again on the same reply replaces its earlier line.
 */
function emit(reply: Reply, ctx: RequestContext, d: CookieDecision): Reply {
  if (d.action === "error") throw d.error;
  if (d.header === null) return reply;
  const written = reply.getHeader("set-cookie");
  const replaced =
    written === undefined
      ? []
      : ctx.decisions.filter((e) => e !== d && e.header !== null && sameCookie(e, d));
  if (replaced.length > 0) {
    const lines = [written].flat().map(String);
    const kept = lines.filter((line) => !replaced.some((e) => e.header === line));
    reply.removeHeader("set-cookie").header("set-cookie", kept);
  }
  return reply.header("set-cookie", d.header);
}

function setCookie(this: Reply, name: string, value: string, options?: ReplyCookieOptions) {
  const { signed, encode } = options ?? {};
  // Never emit unsigned what the app asked to sign. Sign first: the size check is on this value.
  if (signed && !this.signCookie)
    throw new Error("signed cookies need @fastify/cookie with a `secret`");
  const v = signed && this.signCookie ? this.signCookie(value) : value;
  const ctx = this.request.cookiePolicy;
  return emit(this, ctx, ctx.setCookie(name, v, callSite(options), encode && { encode }));
}

function clearCookie(this: Reply, name: string, options?: ReplyCookieOptions) {
  const ctx = this.request.cookiePolicy;
  return emit(this, ctx, ctx.clearCookie(name, callSite(options)));
}

/**
 * Makes a reply prototype's `setCookie` / `clearCookie` (and `@fastify/cookie`'s `cookie`
 * alias) the policy's, once, on the first request it serves: every decorator is in place by
 * then, whichever plugin was registered first (`decorateReply` would clash with
 * `@fastify/cookie`'s). Assigning methods onto each reply would change its shape per request.
 */
function install(proto: Reply): void {
  const methods = {
    setCookie,
    clearCookie,
    ...(proto.cookie === undefined ? {} : { cookie: setCookie }),
  };
  for (const [key, value] of Object.entries(methods))
    Object.defineProperty(proto, key, { value, writable: true, configurable: true });
}

/** The reply's own headers as a header store (Fastify passes them to `writeHead`). */
class ReplyHeaders implements HeaderStore {
  constructor(private readonly reply: FastifyReply) {}
  getHeader(name: string) {
    return this.reply.getHeader(name) as string | string[] | undefined;
  }
  setHeader(name: string, value: string | readonly string[]) {
    this.reply.removeHeader(name).header(name, value);
  }
  removeHeader(name: string) {
    this.reply.removeHeader(name);
  }
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
    if (proto.setCookie !== setCookie) install(proto);
    if (ctx.reject !== null || ctx.redirect !== null) reply.hijack(); // answered on the raw response
    if (answerNodeRequest(ctx, reply.raw)) return;
    // request.protocol follows the policy's transport; report-only changes nothing.
    if (ctx.policy.mode === "enforce")
      Object.defineProperty(request, "protocol", { value: ctx.transport.protocol });
    done();
  });

  // Every line written by then (`reply.raw.setHeader`, a session library, the reply's own)
  // decided as the reply is sent; a throw in a hook takes Fastify's error path.
  const decideWritten: onSendHookHandler = (request, reply, payload, done) => {
    const ctx = request.cookiePolicy;
    if (ctx !== null) {
      decideStoredLines(ctx, reply.raw);
      decideStoredLines(ctx, new ReplyHeaders(reply));
    }
    done(null, payload);
  };
  fastify.addHook("onSend", decideWritten);
  // Again as each route's last onSend hook (Fastify runs a route's own hooks after every
  // context's), so a line an onSend hook registered later writes is decided too. Lines the
  // policy already decided come back as they are. Wrapping each response's writeHead would
  // do the same at a cost the realistic bench shows.
  fastify.addHook("onRoute", (route) => {
    route.onSend = [route.onSend ?? []].flat().concat(decideWritten);
  });
};

/** The Fastify plugin: `app.register(cookiePolicy, { config, env, mode, onReport })`. */
export const cookiePolicy = fp(plugin, { name: "@scope/cookie-fastify", fastify: "5.x" });
