/**
 * @scope/cookie-hono: `app.use(cookiePolicy(options?))`. Decides each request (redirect,
 * refusal, HSTS) before the handler, each Set-Cookie line as `c.header` writes it (plain
 * `setCookie` / `deleteCookie` from `hono/cookie`), and after the handler any line the policy
 * did not write (a returned Response, `c.res.headers`). Runtime-agnostic: nothing
 * here imports `node:`; a policy *file* is loaded through `@scope/cookie-core/node` lazily.
 */
import {
  type AdapterOptions,
  applyFetchVerdict,
  type CookiePolicy,
  createCookiePolicy,
  fetchRequest,
  type NodeRequestLike,
  nodeRequest,
  type PolicyRequest,
  type RequestContext,
} from "@scope/cookie-core";
import type { Context, MiddlewareHandler } from "hono";

export { type HonoCookieOptions, setCookie } from "./set-cookie.js";

/** The peer as a runtime reports it (`getConnInfo` from `hono/<runtime>` or `@hono/node-server/conninfo`). */
export type GetConnInfo = (c: Context) => { remote: { address?: string } };

/** The options of every adapter (`config` may be a path where there is a file system: Node,
 * Bun, Deno; Workers pass the imported JSON object), plus what only the runtime knows of the
 * connection. */
export interface CookiePolicyOptions extends AdapterOptions {
  /** The peer address where the runtime knows it. Default on @hono/node-server: the socket's. */
  getConnInfo?: GetConnInfo;
  /**
   * Whether this server's connections are TLS, for a runtime that cannot tell (Deno: `true`
   * when `Deno.serve` has `cert` and `key`). Default: the socket on @hono/node-server, the
   * server's protocol on Bun, the URL's scheme on Cloudflare Workers (Cloudflare derives it
   * from the client's connection); elsewhere plain HTTP, since a client chooses the URL's
   * scheme there (an absolute-form target, HTTP/2 `:scheme`).
   */
  tls?: boolean;
}

/** Hono env of the middleware: `c.var.cookiePolicy` is this request's decisions. */
export type CookiePolicyEnv = { Variables: { cookiePolicy: RequestContext } };

/** @hono/node-server's bindings (`c.env`), probed structurally as its own `getConnInfo` does. */
type NodeBindings = { incoming?: NodeRequestLike; server?: { incoming?: NodeRequestLike } };

/** Bun's `Server`, which Hono's Bun entry gets as `c.env` (`hono/bun`'s `getConnInfo` probes it so). */
type BunServer = { requestIP?: unknown; protocol?: unknown };

/** The engine's view of a Hono request, on any runtime. */
function toRequest(c: Context, options: CookiePolicyOptions): PolicyRequest {
  const bindings = c.env as NodeBindings | undefined;
  const incoming = (bindings?.server ?? bindings)?.incoming;
  const { getConnInfo } = options;
  if (incoming?.socket) {
    // On Node the socket is the truth: the URL's scheme is client-supplied for an
    // absolute-form request target (`GET https://x/ HTTP/1.1` over plain HTTP).
    const req = nodeRequest(incoming);
    return getConnInfo ? { ...req, peer: getConnInfo(c).remote.address } : req;
  }
  return fetchRequest(c.req.raw, {
    encrypted: options.tls ?? connectionIsTls(c),
    peer: getConnInfo?.(c).remote.address,
  });
}

/** Whether the connection is TLS where the runtime says so; false where it cannot tell. */
function connectionIsTls(c: Context): boolean {
  const server = c.env as BunServer | undefined;
  if (typeof server?.requestIP === "function") return server.protocol === "https";
  if (globalThis.navigator?.userAgent === "Cloudflare-Workers")
    return c.req.url.startsWith("https:");
  return false;
}

// A variable specifier keeps edge bundlers from following the file loader into `node:fs`.
const NODE_ENTRY = "@scope/cookie-core/node";

/** A policy object compiles now; a path (or the default file) is read once, through the
 * runtime's `node:fs`. */
function compile(options: CookiePolicyOptions): CookiePolicy | Promise<CookiePolicy> {
  const { config, env, mode, onReport } = options;
  if (typeof config === "object" && config !== null) {
    return createCookiePolicy(config, { env, mode, onReport });
  }
  return (import(NODE_ENTRY) as Promise<typeof import("@scope/cookie-core/node")>).then((node) =>
    node.loadCookiePolicy({ config, env, mode, onReport }),
  );
}

/** `name` is Set-Cookie in any case; the spellings `hono/cookie` and apps use need no copy. */
function isSetCookie(name: string): boolean {
  if (name === "Set-Cookie" || name === "set-cookie") return true;
  return name.length === 10 && name.toLowerCase() === "set-cookie";
}

/**
 * `c.header("Set-Cookie", …)`, which `setCookie` / `deleteCookie` from `hono/cookie` call,
 * decided as the line is written: the response then carries only decided lines and need not
 * be rewritten after the handler. `c.header` is an own property of each Context.
 */
function decideOnWrite(c: Context, ctx: RequestContext): void {
  const header = c.header;
  c.header = ((name: string, value?: string, options?: { append?: boolean }) => {
    if (value === undefined || !isSetCookie(name)) return header(name, value, options);
    const decision = ctx.decideWrittenLine(value);
    if (decision.action === "error") throw decision.error; // to Hono's error path
    // A dropped line appends nothing; set without append still clears the earlier lines.
    if (decision.header !== null) header(name, decision.header, options);
    else if (!options?.append) header(name, undefined);
  }) as Context["header"];
}

/** The Hono middleware: `app.use(cookiePolicy({ config, env, mode, onReport, getConnInfo, tls }))`. */
export function cookiePolicy(
  options: CookiePolicyOptions = {},
): MiddlewareHandler<CookiePolicyEnv> {
  if (options.tls !== undefined && typeof options.tls !== "boolean") {
    // A string such as "false" must not read as TLS.
    throw new TypeError(`cookiePolicy(): tls must be true or false, not ${typeof options.tls}`);
  }
  const compiled = compile(options);
  let policy = compiled instanceof Promise ? undefined : compiled;
  // A load failure is thrown on each request (to `app.onError`), not as an unhandled rejection.
  if (compiled instanceof Promise) compiled.catch(() => {});

  return async (c, next) => {
    policy ??= await compiled;
    const ctx = policy.decideRequest(toRequest(c, options));
    c.set("cookiePolicy", ctx);
    if (ctx.reject) return c.text(ctx.reject.body, ctx.reject.status);
    if (ctx.redirect) return c.redirect(ctx.redirect.location, ctx.redirect.status);
    decideOnWrite(c, ctx);
    await next();
    // Lines the policy did not write (a returned or fetch()ed Response, `c.res.headers`,
    // middleware before this one) decided, HSTS added.
    const { response, error } = applyFetchVerdict(ctx, c.res);
    if (response !== c.res) {
      // A copy (the headers were immutable). Assigning c.res copies the old response's
      // Set-Cookie lines onto the new one unless the old one is let go first.
      c.res = undefined;
      c.res = response;
    }
    if (error !== undefined) throw error; // to Hono's error path, with the lines decided before
  };
}
