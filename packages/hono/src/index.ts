/**
 * @scope/cookie-hono: `app.use(cookiePolicy(options?))`. Decides each request (redirect,
 * refusal, HSTS) before the handler and re-decides every Set-Cookie line the handler wrote
 * (plain `setCookie` / `deleteCookie` from `hono/cookie`) after it. Runtime-agnostic: nothing
 * here imports `node:`; a policy *file* is loaded through `@scope/cookie-core/node` lazily.
 */
import {
  type AdapterOptions,
  type CookiePolicy,
  createCookiePolicy,
  type NodeRequestLike,
  nodeRequest,
  type PolicyRequest,
  type RequestContext,
} from "@scope/cookie-core";
import type { Context, MiddlewareHandler } from "hono";

/** The peer as a runtime reports it (`getConnInfo` from `hono/<runtime>` or `@hono/node-server/conninfo`). */
export type GetConnInfo = (c: Context) => { remote: { address?: string } };

/** The options of every adapter (`config` may be a path on Node only; edge runtimes pass the
 * imported JSON object), plus the runtime's peer lookup. */
export interface CookiePolicyOptions extends AdapterOptions {
  /** The peer address where the runtime knows it. Default on @hono/node-server: the socket's. */
  getConnInfo?: GetConnInfo;
}

/** Hono env of the middleware: `c.var.cookiePolicy` is this request's decisions. */
export type CookiePolicyEnv = { Variables: { cookiePolicy: RequestContext } };

/** @hono/node-server's bindings (`c.env`), probed structurally as its own `getConnInfo` does. */
type NodeBindings = { incoming?: NodeRequestLike; server?: { incoming?: NodeRequestLike } };

/** The engine's view of a Hono request, on any runtime. */
function toRequest(c: Context, getConnInfo: GetConnInfo | undefined): PolicyRequest {
  const bindings = c.env as NodeBindings | undefined;
  const incoming = (bindings?.server ?? bindings)?.incoming;
  if (incoming?.socket) {
    // On Node the socket is the truth: the URL's scheme is client-supplied for an
    // absolute-form request target (`GET https://x/ HTTP/1.1` over plain HTTP).
    const req = nodeRequest(incoming);
    return getConnInfo ? { ...req, peer: getConnInfo(c).remote.address } : req;
  }
  const href = c.req.url;
  const path = href.indexOf("/", href.indexOf("//") + 2);
  return {
    encrypted: href.startsWith("https:"),
    peer: getConnInfo?.(c).remote.address,
    headers: c.req.raw.headers,
    method: c.req.method,
    url: path === -1 ? "/" : href.slice(path),
  };
}

// A variable specifier keeps edge bundlers from following the file loader into `node:fs`.
const NODE_ENTRY = "@scope/cookie-core/node";

/** A policy object compiles now; a path (or the default file) is read once, on Node. */
function compile(options: CookiePolicyOptions): CookiePolicy | Promise<CookiePolicy> {
  const { config, env, mode, onReport } = options;
  if (typeof config === "object" && config !== null) {
    return createCookiePolicy(config, { env, mode, onReport });
  }
  return (import(NODE_ENTRY) as Promise<typeof import("@scope/cookie-core/node")>).then((node) =>
    node.loadCookiePolicy({ config, env, mode, onReport }),
  );
}

/** Re-decides the handler's Set-Cookie lines; null when every line already is the decided one. */
function decideLines(c: Context, ctx: RequestContext, lines: string[]): string[] | null {
  const decisions = lines.map((line) => ctx.applySetCookie(line));
  const failed = decisions.find((d) => d.action === "error");
  if (failed) {
    // Hono builds the error response on top of this one: the handler's undecided cookies
    // must go first. `app.onError` answers (500 by default).
    c.header("Set-Cookie", undefined);
    throw failed.error;
  }
  if (decisions.every((d, i) => d.header === lines[i])) return null;
  return decisions.flatMap((d) => (d.header === null ? [] : [d.header]));
}

/** Edits the response headers in place (keeps @hono/node-server's fast path); a fetch()ed
 * Response's headers are immutable, so that one is copied first. */
function editHeaders(c: Context, edit: (headers: Headers) => void): void {
  try {
    edit(c.res.headers);
  } catch {
    c.res = new Response(c.res.body, c.res);
    edit(c.res.headers);
  }
}

/** The Hono middleware: `app.use(cookiePolicy({ config, env, mode, onReport, getConnInfo }))`. */
export function cookiePolicy(
  options: CookiePolicyOptions = {},
): MiddlewareHandler<CookiePolicyEnv> {
  const compiled = compile(options);
  let policy = compiled instanceof Promise ? undefined : compiled;
  // A load failure is thrown on each request (to `app.onError`), not as an unhandled rejection.
  if (compiled instanceof Promise) compiled.catch(() => {});
  const { getConnInfo } = options;

  return async (c, next) => {
    policy ??= await compiled;
    const ctx = policy.begin(toRequest(c, getConnInfo));
    c.set("cookiePolicy", ctx);
    if (ctx.reject) return c.text(ctx.reject.body, ctx.reject.status);
    if (ctx.redirect) return c.redirect(ctx.redirect.location, ctx.redirect.status);
    await next();
    const lines = c.res.headers.getSetCookie();
    const decided = lines.length === 0 ? null : decideLines(c, ctx, lines);
    const { hsts } = ctx;
    if (hsts === null && decided === null) return;
    editHeaders(c, (headers) => {
      if (hsts !== null) headers.set("Strict-Transport-Security", hsts);
      if (decided === null) return;
      headers.delete("Set-Cookie");
      for (const header of decided) headers.append("Set-Cookie", header);
    });
  };
}
