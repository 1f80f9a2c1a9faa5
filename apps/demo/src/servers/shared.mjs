/**
 * What every demo server shares: the listening socket (HTTP or HTTPS), the
 * answers' vocabulary, and the validation of the `POST /cookies` body. The
 * frameworks' own parts (routing, cookie API, error handler) stay in each server.
 */
import { randomBytes } from "node:crypto";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";

/** A fresh, unguessable session id for `POST /login`. */
export function sessionValue() {
  return randomBytes(18).toString("base64url");
}

/** `http://127.0.0.1:3001`, `https://[::1]:3001`. */
export function serverUrl(tls, host, port) {
  const name = host.includes(":") ? `[${host}]` : host;
  return `${tls ? "https" : "http"}://${name}:${port}`;
}

/**
 * Serve a Node request listener on `host:port` (port 0: any free port), over TLS when
 * `tls` ({ key, cert }) is given. Resolves once listening with the URL and a `close()`
 * that also ends kept-alive connections, so a SIGTERM never waits on idle clients.
 */
export function listen(listener, { port = 0, host = "127.0.0.1", tls }) {
  const server = tls ? createHttpsServer(tls, listener) : createHttpServer(listener);
  return listenServer(server, { port, host, tls });
}

export function listenServer(server, { port = 0, host = "127.0.0.1", tls }) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve({
        url: serverUrl(Boolean(tls), host, server.address().port),
        close: () => closeServer(server),
      });
    });
  });
}

export function closeServer(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

/**
 * The `POST /cookies` body: `[{ name, value, options? }]`, options in the policy's
 * vocabulary (maxAge in seconds). Returns the list, or null when the body is not that.
 */
export function cookieList(body) {
  if (!Array.isArray(body)) return null;
  for (const item of body) {
    if (item === null || typeof item !== "object") return null;
    if (typeof item.name !== "string" || typeof item.value !== "string") return null;
    if (item.options !== undefined && (item.options === null || typeof item.options !== "object")) {
      return null;
    }
  }
  return body;
}

const OPTION_KEYS = [
  "secure",
  "httpOnly",
  "sameSite",
  "path",
  "domain",
  "maxAge",
  "partitioned",
  "priority",
];

/**
 * Call-site options for frameworks that take Max-Age in milliseconds (Express, Koa).
 * Only the keys the caller wrote are passed: an omitted attribute stays omitted.
 */
export function optionsInMilliseconds(options = {}) {
  const out = pick(options);
  if (typeof out.maxAge === "number") out.maxAge = out.maxAge * 1000;
  return out;
}

/** Call-site options for frameworks that take Max-Age in seconds (Fastify, Hono). */
export function optionsInSeconds(options = {}) {
  return pick(options);
}

function pick(options) {
  const out = {};
  for (const key of OPTION_KEYS) if (options[key] !== undefined) out[key] = options[key];
  return out;
}

/** The body of an error answer: a `CookiePolicyError` (or any coded error) keeps its code. */
export function errorAnswer(err) {
  const status = Number(err?.statusCode ?? err?.status);
  const answer = status >= 400 && status <= 599 ? status : 500;
  const fallback = answer < 500 ? "BAD_REQUEST" : "INTERNAL_ERROR";
  return { status: answer, body: { error: typeof err?.code === "string" ? err.code : fallback } };
}

export const BAD_BODY = { error: "BAD_REQUEST" };
export const MISSING_THEME = { error: "THEME_REQUIRED" };

/**
 * `GET /raw-set-cookie?name=A&name=B`: the lines `A=1` and `B=1`, which each server writes
 * straight to the response headers (as a session library does), not through its cookie API.
 */
export function rawSetCookieLines(url) {
  const names = new URL(url, "http://demo.invalid").searchParams.getAll("name");
  return names.filter((name) => /^[\w!#$%&'*+.^`|~-]+$/.test(name)).map((name) => `${name}=1`);
}
