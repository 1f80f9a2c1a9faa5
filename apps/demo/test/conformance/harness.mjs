/**
 * The runner's parts: group cases into servers, start a server through bin/serve.mjs,
 * send a case's request over a real socket from the case's peer address, and compare
 * the answer with the case's expectations.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { send as sendTo } from "@scope/test-support";
import setCookieParser from "set-cookie-parser";

const SERVE = fileURLToPath(new URL("../../bin/serve.mjs", import.meta.url));
const START_TIMEOUT_MS = 60_000;
const LIFETIME_SLACK_S = 5;

/** Where a group's server listens so that the case's peer address can reach it. */
export function listenHost(peer) {
  if (peer === "::1") return "::1";
  if (peer.startsWith("::ffff:")) return "::"; // dual stack: IPv4 clients appear IPv4-mapped
  return "127.0.0.1";
}

/** Cases sharing policy, env, scheme and listening address share one server. */
export function groupKey(c) {
  return [c.policy, c.env, c.request.scheme, listenHost(c.request.peer)].join(" ");
}

export function groupCases(cases) {
  const groups = new Map();
  for (const c of cases) {
    const key = groupKey(c);
    if (!groups.has(key)) groups.set(key, { key, sample: c, cases: [] });
    groups.get(key).cases.push(c);
  }
  return [...groups.values()];
}

/**
 * `node bin/serve.mjs --framework F --port 0 ...`; resolves once it printed its JSON
 * line. The child gets no NODE_ENV / COOKIE_POLICY_ENV of ours: `--env` decides.
 */
export function startServer({ framework, config, env, https, host }) {
  const args = [SERVE, "--framework", framework, "--port", "0", "--config", config, "--env", env];
  if (host) args.push("--host", host);
  if (https) args.push("--https");
  const childEnv = { ...process.env };
  delete childEnv.NODE_ENV;
  delete childEnv.COOKIE_POLICY_ENV;
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: childEnv });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    if (stderr.length < 20_000) stderr += chunk;
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
      child.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${framework} did not start within ${START_TIMEOUT_MS} ms\n${stderr}`));
    }, START_TIMEOUT_MS);
    createInterface({ input: child.stdout }).once("line", (line) => {
      clearTimeout(timer);
      try {
        const { url } = JSON.parse(line);
        resolve({ url, stop, stderr: () => stderr });
      } catch {
        stop();
        reject(new Error(`${framework} printed ${line}\n${stderr}`));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${framework} exited (${code}) before listening\n${stderr}`));
    });
  });
}

/**
 * Send the case's request to the server from the case's peer address, its target as
 * written (absolute-form included). The server's certificate is made in its own process:
 * not verified.
 */
export function send(serverUrl, req) {
  const peer = req.peer ?? "127.0.0.1";
  const url = new URL(serverUrl);
  url.hostname = peer === "::1" ? "[::1]" : "127.0.0.1";
  const body = req.body === undefined ? undefined : JSON.stringify(req.body);
  const headers = { ...req.headers };
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = String(Buffer.byteLength(body));
  }
  return sendTo(url.origin, {
    method: req.method,
    target: req.path,
    headers,
    body,
    localAddress: peer.replace(/^::ffff:/, ""),
    verify: false,
  });
}

/** Every way the answer differs from the expectation, as readable lines (empty: pass). */
export function compare(expect, res) {
  const problems = [];
  const differ = (what, want, got) => {
    if (want !== got) problems.push(`${what}: expected ${show(want)}, got ${show(got)}`);
  };
  differ("status", expect.status, res.status);
  differ("Location", expect.location ?? null, res.headers.location ?? null);
  differ(
    "Strict-Transport-Security",
    expect.hsts ?? null,
    res.headers["strict-transport-security"] ?? null,
  );
  if (expect.error !== undefined) differ("error code", expect.error, errorCode(res.body));
  if (expect.decisions !== undefined) {
    differ("decisions", show(expect.decisions), show(decisionSummary(res.body)));
  }

  const lines = res.headers["set-cookie"] ?? [];
  const parsed = setCookieParser.parse(lines, { decodeValues: false });
  const now = Date.parse(res.headers.date ?? "") || Date.now();
  for (const [name, want] of Object.entries(expect.cookies ?? {})) {
    const found = parsed.filter((c) => c.name === name);
    if (want === null) {
      if (found.length > 0) problems.push(`${name}: expected no cookie, got ${show(lines)}`);
      continue;
    }
    if (found.length !== 1) {
      problems.push(`${name}: expected one cookie, got ${found.length} in ${show(lines)}`);
      continue;
    }
    const got = found[0];
    const where = `${name} (${lines.find((l) => l.startsWith(`${name}=`)) ?? "?"})`;
    for (const [attr, value] of Object.entries(want)) {
      const actual = attribute(got, attr, now);
      if (attr === "maxAge") {
        if (actual === null || Math.abs(actual - value) > LIFETIME_SLACK_S) {
          problems.push(`${where}: lifetime expected ${value} s, got ${show(actual)}`);
        }
      } else differ(`${where}: ${attr}`, value, actual);
    }
  }
  return problems;
}

/** One attribute of a parsed cookie in the cases' vocabulary. */
function attribute(cookie, attr, now) {
  switch (attr) {
    case "secure":
    case "httpOnly":
    case "partitioned":
      return Boolean(cookie[attr]);
    case "sameSite":
      return cookie.sameSite ? cookie.sameSite.toLowerCase() : null;
    case "path":
      return cookie.path ?? null;
    case "domain":
      return cookie.domain ? cookie.domain.replace(/^\./, "").toLowerCase() : null;
    case "maxAge":
      return lifetime(cookie, now);
    case "value":
      return cookie.value;
    case "cleared": {
      const life = lifetime(cookie, now);
      return cookie.value === "" && life !== null && life <= 0;
    }
    default:
      return `unknown attribute ${attr}`;
  }
}

/** Seconds the cookie lives: Max-Age when present (it wins), else Expires minus now. */
function lifetime(cookie, now) {
  if (typeof cookie.maxAge === "number") return cookie.maxAge;
  if (cookie.expires instanceof Date && !Number.isNaN(cookie.expires.getTime())) {
    return Math.round((cookie.expires.getTime() - now) / 1000);
  }
  return null;
}

/** `POST /cookies` answers with the request context's decisions: their names and actions. */
function decisionSummary(body) {
  try {
    return JSON.parse(body).decisions.map(({ name, action }) => ({ name, action }));
  } catch {
    return null;
  }
}

function errorCode(body) {
  try {
    return JSON.parse(body).error ?? null;
  } catch {
    return null;
  }
}

function show(value) {
  return JSON.stringify(value);
}

/** Run `fn` over `items` with at most `limit` at a time. */
export async function inPool(items, limit, fn) {
  const queue = [...items];
  const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    while (queue.length > 0) await fn(queue.shift());
  });
  await Promise.all(workers);
}
