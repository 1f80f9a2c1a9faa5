import { isIpLiteral, isValidHostName } from "../transport/index.js";
import type { RedirectDecision, Refusal, ResolvedProfile, Transport } from "../types.js";

type RedirectSettings = Exclude<ResolvedProfile["https"]["redirect"], false>;

export interface RedirectOutcome {
  readonly redirect: RedirectDecision | null;
  readonly reject: Refusal | null;
}

/** Decides the HTTPS redirect for one request (SPEC §2.4). */
export type RedirectRule = (transport: Transport, method: string, url: string) => RedirectOutcome;

const NONE: RedirectOutcome = { redirect: null, reject: null };
const BAD_HOST: RedirectOutcome = {
  redirect: null,
  reject: { status: 400, body: "Bad Request: missing or invalid Host header\n" },
};

/** The path and query of a request target (origin-form, or absolute-form from a proxy client). */
function targetPath(url: string): string {
  if (url.charCodeAt(0) === 47) return url; // "/"
  const scheme = url.indexOf("://");
  if (scheme > 0) {
    const slash = url.indexOf("/", scheme + 3);
    const query = url.indexOf("?", scheme + 3);
    if (slash === -1) return query === -1 ? "/" : `/${url.slice(query)}`;
    if (query !== -1 && query < slash) return `/${url.slice(query)}`;
    return url.slice(slash);
  }
  return "/";
}

function percentEncode(char: string): string {
  try {
    return encodeURIComponent(char);
  } catch {
    return "%EF%BF%BD"; // a lone surrogate: U+FFFD
  }
}

/**
 * The path written after `https://HOST` can never move the client elsewhere: leading
 * slashes/backslashes collapse to one `/`, and CTLs, spaces, backslashes, non-ASCII and
 * other characters URLs may not carry raw are percent-encoded (no CR/LF reaches a header).
 */
export function safeLocationPath(path: string): string {
  const collapsed = path.replace(/^[/\\]+/, "/");
  return collapsed.replace(/[^\x21-\x7e]|[\\"<>`{}|^]/gu, percentEncode);
}

/** Exact paths, or prefixes when they end in `*`. */
function compileExclude(exclude: readonly string[]): (path: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const entry of exclude) {
    if (entry.endsWith("*")) prefixes.push(entry.slice(0, -1));
    else exact.add(entry);
  }
  return (path) => exact.has(path) || prefixes.some((p) => path.startsWith(p));
}

/** Exact names, or `*.example.com`: any subdomain at any depth, never the apex. */
function compileHosts(hosts: readonly string[]): (host: string) => boolean {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const entry of hosts) {
    const lower = entry.toLowerCase();
    if (lower.startsWith("*.")) suffixes.push(lower.slice(1));
    else if (!lower.includes("*")) exact.add(lower);
  }
  return (host) =>
    exact.has(host) || suffixes.some((s) => host.length > s.length && host.endsWith(s));
}

function hostForUrl(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** Compiles `https.redirect` once; null when redirects are off. */
export function compileRedirect(
  settings: ResolvedProfile["https"]["redirect"],
): RedirectRule | null {
  if (settings === false) return null;
  const cfg: RedirectSettings = settings;
  const isExcluded = compileExclude(cfg.exclude);
  const isAllowed = compileHosts(cfg.hosts);
  const fallback = cfg.hosts.find((h) => !h.includes("*"))?.toLowerCase() ?? null;
  const portPart = cfg.port === 443 ? "" : `:${cfg.port}`;
  // 301/302 may turn a POST into a GET in browsers; 307/308 keep the method and body.
  const statusFor = (method: string): RedirectDecision["status"] => {
    if (method === "GET" || method === "HEAD") return cfg.status;
    if (cfg.status === 301) return 308;
    if (cfg.status === 302) return 307;
    return cfg.status;
  };

  return (transport, method, url) => {
    // Trusted proof of HTTPS is never redirected: no loops behind a TLS-terminating proxy.
    // A localhost secure context is for cookies only and does not count here.
    if (transport.secure) return NONE;
    const path = targetPath(url);
    const query = path.indexOf("?");
    if (isExcluded(query === -1 ? path : path.slice(0, query))) return NONE;
    const requested = transport.host;
    let host: string | null;
    if (cfg.hosts.length > 0) {
      // The Host header alone can never pick a site outside the allow-list.
      host = requested !== null && isAllowed(requested) ? requested : fallback;
    } else {
      host =
        requested !== null && (isValidHostName(requested) || isIpLiteral(requested))
          ? requested
          : null;
    }
    if (host === null) return BAD_HOST;
    return {
      redirect: {
        status: statusFor(method),
        location: `https://${hostForUrl(host)}${portPart}${safeLocationPath(path)}`,
      },
      reject: null,
    };
  };
}
