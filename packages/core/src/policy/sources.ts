/**
 * Where the policy says what it says: for each setting of a resolved profile, and for
 * each attribute of a cookie, the place that wrote the value that applies
 * (`profiles.development.sensitive.secure = "auto"`). For explanations (the demo page,
 * `explain`); the engine never reads it.
 *
 * The layers and their order are the engine's own: `profileLayers` of `resolveProfile`
 * (SPEC §2.1) and the layers a cookie's plan records (§2.3); sources.test.ts holds every
 * value named to the one the engine resolved.
 */
import { compilePlans, SETTING_KEYS } from "../cookie/plan.js";
import type { CookieSettings, PolicyFile } from "../types.js";
import { extendsChain, type ProfileLayer, profileLayers, resolveProfile } from "./resolve.js";

/** The place a setting's value is written. */
export interface SettingSource {
  /** Its path: in the policy file (`["profiles", "development", "sensitive", "secure"]`), or in the built-in layer. */
  readonly path: readonly string[];
  /** `null` when the policy file wrote it; else the built-in layer: `"base"` or a built-in profile's name. */
  readonly builtIn: string | null;
  /** The value as written there (frozen). */
  readonly value: unknown;
}

/** The attributes a cookie's policy floor sets, each with the place that decided it. */
export type CookieSources = Readonly<Partial<Record<keyof CookieSettings, SettingSource>>>;

export interface PolicySources {
  /** The profile applied (production when the requested one is unknown, as in the engine). */
  readonly env: string;
  /** Where a resolved setting was last written, by its path in the resolved profile (`["https", "hsts"]`). */
  setting(path: readonly string[]): SettingSource | undefined;
  /** Where each policy attribute of a cookie by this name comes from: `defaults`, `sensitive` or its `cookies` rule. */
  cookie(name: string): CookieSources;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function frozen<T>(value: T): T {
  if (Array.isArray(value)) return Object.freeze(value.map(frozen)) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = frozen(v);
    return Object.freeze(out) as T;
  }
  return value;
}

const KEY_SEPARATOR = "\u0000";

/**
 * Records, for each path a layer writes, that layer as its source. Objects merge key by
 * key (an object is also the source of its own path); a scalar or array replaces the
 * whole subtree, so the sources beneath it go.
 */
function record(
  sources: Map<string, SettingSource>,
  layer: ProfileLayer,
  value: Readonly<Record<string, unknown>>,
  at: readonly string[],
): void {
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const path = [...at, key];
    const id = path.join(KEY_SEPARATOR);
    if (!isPlainObject(v)) {
      for (const other of sources.keys()) {
        if (other.startsWith(id + KEY_SEPARATOR)) sources.delete(other);
      }
    }
    sources.set(
      id,
      frozen({ path: [...layer.pointer, ...path], builtIn: layer.builtIn, value: frozen(v) }),
    );
    if (isPlainObject(v)) record(sources, layer, v, path);
  }
}

/**
 * The sources of one profile of a valid policy file (as `validatePolicy` or
 * `loadPolicyFile` give it): `env` as the engine takes it (an unknown name means
 * production). Throws `PolicyLoadError` where the engine would refuse the profile.
 */
export function policySources(file: PolicyFile, env?: string): PolicySources {
  const resolution = resolveProfile(file, env);
  const sources = new Map<string, SettingSource>();
  for (const layer of profileLayers(file, extendsChain(file, resolution.env))) {
    record(sources, layer, layer.settings, []);
  }
  const setting = (path: readonly string[]) => sources.get(path.join(KEY_SEPARATOR));

  const profile = resolution.profile;
  const planFor = compilePlans(profile);

  return Object.freeze({
    env: resolution.env,
    setting,
    cookie(name: string): CookieSources {
      const out: Partial<Record<keyof CookieSettings, SettingSource>> = {};
      // The floor's own layers, in its order: later ones win key by key.
      for (const { path } of planFor(name).layers) {
        for (const key of SETTING_KEYS) {
          const source = setting([...path, key]);
          if (source !== undefined) out[key] = source;
        }
      }
      return Object.freeze(out);
    },
  });
}

/** `profiles.development.sensitive.secure`, with `["…"]` for segments that are not plain words. */
export function formatSettingPath(path: readonly string[]): string {
  return path
    .map((segment, i) =>
      /^[A-Za-z_$][\w$]*$/.test(segment)
        ? `${i === 0 ? "" : "."}${segment}`
        : `[${JSON.stringify(segment)}]`,
    )
    .join("");
}
