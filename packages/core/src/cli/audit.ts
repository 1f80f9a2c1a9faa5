/**
 * `cookie-policy audit URL`: request a live URL once (no redirect followed) and judge its
 * Set-Cookie and Strict-Transport-Security headers against the policy and the invariants,
 * for that URL as the request. What a user would otherwise do with `curl -c` and grep.
 */
import { existsSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { createCookiePolicy } from "../engine.js";
import { type ComplianceReport, judgeResponse } from "../testing/compliance.js";
import { type PolicyFile, PolicyLoadError } from "../types.js";
import { type Command, type ParsedArgs, single, UsageError } from "./args.js";
import { type Io, plural, printIssues } from "./io.js";
import { loadForCommand, policyPath } from "./load.js";

export const AUDIT_USAGE = `Usage: cookie-policy audit URL [--config FILE] [--env NAME] [--json]
                           [--method M] [-H "Name: value"]... [--peer ADDR]
                           [--insecure] [--timeout SECONDS]

Requests URL once (redirects are not followed) and judges the response's Set-Cookie
and Strict-Transport-Security headers against the policy, for the request it
actually sent (URL, method, headers, and its own address as the peer the server
sees), and against the rules no policy can switch off (prefixes, SameSite=None and
Partitioned need Secure, a 400-day lifetime cap, no HSTS over HTTP or for localhost).
Without a policy file (and no --config) the built-in defaults are the policy.

Options:
  --config FILE   the policy file (default: ./cookie-policy.json when it exists)
  --env NAME      the profile (default: COOKIE_POLICY_ENV, NODE_ENV, production)
  --method M      the request method (default: GET)
  -H, --header "Name: value"
                  a header to send (e.g. a Cookie, or X-Forwarded-Proto as a proxy
                  would); repeatable; the policy judges the request with it (a Host
                  given here is also the host judged)
  --peer ADDR     the address the server sees as its peer (default: this client's
                  own address, right for a server it reaches directly; behind
                  proxies, name the proxy the server sees)
  -k, --insecure  accept a certificate that does not verify (a local server with a
                  self-signed certificate); never use it for a public site
  --timeout S     give up when no response head arrives within S seconds (default 10)
  --json          print the report as one JSON object
  -h, --help      this help
Exit code: 0 no findings, 1 findings, 2 usage error, invalid policy or URL not fetched.`;

const DEFAULT_TIMEOUT_S = 10;

interface Fetched {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** This client's address on the connection: the peer the server saw. */
  readonly localAddress: string | undefined;
}

/**
 * One request with the plain Node client; the body is not read. The deadline covers the
 * whole wait for the head, so a server that trickles bytes cannot hold the audit open.
 */
function fetchOnce(
  url: URL,
  method: string,
  headers: Record<string, string>,
  insecure: boolean,
  timeoutMs: number,
): Promise<Fetched> {
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method, headers, agent: false, rejectUnauthorized: !insecure },
      (res) => {
        clearTimeout(deadline);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          localAddress: res.socket?.localAddress,
        });
        res.destroy();
      },
    );
    const deadline = setTimeout(
      () => req.destroy(new Error(`no response within ${timeoutMs / 1000}s`)),
      timeoutMs,
    );
    req.on("error", (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    req.end();
  });
}

function requestHeaders(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = { "user-agent": "cookie-policy-audit" };
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = colon === -1 ? "" : line.slice(0, colon).trim().toLowerCase();
    if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(name))
      throw new UsageError(`-H expects "Name: value", got ${JSON.stringify(line)}`);
    headers[name] = line.slice(colon + 1).trim();
  }
  return headers;
}

function targetUrl(positionals: readonly string[]): URL {
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length === 0 ? "audit needs a URL" : `unexpected argument ${positionals[1]}`,
    );
  let url: URL;
  try {
    url = new URL(positionals[0] as string);
  } catch {
    throw new UsageError(`${JSON.stringify(positionals[0])} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError(`the URL must be http:// or https://, got ${url.protocol}`);
  return url;
}

/** The URL as the server sees it when `-H "Host: ..."` replaces the URL's host and port. */
function withHost(url: URL, host: string): URL {
  try {
    return new URL(`${url.protocol}//${host}${url.pathname}${url.search}`);
  } catch {
    throw new UsageError(`-H "Host: ${host}" is not a valid host`);
  }
}

/** The policy file, or the built-in defaults when no file exists and none was named. */
function policyFile(
  io: Io,
  config: string | undefined,
): { file: PolicyFile | null; source: string | null } {
  const path = policyPath(io, config);
  if (config === undefined && !existsSync(path)) return { file: {}, source: null };
  return { file: loadForCommand(io, path), source: path };
}

function printReport(
  io: Io,
  report: ComplianceReport,
  status: number,
  source: string | null,
): void {
  io.out(
    `${report.method} ${report.url} -> ${status} (profile "${report.env}", ${
      source === null ? "built-in defaults: no cookie-policy.json" : `policy ${source}`
    })`,
  );
  for (const cookie of report.cookies)
    if (cookie.findings === 0) io.out(`ok: cookie "${cookie.name}"`);
  if (
    report.hsts.actual !== null &&
    !report.findings.some((f) => f.attribute === "Strict-Transport-Security")
  )
    io.out(`ok: Strict-Transport-Security: ${report.hsts.actual}`);
  for (const finding of report.findings) io.out(`finding: ${finding.message}`);
  io.out(
    report.findings.length === 0
      ? `no findings (${plural(report.cookies.length, "cookie")} checked)`
      : plural(report.findings.length, "finding"),
  );
}

export const auditCommand: Command = {
  usage: AUDIT_USAGE,
  flags: {
    values: {
      "--config": "config",
      "--env": "env",
      "--method": "method",
      "-H": "header",
      "--header": "header",
      "--peer": "peer",
      "--timeout": "timeout",
    },
    repeatable: ["header"],
    switches: { "--json": "json", "--insecure": "insecure", "-k": "insecure" },
  },
  positionals: true,
  run: audit,
};

async function audit(args: ParsedArgs, io: Io): Promise<number> {
  const url = targetUrl(args.positionals);
  const env = single(args, "env");
  const method = (single(args, "method") ?? "GET").toUpperCase();
  if (!/^[A-Z]+$/.test(method))
    throw new UsageError(`--method ${JSON.stringify(method)} is not a method`);
  const headers = requestHeaders(args.values.get("header") ?? []);
  const peer = single(args, "peer");
  if (peer === "") throw new UsageError("--peer needs an address");
  const timeoutText = single(args, "timeout") ?? String(DEFAULT_TIMEOUT_S);
  const timeout = Number(timeoutText);
  if (!/^\d+(\.\d+)?$/.test(timeoutText) || !(timeout > 0) || timeout > 600)
    throw new UsageError(
      `--timeout expects seconds (up to 600), got ${JSON.stringify(timeoutText)}`,
    );

  const { file, source } = policyFile(io, single(args, "config"));
  if (file === null) return 2;
  let policy: ReturnType<typeof createCookiePolicy>;
  try {
    // Enforce mode: the audit asks what the policy demands, whatever mode the app runs in.
    policy = createCookiePolicy(file, {
      ...(env === undefined ? {} : { env }),
      mode: "enforce",
      onReport: () => {},
    });
  } catch (error) {
    if (!(error instanceof PolicyLoadError)) throw error;
    printIssues(io, "error", error.issues);
    return 2;
  }

  // e.g. ENV_UNKNOWN: the profile asked for does not exist and production is judged instead.
  for (const d of policy.diagnostics) io.err(`warning: ${d.code}: ${d.message}`);

  let fetched: Fetched;
  try {
    fetched = await fetchOnce(url, method, headers, args.switches.has("insecure"), timeout * 1000);
  } catch (error) {
    const hint =
      url.protocol === "https:" &&
      !args.switches.has("insecure") &&
      /certificate/i.test((error as Error).message)
        ? " (a local server with a self-signed certificate: add --insecure)"
        : "";
    io.err(`error: cannot fetch ${url.href}: ${(error as Error).message}${hint}`);
    return 2;
  }

  // The policy judges the request as it was sent: the URL (and a Host given with -H), the
  // method, every header sent (a forwarding header is walked as the server walks it), and
  // the peer the server saw: this client's own address unless --peer names another.
  const judged = headers.host === undefined ? url : withHost(url, headers.host);
  const { "user-agent": _agent, ...sent } = headers;
  const seenPeer = peer ?? fetched.localAddress;
  const setCookie = fetched.headers["set-cookie"] ?? [];
  const hsts = fetched.headers["strict-transport-security"];
  const location = fetched.headers.location;
  const report = judgeResponse(
    policy,
    {
      url: judged,
      method,
      headers: sent,
      ...(seenPeer === undefined ? {} : { peer: seenPeer }),
    },
    {
      status: fetched.status,
      setCookie,
      hsts: typeof hsts === "string" ? hsts : null,
      ...(location === undefined ? {} : { location }),
    },
  );

  if (args.switches.has("json"))
    io.out(JSON.stringify({ ...report, status: fetched.status, policy: source }, null, 2));
  else printReport(io, report, fetched.status, source);
  return report.findings.length === 0 ? 0 : 1;
}
