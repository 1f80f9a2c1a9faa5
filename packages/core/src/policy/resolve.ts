/**
 * Profile resolution (SPEC §2.1): which profile applies, and what it says once the
 * built-in layers, the file's top level and the profile's `extends` chain are merged.
 */
import { compilePlans } from "../cookie/plan.js";
import {
  type CookieRule,
  type Diagnostic,
  type PolicyFile,
  type PolicyIssue,
  PolicyLoadError,
  type ProfileSettings,
  type ResolvedProfile,
} from "../types.js";
import { didYouMean, toPointer } from "./pointer.js";

type Layer = Omit<ProfileSettings, "extends">;

/** The built-in base every profile starts from. */
export const BUILT_IN_BASE: ResolvedProfile = {
  proxy: { trust: false, headers: ["x-forwarded-for", "x-forwarded-proto"] },
  https: { redirect: false, hsts: false },
  localhost: "insecure",
  mode: "enforce",
  defaults: { secure: "auto", httpOnly: false, sameSite: "lax", path: "/", onInsecure: "drop" },
  sensitive: {
    secure: "always",
    httpOnly: true,
    sameSite: "lax",
    patterns: ["session", "sess", "sid", "token", "auth", "jwt", "remember", "csrf", "xsrf"],
  },
  cookies: {},
};

/** Built-in profiles, applied over the base when their name is in play. */
export const BUILT_IN_PROFILES: Readonly<Record<string, Layer>> = {
  development: { sensitive: { secure: "auto" } },
  test: { sensitive: { secure: "auto" } },
  production: {},
};

const FALLBACK_ENV = "production";

export interface ProfileResolution {
  /** The profile applied (production when the requested one is unknown). */
  env: string;
  /** The profile asked for. */
  requestedEnv: string;
  profile: ResolvedProfile;
  diagnostics: Diagnostic[];
}

/** Explicit name, else COOKIE_POLICY_ENV, else NODE_ENV; undefined when none is set (an empty value counts as unset). */
export function chosenEnvName(env?: string): string | undefined {
  return env || readEnv("COOKIE_POLICY_ENV") || readEnv("NODE_ENV") || undefined;
}

/** A process environment variable; unset where there is none or the runtime refuses the read
 * (Deno without `--allow-env` throws `NotCapable`), so the next source answers. */
export function readEnv(name: string): string | undefined {
  try {
    return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
      ?.env?.[name];
  } catch {
    return undefined;
  }
}

/** The chosen name, else production. */
export function requestedEnvName(env?: string): string {
  return chosenEnvName(env) ?? FALLBACK_ENV;
}

/** A profile the file itself defines (never something inherited from Object.prototype). */
function fileProfile(policy: PolicyFile, name: string): ProfileSettings | undefined {
  const profiles = policy.profiles;
  return profiles !== undefined && Object.hasOwn(profiles, name) ? profiles[name] : undefined;
}

/** Every profile name a policy knows: the file's and the built-in ones. */
export function profileNames(policy: PolicyFile): string[] {
  return [...new Set([...Object.keys(BUILT_IN_PROFILES), ...Object.keys(policy.profiles ?? {})])];
}

/**
 * The `extends` chain of a profile, root first, ending with `name`. A built-in name
 * that the file does not define ends the chain. Unknown targets and cycles are load errors.
 */
export function extendsChain(policy: PolicyFile, name: string): string[] {
  const known = profileNames(policy);
  const chain = [name];
  let current = name;
  for (;;) {
    const parent = fileProfile(policy, current)?.extends;
    if (parent === undefined) return chain.reverse();
    const at = toPointer(["profiles", current, "extends"]);
    if (!known.includes(parent)) {
      throw new PolicyLoadError([
        { path: at, message: `unknown profile "${parent}"${didYouMean(parent, known)}` },
      ]);
    }
    if (chain.includes(parent)) {
      throw new PolicyLoadError([
        {
          path: at,
          message: `extends cycle: ${[...chain.slice(chain.indexOf(parent)), parent].join(" → ")}`,
        },
      ]);
    }
    chain.push(parent);
    current = parent;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clone) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = clone(v);
    return out as T;
  }
  return value;
}

/** Objects merge key by key; arrays and scalars replace; `undefined` never overwrites. */
function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const existing = target[key];
    if (isPlainObject(existing) && isPlainObject(value)) mergeInto(existing, value);
    else target[key] = clone(value);
  }
}

function profileLayer(settings: ProfileSettings | PolicyFile): Layer {
  const {
    extends: _parent,
    $schema: _schema,
    profiles: _profiles,
    ...layer
  } = settings as ProfileSettings & PolicyFile;
  return layer;
}

type Redirect = Exclude<ResolvedProfile["https"]["redirect"], false>;
type Hsts = Exclude<ResolvedProfile["https"]["hsts"], false>;

/** `true` and partial objects become complete settings, so the engine never guesses. */
function normaliseHttps(https: Record<string, unknown>): ResolvedProfile["https"] {
  const { redirect, hsts } = https;
  const redirectDefaults: Redirect = { status: 308, hosts: [], exclude: [], port: 443 };
  const hstsDefaults: Hsts = { maxAge: 31536000, includeSubDomains: false, preload: false };
  return {
    redirect:
      redirect === true
        ? redirectDefaults
        : isPlainObject(redirect)
          ? { ...redirectDefaults, ...(redirect as Partial<Redirect>) }
          : false,
    hsts:
      hsts === true
        ? hstsDefaults
        : isPlainObject(hsts)
          ? { ...hstsDefaults, ...(hsts as Partial<Hsts>) }
          : false,
  };
}

/** A file layer of a profile, with the JSON pointer where it is written. */
interface FileLayer {
  readonly pointer: readonly string[];
  readonly settings: Layer;
}

function fileLayers(policy: PolicyFile, chain: readonly string[]): FileLayer[] {
  const layers: FileLayer[] = [{ pointer: [], settings: profileLayer(policy) }];
  for (const name of chain) {
    const settings = fileProfile(policy, name);
    if (settings) layers.push({ pointer: ["profiles", name], settings: profileLayer(settings) });
  }
  return layers;
}

/** One layer of a profile's merge: where it is written and what it sets. */
export interface ProfileLayer {
  /** `null` when the policy file writes it; else the built-in layer: `"base"` or a built-in profile's name. */
  readonly builtIn: string | null;
  /** Its JSON pointer in the policy file (`[]` for the top level and the built-in layers). */
  readonly pointer: readonly string[];
  readonly settings: Readonly<Record<string, unknown>>;
}

/**
 * A profile's layers in merge order: built-in base → built-in profiles of the chain → the
 * file's top level → the file's profiles of the chain, parents first. A profile that
 * extends `development` thus gets the built-in development settings too, under the file's.
 */
export function profileLayers(policy: PolicyFile, chain: readonly string[]): ProfileLayer[] {
  const layers: ProfileLayer[] = [
    { builtIn: "base", pointer: [], settings: BUILT_IN_BASE as unknown as Layer },
  ];
  for (const name of chain) {
    if (Object.hasOwn(BUILT_IN_PROFILES, name))
      layers.push({ builtIn: name, pointer: [], settings: BUILT_IN_PROFILES[name] as Layer });
  }
  for (const { pointer, settings } of fileLayers(policy, chain))
    layers.push({ builtIn: null, pointer, settings });
  return layers;
}

/** Merges one profile's layers, later ones winning (see `mergeInto`). */
function mergeProfile(policy: PolicyFile, chain: readonly string[]): ResolvedProfile {
  const [base, ...over] = profileLayers(policy, chain);
  const merged = clone((base as ProfileLayer).settings) as Record<string, unknown>;
  for (const layer of over) mergeInto(merged, layer.settings as Record<string, unknown>);
  const profile = merged as unknown as ResolvedProfile;
  profile.https = normaliseHttps(merged.https as Record<string, unknown>);
  return profile;
}

/** Why a cookie's attributes require Secure, in words, or undefined. */
function secureRequirement(name: string, rule: CookieRule, profile: ResolvedProfile) {
  const plan = compilePlans({ ...profile, cookies: { [name]: rule } })(name);
  if (plan.floor.secure !== "never") return undefined;
  const why: string[] = [];
  if (plan.prefix.secure) why.push(`its name prefix ("${name.slice(0, name.indexOf("-") + 1)}")`);
  if (plan.floor.sameSite === "none") why.push('sameSite "none"');
  if (plan.floor.partitioned) why.push("partitioned");
  if (why.length === 0) return undefined;
  const from =
    rule.secure !== undefined
      ? ""
      : plan.sensitive
        ? " (from sensitive.secure)"
        : " (from defaults.secure)";
  return `secure "never"${from} conflicts with ${why.join(" and ")}, which require${why.length === 1 ? "s" : ""} Secure`;
}

/** Load errors of a merged profile: `cookies` rules whose resolved `never` meets a Secure requirement. */
function ruleConflicts(profile: ResolvedProfile, layers: readonly FileLayer[]): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  for (const [name, rule] of Object.entries(profile.cookies)) {
    const message = secureRequirement(name, rule, profile);
    if (message === undefined) continue;
    const writtenIn = layers.findLast((l) => l.settings.cookies?.[name] !== undefined);
    issues.push({
      path: toPointer([...(writtenIn?.pointer ?? []), "cookies", name, "secure"]),
      message,
    });
  }
  return issues;
}

/**
 * Resolves a profile by name without choosing the environment: the building block of
 * `resolveProfile` and of `check`, which resolves every profile.
 */
export function resolveNamedProfile(policy: PolicyFile, name: string): ResolvedProfile {
  const chain = extendsChain(policy, name);
  const profile = mergeProfile(policy, chain);
  const issues = ruleConflicts(profile, fileLayers(policy, chain));
  if (issues.length > 0) throw new PolicyLoadError(issues);
  return profile;
}

/** The active profile (SPEC §2.1). An unknown name is fail-closed: production applies. */
export function resolveProfile(policy: PolicyFile, env?: string): ProfileResolution {
  const requestedEnv = requestedEnvName(env);
  const known = profileNames(policy);
  const diagnostics: Diagnostic[] = [];
  let applied = requestedEnv;
  if (!known.includes(requestedEnv)) {
    applied = FALLBACK_ENV;
    diagnostics.push({
      code: "ENV_UNKNOWN",
      message: `unknown environment "${requestedEnv}": the production profile applies (profiles: ${known.join(", ")})${didYouMean(requestedEnv, known)}`,
    });
  }
  return {
    env: applied,
    requestedEnv,
    profile: resolveNamedProfile(policy, applied),
    diagnostics,
  };
}
