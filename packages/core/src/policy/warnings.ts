/**
 * Settings that load but deserve a second look (`cookie-policy check`). Each warning
 * names the JSON pointer where the setting is written; every profile of the file is
 * looked at, not only the active one.
 */
import type { PolicyFile, PolicyIssue, ProfileSettings, ResolvedProfile } from "../types.js";
import { nearest, toPointer } from "./pointer.js";
import { BUILT_IN_PROFILES, extendsChain, profileNames, resolveNamedProfile } from "./resolve.js";

type Written = { pointer: string[]; settings: ProfileSettings };

/** The file's own layers: its top level and each profile, with where they are written. */
function writtenLayers(policy: PolicyFile): Written[] {
  return [
    { pointer: [], settings: policy },
    ...Object.entries(policy.profiles ?? {}).map(([name, settings]) => ({
      pointer: ["profiles", name],
      settings,
    })),
  ];
}

/** Warnings about what one layer writes, whatever profile it ends up in. */
function layerWarnings({ pointer, settings }: Written): PolicyIssue[] {
  const warnings: PolicyIssue[] = [];
  const trust = settings.proxy?.trust;
  if (trust === true) {
    warnings.push({
      path: toPointer([...pointer, "proxy", "trust"]),
      message:
        "trust: true believes forwarding headers from every peer, so any client that reaches the app directly can claim https and any address; list your proxies' addresses or ranges instead",
    });
  } else if (typeof trust === "number" && trust > 0) {
    warnings.push({
      path: toPointer([...pointer, "proxy", "trust"]),
      message: `trust: ${trust} believes the ${trust === 1 ? "nearest hop" : `${trust} nearest hops`} whatever their addresses, even when the peer address is unknown; safe only if every request reaches the app through ${trust === 1 ? "your proxy" : "your proxies"}`,
    });
  }
  const headers = settings.proxy?.headers;
  if (
    Array.isArray(headers) &&
    headers.includes("forwarded") &&
    headers.some((h) => h.startsWith("x-forwarded-"))
  ) {
    warnings.push({
      path: toPointer([...pointer, "proxy", "headers"]),
      message:
        "PROXY_HEADERS_MIXED: forwarded is listed with X-Forwarded-* headers; most proxies write one kind and pass the other through from the client, so requests where they disagree fall back to the socket's transport. List only the headers your proxies write (and strip)",
    });
  }
  if (settings.localhost === "secure-context") {
    warnings.push({
      path: toPointer([...pointer, "localhost"]),
      message:
        'localhost: "secure-context" treats http://localhost on a loopback peer as secure for cookies: Chromium and Firefox keep Secure cookies there, Safari has not always; HSTS and redirects still treat it as HTTP',
    });
  }
  return warnings;
}

/** The pointer of the last layer of a profile (top level, then its chain) that writes a setting. */
function writtenAt(
  policy: PolicyFile,
  chain: readonly string[],
  key: readonly string[],
  read: (layer: ProfileSettings) => unknown,
): string {
  let at: string[] = [...key];
  for (const name of chain) {
    const layer =
      policy.profiles !== undefined && Object.hasOwn(policy.profiles, name)
        ? policy.profiles[name]
        : undefined;
    if (layer !== undefined && read(layer) !== undefined) at = ["profiles", name, ...key];
  }
  return toPointer(at);
}

const preloadOf = (layer: ProfileSettings) => {
  const hsts = layer.https?.hsts;
  return typeof hsts === "object" ? hsts.preload : undefined;
};

/** Warnings about what a merged profile ends up with. */
function profileWarnings(
  policy: PolicyFile,
  name: string,
  profile: ResolvedProfile,
): PolicyIssue[] {
  const warnings: PolicyIssue[] = [];
  const chain = extendsChain(policy, name);
  const hsts = profile.https.hsts;
  if (hsts !== false && hsts.preload && (hsts.maxAge < 31536000 || !hsts.includeSubDomains)) {
    warnings.push({
      path: writtenAt(policy, chain, ["https", "hsts", "preload"], preloadOf),
      message:
        "preload: true needs maxAge of at least 31536000 and includeSubDomains: true, or the preload list refuses the site",
    });
  }
  if (name === "production" && profile.mode === "report-only") {
    warnings.push({
      path: writtenAt(policy, chain, ["mode"], (layer) => layer.mode),
      message:
        'mode "report-only" in production: decisions are only reported, cookies and redirects are left as the app wrote them',
    });
  }
  return warnings;
}

/** Longer names are no typo of a built-in one (and are not worth the edit distance). */
const MAX_TYPO_NAME = 32;

/**
 * A file profile named almost like a built-in one (`prodution`): NODE_ENV=production
 * never selects it, so its settings silently never apply.
 */
function profileNameWarnings(policy: PolicyFile): PolicyIssue[] {
  const builtIn = Object.keys(BUILT_IN_PROFILES);
  const warnings: PolicyIssue[] = [];
  for (const name of Object.keys(policy.profiles ?? {})) {
    if (builtIn.includes(name) || name.length > MAX_TYPO_NAME) continue;
    const hit = nearest(name, builtIn);
    if (hit === undefined) continue;
    warnings.push({
      path: toPointer(["profiles", name]),
      message: `profile "${name}" is not the built-in "${hit}": it applies only when asked for by exactly this name (did you mean "${hit}"?)`,
    });
  }
  return warnings;
}

/**
 * Warnings for `check`. Expects a policy that `validatePolicy` accepted (a profile that
 * cannot be resolved is an error, reported there, not a warning).
 */
export function policyWarnings(policy: PolicyFile): PolicyIssue[] {
  const warnings = [
    ...profileNameWarnings(policy),
    ...writtenLayers(policy).flatMap(layerWarnings),
  ];
  for (const name of profileNames(policy)) {
    for (const w of profileWarnings(policy, name, resolveNamedProfile(policy, name))) {
      if (!warnings.some((x) => x.path === w.path && x.message === w.message)) warnings.push(w);
    }
  }
  return warnings;
}
