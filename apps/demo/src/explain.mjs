/**
 * The demo's explanations beyond the current request: where the policy says what it says
 * (core's `policySources`), and `POST /explain`, the page's "try a request" panel. Every
 * server answers that question the same way: the request described in the body is decided
 * by core's engine, in that server's process, on the policy file that server loaded.
 */
import {
  createCookiePolicy,
  formatSettingPath,
  PolicyLoadError,
  parseSetCookie,
  policySources,
  validatePolicy,
} from "@scope/cookie-core";
import { loadPolicyFile } from "@scope/cookie-core/node";

/** Profile names the panel offers: the file's and the built-in ones (any other name is fail-closed). */
const BUILT_IN_PROFILES = ["development", "test", "production"];
const MAX_HEADER_LINES = 32;
const MAX_LINE = 8192;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const ANSWER_HEADERS = {
  // The page on one server asks the other four; the answer holds nothing but the simulation.
  "access-control-allow-origin": "*",
  "cache-control": "no-store",
};

/** `profiles.development.sensitive.secure = "auto"`, or `built-in sensitive.secure = "always"`. */
export function describeSource(source) {
  if (source === undefined) return null;
  const setting = `${formatSettingPath(source.path)} = ${JSON.stringify(source.value)}`;
  if (source.builtIn === null) return setting;
  return source.builtIn === "base"
    ? `built-in ${setting}`
    : `built-in ${source.builtIn} profile: ${setting}`;
}

/** What the page says about each policy attribute of a cookie: attribute → the setting that decided it. */
function cookieSettings(sources, name) {
  const out = {};
  for (const [key, source] of Object.entries(sources.cookie(name)))
    out[key] = describeSource(source);
  return out;
}

/**
 * The demo's view of one policy file (`config`: a path, or the policy object): loaded
 * once, so the page and `POST /explain` read the file this server was started with.
 */
export function demoPolicy(config, framework) {
  const file = typeof config === "string" ? loadPolicyFile(config) : validatePolicy(config);
  const profiles = [...new Set([...BUILT_IN_PROFILES, ...Object.keys(file.profiles ?? {})])];
  // Every profile the file knows, compiled once at start-up as an adapter compiles its own;
  // any other name is compiled when asked (it is production, with its ENV_UNKNOWN report).
  const compiled = new Map(profiles.map((env) => [env, compile(file, env)]));
  const compiledFor = (env) => compiled.get(env) ?? compile(file, env);

  /** The settings behind a profile's decisions, in words (see `describeSource`). */
  function settings(env, cookieNames) {
    const { sources, error } = compiledFor(env);
    if (error) throw error;
    const cookies = {};
    for (const name of cookieNames) cookies[name] = cookieSettings(sources, name);
    return {
      trust: describeSource(sources.setting(["proxy", "trust"])),
      headers: describeSource(sources.setting(["proxy", "headers"])),
      hsts: describeSource(sources.setting(["https", "hsts"])),
      hstsOn: sources.setting(["https", "hsts"])?.value !== false,
      redirect: describeSource(sources.setting(["https", "redirect"])),
      localhost: describeSource(sources.setting(["localhost"])),
      mode: describeSource(sources.setting(["mode"])),
      cookies,
    };
  }

  /**
   * `POST /explain`: the body's text (JSON, whatever the content type; no body is "")
   * `{ profile, scheme, host, peer, headers: ["Name: value", …], cookie: "name=value; Attr" }`.
   * Answers `{ status, headers, body }`; a body that is not that is 400 with `{ error, message }`.
   */
  function answer(body) {
    const question = readQuestion(body);
    if (typeof question === "string") {
      return reply(400, { error: "BAD_REQUEST", message: question });
    }
    const { policy, error } = compiledFor(question.profile);
    if (error) return reply(400, { error: error.code, message: error.message });
    const ctx = policy.decideRequest(question.request);
    let decision = null;
    if (question.cookie !== null) {
      decision = ctx.decideWrittenLine(question.cookie);
    }
    const t = ctx.transport;
    return reply(200, {
      framework,
      question: question.echo,
      ...ctx.explain(),
      walk: {
        hops: t.hops.map((h) => ({ address: h.address, trusted: h.trusted, from: h.from })),
        localhost: t.localhost,
        secureContext: t.secureContext,
      },
      attributes: decision?.attributes ?? null,
      settings: settings(policy.requestedEnv, decision === null ? [] : [decision.name]),
    });
  }

  return { framework, profiles, servers: demoServers(framework), settings, answer };
}

/**
 * The servers the panel asks: `pnpm demo` lists all five in COOKIE_POLICY_DEMO_SERVERS
 * (`[{"framework","url"}]`); a server started alone asks only itself.
 */
function demoServers(framework) {
  const self = [{ framework, url: "" }];
  let listed;
  try {
    listed = JSON.parse(process.env.COOKIE_POLICY_DEMO_SERVERS ?? "null");
  } catch {
    return self;
  }
  if (!Array.isArray(listed)) return self;
  const servers = listed.filter(
    (s) => typeof s?.framework === "string" && /^https?:\/\/[^/]+$/.test(s?.url),
  );
  return servers.length > 0 ? servers.map(({ framework, url }) => ({ framework, url })) : self;
}

/**
 * One profile's policy and the sources of its settings; `error` when the engine refuses
 * the profile (e.g. a `never` rule meeting a Secure requirement).
 */
function compile(file, env) {
  try {
    const policy = createCookiePolicy(file, { env, onReport: () => {} });
    return { policy, sources: policySources(file, env) };
  } catch (error) {
    if (!(error instanceof PolicyLoadError)) throw error;
    return { error };
  }
}

function reply(status, body) {
  return { status, headers: ANSWER_HEADERS, body };
}

/** The question in the body, or a message saying what is wrong with it. */
function readQuestion(text) {
  let q;
  try {
    q = JSON.parse(typeof text === "string" ? text : "");
  } catch {
    return "the body is not JSON";
  }
  if (q === null || typeof q !== "object" || Array.isArray(q)) return "the body is not an object";
  if (typeof q.profile !== "string" || q.profile === "") return "profile is required";
  const { profile, scheme = "http", host = "localhost", peer = "", headers = [] } = q;
  const cookie = q.cookie ?? "";
  for (const [key, value] of Object.entries({ profile, scheme, host, peer, cookie })) {
    if (typeof value !== "string" || value.length > MAX_LINE) return `${key} must be a string`;
  }
  if (scheme !== "http" && scheme !== "https") return 'scheme must be "http" or "https"';
  if (!Array.isArray(headers) || headers.length > MAX_HEADER_LINES) {
    return `headers must be a list of at most ${MAX_HEADER_LINES} "Name: value" lines`;
  }
  const view = {};
  for (const line of headers) {
    if (typeof line !== "string" || line.length > MAX_LINE) return "a header line is not a string";
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    if (colon === -1 || !TOKEN.test(name)) return `"${line.slice(0, 80)}" is not "Name: value"`;
    const value = line.slice(colon + 1).trim();
    const existing = view[name];
    view[name] = existing === undefined ? value : [existing, value].flat();
  }
  // A Host line replaces the host field, as `cookie-policy explain -H` does.
  if (view.host === undefined && host !== "") view.host = host;
  if (cookie !== "" && parseSetCookie(cookie) === null) {
    return 'cookie must be a Set-Cookie line: "name=value; Attr; Attr=v"';
  }
  return {
    profile,
    cookie: cookie === "" ? null : cookie,
    echo: { profile, scheme, host, peer, headers, cookie },
    request: {
      encrypted: scheme === "https",
      peer: peer === "" ? undefined : peer,
      headers: view,
      method: "GET",
      url: "/",
    },
  };
}
