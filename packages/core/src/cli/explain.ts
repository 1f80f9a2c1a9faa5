/** `cookie-policy explain`: simulate one request and show every decision (SPEC §3). */
import { parseSetCookie } from "../cookie/parse.js";
import { createCookiePolicy } from "../engine.js";
import { PolicyLoadError, type PolicyRequest } from "../types.js";
import { type Command, type ParsedArgs, single, UsageError } from "./args.js";
import { describeExplanation } from "./describe.js";
import { type Io, printIssues } from "./io.js";
import { loadForCommand, policyPath } from "./load.js";

export const EXPLAIN_USAGE = `Usage: cookie-policy explain [--config FILE] [--env NAME] [--url URL] [--peer ADDR]
                             [-H "Name: value"]... [--set "name=value; Attr; Attr=v"]...
                             [--method M] [--json]

Simulates one request through the policy: the trust walk, the transport, redirect
and HSTS, and the decision for each cookie the app sets.

Options:
  --config FILE   the policy file (default: ./cookie-policy.json)
  --env NAME      the profile (default: COOKIE_POLICY_ENV, NODE_ENV, production)
  --url URL       the socket's scheme, Host and path (default: http://localhost/)
  --peer ADDR     the socket peer address (default: unknown)
  -H, --header "Name: value"
                  a request header; repeatable, duplicates kept in order;
                  a Host given here replaces the URL's
  --set "name=value; Attr; Attr=v"
                  a cookie the app sets; its attributes are the call site's options
  --method M      the request method (default: GET)
  --json          print the decision as one JSON object
  -h, --help      this help`;

type Headers = Record<string, string | string[]>;

function addHeader(headers: Headers, line: string): void {
  const colon = line.indexOf(":");
  const name = colon === -1 ? "" : line.slice(0, colon).trim().toLowerCase();
  if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(name)) {
    throw new UsageError(`-H expects "Name: value", got ${JSON.stringify(line)}`);
  }
  const value = line.slice(colon + 1).trim();
  const existing = headers[name];
  if (existing === undefined) headers[name] = value;
  else headers[name] = [...(Array.isArray(existing) ? existing : [existing]), value];
}

/** The request view `--url`, `--peer`, `-H` and `--method` describe. */
export function simulatedRequest(
  url: string,
  peer: string | undefined,
  headerLines: readonly string[],
  method: string,
): PolicyRequest {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new UsageError(`--url ${JSON.stringify(url)} is not a URL`);
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    throw new UsageError(`--url must be http:// or https://, got ${target.protocol}`);
  }
  const headers: Headers = {};
  for (const line of headerLines) addHeader(headers, line);
  if (headers.host === undefined && target.host !== "") headers.host = target.host;
  if (!/^[A-Za-z]+$/.test(method))
    throw new UsageError(`--method ${JSON.stringify(method)} is not a method`);
  return {
    encrypted: target.protocol === "https:",
    peer,
    headers,
    method: method.toUpperCase(),
    url: `${target.pathname}${target.search}`,
  };
}

export const explainCommand: Command = {
  usage: EXPLAIN_USAGE,
  flags: {
    values: {
      "--config": "config",
      "--env": "env",
      "--url": "url",
      "--peer": "peer",
      "-H": "header",
      "--header": "header",
      "--set": "set",
      "--method": "method",
    },
    repeatable: ["header", "set"],
    switches: { "--json": "json" },
  },
  run: explain,
};

function explain(args: ParsedArgs, io: Io): number {
  const env = single(args, "env");
  const url = single(args, "url") ?? "http://localhost/";
  const request = simulatedRequest(
    url,
    single(args, "peer") || undefined,
    args.values.get("header") ?? [],
    single(args, "method") ?? "GET",
  );
  const cookies = (args.values.get("set") ?? []).map((line) => {
    if (parseSetCookie(line) === null) {
      throw new UsageError(`--set expects "name=value; Attr; Attr=v", got ${JSON.stringify(line)}`);
    }
    return line;
  });

  const file = loadForCommand(io, policyPath(io, single(args, "config")));
  if (file === null) return 1;
  let ctx: ReturnType<ReturnType<typeof createCookiePolicy>["decideRequest"]>;
  try {
    // Everything reported is part of the explanation; nothing is logged on the side.
    const policy = createCookiePolicy(
      file,
      env === undefined ? { onReport: () => {} } : { env, onReport: () => {} },
    );
    ctx = policy.decideRequest(request);
  } catch (error) {
    if (!(error instanceof PolicyLoadError)) throw error;
    printIssues(io, "error", error.issues);
    return 1;
  }
  // Each line is decided as written: its attributes are the call-site options, its value is not re-encoded.
  for (const line of cookies) ctx.decideWrittenLine(line);

  if (args.switches.has("json")) io.out(JSON.stringify(ctx.explain(), null, 2));
  else for (const line of describeExplanation(ctx, request, url)) io.out(line);
  return 0;
}
