/**
 * @scope/cookie-koa: `app.use(cookiePolicy())`, then `ctx.cookies.set()` obeys the cookie
 * policy. The core decides Secure from the transport (trusted proxies included), so Koa's
 * "Cannot send secure cookie over unencrypted connection" no longer fires behind one.
 * Every rule lives in @scope/cookie-core: this file only translates.
 */
import {
  type AdapterOptions,
  applyNodeVerdict,
  type CookieOptions,
  decideStoredLines,
  encodeCookieValue,
  nodeRequest,
  type RequestContext,
} from "@scope/cookie-core";
import { loadCookiePolicy } from "@scope/cookie-core/node";
import type { Context, Middleware } from "koa";

/** `config`, `env`, `mode`, `onReport`: the same options as every adapter. */
export type CookiePolicyOptions = AdapterOptions;

declare module "koa" {
  interface DefaultContext {
    /** This request's transport and cookie decisions (set by `cookiePolicy()`). */
    cookiePolicy: RequestContext;
  }
}

type Cookies = Context["cookies"];
type SetOption = NonNullable<Parameters<Cookies["set"]>[2]>;
const REQUEST = Symbol("cookiePolicy.request");
/** The `cookies` jar Koa creates per request, with the fields this adapter reads. */
type Jar = Cookies & { keys?: { sign(data: string): string }; [REQUEST]: RequestContext };

/**
 * `ctx.cookies.get()` does not decode, so a value the header can carry is sent as written
 * (as plain Koa does); any other value is percent-encoded (SPEC §2.3), never refused.
 */
const KOA_ENCODING = { encode: encodeCookieValue };

const NONE: CookieOptions = {};

/**
 * What the `cookies` lib writes for omitted options (Path=/, HttpOnly, Secure when Koa
 * thinks the request is secure). Only report-only mode uses them, where the app's cookie
 * goes out as Koa would write it; enforce mode lets the policy fill what the app omits.
 */
function koaDefaults(jar: Jar): CookieOptions {
  return jar[REQUEST].policy.mode === "report-only"
    ? { path: "/", httpOnly: true, secure: jar.secure }
    : NONE;
}

/**
 * Koa options in the policy's vocabulary: `maxAge` is milliseconds; one that is not a number
 * reaches the policy as written, which refuses it. A maxAge of 0 clears the cookie as on every
 * adapter (SPEC §2.3), where the `cookies` lib alone would have sent a session cookie.
 */
function toPolicyOptions(o: SetOption = {}, clearing: boolean, d: CookieOptions): CookieOptions {
  const maxAge: unknown = clearing ? undefined : o.maxAge;
  return {
    secure: o.secure ?? d.secure,
    httpOnly: o.httpOnly ?? d.httpOnly,
    sameSite: o.sameSite,
    path: o.path ?? d.path,
    domain: o.domain,
    maxAge: (typeof maxAge === "number" ? maxAge / 1000 : maxAge) as number | undefined,
    expires: clearing ? undefined : o.expires,
    partitioned: o.partitioned,
    priority: o.priority,
  };
}

/** Adds a Set-Cookie line; `overwrite` drops earlier lines of that name, as the `cookies` lib does. */
function push(lines: string[], name: string, line: string, overwrite: boolean | undefined): void {
  if (overwrite) {
    for (let i = lines.length - 1; i >= 0; i--) {
      if (lines[i]?.startsWith(`${name}=`)) lines.splice(i, 1);
    }
  }
  lines.push(line);
}

/**
 * Replaces `cookies.set` (shared by every request, `this` is the jar): the core decides,
 * the decided header is written. A falsy value clears the cookie, as in the `cookies` lib.
 */
function policySet(this: Jar, name: string, value?: string | null, opts?: SetOption): Cookies {
  const signed = opts ? (opts.signed ?? this.keys !== undefined) : false;
  if (signed && !this.keys) throw new Error(".keys required for signed cookies");
  const rc = this[REQUEST];
  const defaults = koaDefaults(this);
  const decision = value
    ? rc.setCookie(name, String(value), toPolicyOptions(opts, false, defaults), KOA_ENCODING)
    : rc.clearCookie(name, toPolicyOptions(opts, true, defaults));
  if (decision.action === "error") throw decision.error;
  const header = decision.header;
  if (header === null) return this;

  const res = this.response;
  const prior = res.getHeader("Set-Cookie");
  const lines = prior === undefined ? [] : Array.isArray(prior) ? prior : [String(prior)];
  push(lines, name, header, opts?.overwrite);
  if (signed && this.keys) {
    // The `.sig` companion: same attributes, value = keygrip signature of "name=value" as sent.
    const end = header.indexOf(";");
    const pair = end === -1 ? header : header.slice(0, end);
    const sig = `${name}.sig=${this.keys.sign(pair)}${header.slice(pair.length)}`;
    push(lines, `${name}.sig`, sig, opts?.overwrite);
  }
  res.setHeader("Set-Cookie", lines);
  return this;
}

/**
 * The middleware. The policy is loaded and compiled once, here: a bad policy throws a
 * PolicyLoadError naming every problem before the app starts serving.
 */
export function cookiePolicy(options: CookiePolicyOptions = {}): Middleware {
  const { config, env, mode, onReport } = options;
  const policy = loadCookiePolicy({ config, env, mode, onReport });
  return async (ctx, next) => {
    // originalUrl: koa-mount shortens ctx.url; redirects need the full one.
    const { socket, headers, rawHeaders, method } = ctx.req;
    const rc = policy.decideRequest(
      nodeRequest({ socket, headers, rawHeaders, method, url: ctx.originalUrl }),
    );
    ctx.cookiePolicy = rc;
    if (applyNodeVerdict(rc, ctx.res)) {
      ctx.respond = false; // answered on the response itself
      return;
    }
    // ctx.protocol / ctx.secure (and the `cookies` lib's secure check) answer from the
    // policy's transport; report-only changes nothing, so Koa answers.
    if (rc.policy.mode === "enforce")
      Object.defineProperty(ctx.request, "protocol", { value: rc.transport.protocol });
    const jar: Cookies = ctx.cookies;
    (jar as Jar)[REQUEST] = rc;
    jar.set = policySet as Cookies["set"];
    await next();
    // Lines written to the headers (`ctx.set`, a session library), decided here so an
    // error decision takes Koa's error path; a line written later is decided with the head.
    decideStoredLines(rc, ctx.res);
  };
}
