/**
 * Applying a request's verdict to a Node `ServerResponse`: the one way Express, Fastify and
 * Koa do it. The refusal or redirect is answered, HSTS is set, and every Set-Cookie line is
 * decided as the head is written, wherever it came from: the framework's cookie API,
 * `res.setHeader`, a session library's header hook, `writeHead`'s own headers. Structural
 * types only: nothing here imports `node:`.
 */
import type { CookiePolicyError, RequestContext } from "../types.js";
import { decideLines } from "./lines.js";

type HeaderValue = number | string | readonly string[];

/** Where Set-Cookie lines wait to be written: a `ServerResponse`, or a framework's reply. */
export interface HeaderStore {
  getHeader(name: string): HeaderValue | undefined;
  setHeader(name: string, value: string | readonly string[]): unknown;
  removeHeader(name: string): unknown;
}

/** The slice of a Node `ServerResponse` the applier uses. */
export interface NodeResponseLike extends HeaderStore {
  statusCode: number;
  // biome-ignore lint/suspicious/noExplicitAny: ServerResponse's overloads
  writeHead: (...args: any[]) => unknown;
  // biome-ignore lint/suspicious/noExplicitAny: ServerResponse's overloads
  end: (...args: any[]) => unknown;
  /** Node 18.3+. */
  appendHeader?: (name: string, value: string | readonly string[]) => unknown;
}

const SET_COOKIE = "set-cookie";

/**
 * Answers a refusal (400, plain text) or a redirect (empty body) on `res` and returns true;
 * otherwise sets HSTS and returns false: the request goes on to the app.
 */
export function answerNodeRequest(ctx: RequestContext, res: NodeResponseLike): boolean {
  const { reject, redirect } = ctx;
  if (reject !== null) {
    res.statusCode = reject.status;
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    res.setHeader("Content-Length", String(new TextEncoder().encode(reject.body).length));
    res.end(reject.body);
    return true;
  }
  if (redirect !== null) {
    res.statusCode = redirect.status;
    res.setHeader("Location", redirect.location);
    res.setHeader("Content-Length", "0");
    res.end();
    return true;
  }
  if (ctx.hsts !== null) res.setHeader("Strict-Transport-Security", ctx.hsts);
  return false;
}

/**
 * Decides every Set-Cookie line of `store` now (lines this request's policy wrote come back
 * as they are). An `error` decision throws its `CookiePolicyError`, for the framework's
 * error path, after the lines not yet decided are removed: they are never emitted.
 */
export function decideStoredLines(ctx: RequestContext, store: HeaderStore): void {
  const value = store.getHeader(SET_COOKIE);
  if (value === undefined) return;
  const lines = typeof value === "object" ? (value as readonly string[]) : [String(value)];
  const { kept, changed, error } = decideLines(ctx, lines);
  if (changed) {
    if (kept.length > 0) store.setHeader(SET_COOKIE, kept);
    else store.removeHeader(SET_COOKIE);
  }
  if (error !== undefined) throw error;
}

/**
 * Decides the head as `writeHead(status, [reason], [headers])` is about to write it: the
 * response's lines, then those in `headers` (an object, or Node's flat or nested list),
 * which is replaced in `args` by a decided copy. Throws as `decideStoredLines` does.
 */
export function decideHead(ctx: RequestContext, res: HeaderStore, args: unknown[]): void {
  decideStoredLines(ctx, res);
  const at = typeof args[1] === "string" ? 2 : 1;
  const headers = args[at];
  if (headers === null || typeof headers !== "object") return;
  let failure: CookiePolicyError | undefined;
  let changed = false;
  const decide = (value: unknown): string[] => {
    if (failure !== undefined) return [];
    const lines = Array.isArray(value) ? value.map(String) : [String(value)];
    const decided = decideLines(ctx, lines);
    failure = decided.error;
    changed ||= decided.changed;
    return decided.kept;
  };
  if (Array.isArray(headers)) {
    const nested = Array.isArray(headers[0]);
    const pairs: unknown[][] = [];
    for (let i = 0; i < headers.length; i += nested ? 1 : 2)
      pairs.push(nested ? (headers[i] as unknown[]) : [headers[i], headers[i + 1]]);
    // Every Set-Cookie line as one entry holding them all: Node merges a list into headers
    // set before with setHeader, which would keep only the last line of a name.
    const lines = pairs.filter(([name]) => isSetCookie(name)).flatMap(([, value]) => value);
    if (lines.length === 0) return;
    const kept = decide(lines);
    const out: unknown[] = [];
    let placed = false;
    for (const [name, value] of pairs) {
      if (isSetCookie(name)) {
        if (placed || kept.length === 0) continue;
        placed = true;
        out.push(...(nested ? [[name, kept]] : [name, kept]));
      } else out.push(...(nested ? [[name, value]] : [name, value]));
    }
    args[at] = out;
  } else {
    // An object of headers is copied only when a line in it changes (a framework passes its
    // own headers object with every response).
    const record = headers as Record<string, unknown>;
    const decided: [string, string[]][] = [];
    for (const name of Object.keys(record))
      if (isSetCookie(name) && record[name] !== undefined)
        decided.push([name, decide(record[name])]);
    if (changed || failure !== undefined) {
      const out = { ...record };
      for (const [name, kept] of decided)
        if (kept.length > 0) out[name] = kept;
        else delete out[name];
      args[at] = out;
    }
  }
  if (failure !== undefined) throw failure;
}

function isSetCookie(name: unknown): boolean {
  return typeof name === "string" && name.length === 10 && name.toLowerCase() === SET_COOKIE;
}

/**
 * Decides every head this response writes: wraps its `writeHead` (Node calls it for an
 * implicit head too), so a line written after the framework's last hook is decided as
 * well. A header hook wrapped after this one runs first, so its lines are in the head
 * decided here. One wrapped before it (an own `writeHead` already on the response, as
 * express-session's `on-headers` mounted before the policy leaves) runs inside it, after
 * that decision: then the Set-Cookie lines given to `setHeader` / `appendHeader` from
 * that moment on are decided as they are set.
 */
function decideOnWriteHead(ctx: RequestContext, res: NodeResponseLike): void {
  const writeHead = res.writeHead;
  const hooked = Object.hasOwn(res, "writeHead");
  res.writeHead = function (this: unknown, ...args: unknown[]) {
    decideHead(ctx, res, args);
    if (hooked) decideLinesAsSet(ctx, res);
    return writeHead.apply(this, args);
  };
}

/**
 * Wraps `setHeader` and `appendHeader` so the Set-Cookie lines they are given are decided
 * (a `setHeader` whose lines are all dropped removes the header it would have replaced).
 */
function decideLinesAsSet(ctx: RequestContext, res: NodeResponseLike): void {
  type Setter = (this: unknown, name: string, value: string | readonly string[]) => unknown;
  const decided = (set: Setter, replaces: boolean): Setter =>
    function (this: unknown, name, value) {
      if (!isSetCookie(name)) return set.call(this, name, value);
      const { kept, error } = decideLines(ctx, typeof value === "object" ? value : [String(value)]);
      if (kept.length > 0) set.call(this, name, kept);
      else if (replaces) res.removeHeader(name);
      if (error !== undefined) throw error;
      return this;
    };
  res.setHeader = decided(res.setHeader, true);
  if (res.appendHeader !== undefined) res.appendHeader = decided(res.appendHeader, false);
}

/**
 * The verdict applied to a Node response: refusal or redirect answered (true), else HSTS
 * set and every Set-Cookie line decided when the head is written (false).
 */
export function applyNodeVerdict(ctx: RequestContext, res: NodeResponseLike): boolean {
  if (answerNodeRequest(ctx, res)) return true;
  decideOnWriteHead(ctx, res);
  return false;
}
