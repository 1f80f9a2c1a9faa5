/**
 * A cookie name's plan: what its decisions share on every request (the policy floor and the
 * layers it is merged from, the prefix rules, and the decisions kept per transport state).
 */
import { BoundedCache } from "../bounded-cache.js";
import type {
  CookieAttributes,
  CookieSettings,
  OnInsecure,
  Priority,
  ReasonCode,
  ResolvedProfile,
  SameSite,
  SecureMode,
} from "../types.js";
import { isCookieName, MAX_COOKIE_OCTETS, type PrefixRules, prefixRules } from "./invariants.js";
import { compileRuleLookup } from "./resolve-rule.js";

/** The policy's resolved attributes for one cookie name: the floor a call site may only raise. */
export interface CookieFloor {
  readonly secure: SecureMode;
  readonly httpOnly: boolean;
  readonly sameSite: SameSite;
  readonly path: string;
  readonly domain: string | undefined;
  readonly maxAge: number | undefined;
  readonly partitioned: boolean;
  readonly priority: Priority | undefined;
  readonly onInsecure: OnInsecure;
}

/**
 * A layer of the policy a cookie's floor is merged from, as the resolved profile names it:
 * `["defaults"]`, `["sensitive"]` or `["cookies", key]` of the matching rule.
 */
export interface PolicyLayer {
  readonly path: readonly string[];
  readonly settings: CookieSettings;
}

export type SettingKey = (typeof SETTING_KEYS)[number];

/** Everything about a cookie name that does not depend on the request: computed once per name. */
export interface CookiePlan {
  readonly name: string;
  readonly validName: boolean;
  /** The name alone exceeds the size limit: refused before any rule is matched against it. */
  readonly tooLarge: boolean;
  readonly sensitive: boolean;
  readonly floor: CookieFloor;
  /** The layers the floor is merged from, in order: later ones win key by key. */
  readonly layers: readonly PolicyLayer[];
  /** The layer that set each attribute of the floor (absent: no layer set it). */
  readonly setBy: Readonly<Partial<Record<SettingKey, PolicyLayer>>>;
  /** A Domain written by the matching rule is fixed; a call site cannot move it. */
  readonly ruleDomain: string | undefined;
  readonly prefix: PrefixRules;
  /** Option-less decisions by transport state [insecure, secure, localhost secure context], filled on first use. */
  readonly templates: [DecisionTemplate?, DecisionTemplate?, DecisionTemplate?];
  /** Decisions of lines the app wrote itself, by transport state as above, then attributes (see `rememberedLineDecision`). */
  readonly written: readonly [WrittenTemplates, WrittenTemplates, WrittenTemplates];
}

/** Written lines' templates by attributes, a few per name: arbitrary attribute strings cannot grow memory. */
type WrittenTemplates = BoundedCache<DecisionTemplate>;
const WRITTEN_LIMIT = 16;

/** A cookie decided without call-site options: fixed per name and transport state. */
export interface DecisionTemplate {
  readonly action: "set" | "drop";
  readonly secure: boolean;
  /** The header after `name=value` (`; Max-Age=…; Path=/…`), serialized by `cookie`; null when dropped. */
  readonly tail: string | null;
  readonly attributes: CookieAttributes | null;
  readonly reasons: readonly ReasonCode[];
}

export type PlanLookup = (name: string) => CookiePlan;

/** Plans of names seen at run time are cached up to this many, so arbitrary names cannot grow memory. */
const PLAN_CACHE_LIMIT = 1000;

/** The attributes a policy layer sets for a cookie (`defaults`, `sensitive`, a `cookies` rule). */
export const SETTING_KEYS = [
  "secure",
  "httpOnly",
  "sameSite",
  "path",
  "domain",
  "maxAge",
  "partitioned",
  "priority",
  "onInsecure",
] as const satisfies readonly (keyof CookieSettings)[];

/**
 * Compiles the profile's cookie settings once: built-in defaults (already in
 * `profile.defaults`) → `defaults` → `sensitive` (when sensitive) → the one matching rule.
 * Later layers win key by key; `undefined` never overwrites.
 */
export function compilePlans(profile: ResolvedProfile): PlanLookup {
  const findRule = compileRuleLookup(profile.cookies);
  const patterns = profile.sensitive.patterns.map((p) => p.toLowerCase()).filter((p) => p);
  const cache = new BoundedCache<CookiePlan>(PLAN_CACHE_LIMIT);
  const defaults: PolicyLayer = { path: ["defaults"], settings: profile.defaults };
  const sensitiveLayer: PolicyLayer = { path: ["sensitive"], settings: profile.sensitive };
  const ruleLayers = new Map<CookieSettings, PolicyLayer>(
    Object.entries(profile.cookies).map(([key, rule]) => [
      rule,
      { path: ["cookies", key], settings: rule },
    ]),
  );

  const build = (name: string): CookiePlan => {
    const tooLarge = name.length > MAX_COOKIE_OCTETS;
    const rule = tooLarge ? undefined : findRule(name);
    let sensitive: boolean;
    if (rule?.sensitive !== undefined) sensitive = rule.sensitive;
    else {
      const lower = name.toLowerCase();
      sensitive = !tooLarge && patterns.some((p) => lower.includes(p));
    }
    const layers = [defaults];
    if (sensitive) layers.push(sensitiveLayer);
    const matched = rule === undefined ? undefined : ruleLayers.get(rule);
    if (matched !== undefined) layers.push(matched);
    const setBy: Partial<Record<SettingKey, PolicyLayer>> = {};
    const merged: Record<string, unknown> = {};
    for (const layer of layers) {
      for (const key of SETTING_KEYS) {
        if (layer.settings[key] === undefined) continue;
        merged[key] = layer.settings[key];
        setBy[key] = layer;
      }
    }
    const floor = merged as unknown as CookieFloor;
    return {
      name,
      validName: isCookieName(name),
      tooLarge,
      sensitive,
      layers,
      setBy,
      floor: {
        secure: floor.secure,
        httpOnly: floor.httpOnly === true,
        sameSite: floor.sameSite,
        path: floor.path,
        domain: floor.domain,
        maxAge: floor.maxAge,
        partitioned: floor.partitioned === true,
        priority: floor.priority,
        onInsecure: floor.onInsecure,
      },
      ruleDomain: rule?.domain,
      prefix: prefixRules(name),
      templates: [],
      written: [
        new BoundedCache(WRITTEN_LIMIT),
        new BoundedCache(WRITTEN_LIMIT),
        new BoundedCache(WRITTEN_LIMIT),
      ],
    };
  };

  // A name too large to be a cookie is not kept: arbitrary names cannot grow memory.
  return (name) =>
    cache.get(name) ??
    (name.length > MAX_COOKIE_OCTETS ? build(name) : cache.set(name, build(name)));
}
