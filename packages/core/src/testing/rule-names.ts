/**
 * Names, in a finding, the rule that decided an attribute: the policy layer that set it
 * (`defaults`, `sensitive`, a `cookies` rule) or the invariant that forced it. The engine
 * decides; this only says who asked, in the words of the policy file.
 */
import { compilePlans, type PlanLookup, type SettingKey } from "../cookie/plan.js";
import type { CookieDecision, ReasonCode, ResolvedProfile } from "../types.js";

export type SettingName = SettingKey;

const PREFIX = /^(__host-http-|__host-|__http-|__secure-)/i;
const PREFIX_LABEL: Record<string, string> = {
  "__host-http-": "__Host-Http-",
  "__host-": "__Host-",
  "__http-": "__Http-",
  "__secure-": "__Secure-",
};

const INVARIANT: Partial<Record<ReasonCode, string>> = {
  SECURE_REQUIRED_SAMESITE_NONE: "invariant: SameSite=None requires Secure",
  SECURE_REQUIRED_PARTITIONED: "invariant: Partitioned requires Secure",
  HOST_PREFIX_CORRECTED: "invariant: __Host- cookies have Path=/ and no Domain",
  MAXAGE_CAPPED: "invariant: browsers cap a cookie's lifetime at 400 days",
};

export class RuleNames {
  readonly #plans: PlanLookup;

  constructor(profile: ResolvedProfile) {
    this.#plans = compilePlans(profile);
  }

  /** `policy rule "sensitive": secure "always"`: the layer that set this attribute for this cookie (the plan records it). */
  setting(cookie: string, setting: SettingName): string {
    const layer = this.#plans(cookie).setBy[setting];
    if (layer === undefined) return `policy rule "defaults": ${setting} unset`;
    return `policy rule "${layer.path.join(".")}": ${setting} ${JSON.stringify(layer.settings[setting])}`;
  }

  /** Why Secure was decided: the policy's mode when it is "always", else the invariant, else "auto". */
  secure(d: CookieDecision): string {
    const mode = this.#plans(d.name).floor.secure;
    if (mode === "always") return this.setting(d.name, "secure");
    if (d.reasons.includes("SECURE_REQUIRED_PREFIX")) return this.#prefix(d.name, "Secure");
    for (const code of ["SECURE_REQUIRED_SAMESITE_NONE", "SECURE_REQUIRED_PARTITIONED"] as const)
      if (d.reasons.includes(code)) return INVARIANT[code] as string;
    return `${this.setting(d.name, "secure")} on an https request`;
  }

  /** The Secure rule plus the `onInsecure` action that kept the cookie off an insecure request. */
  insecure(d: CookieDecision): string {
    return `${this.secure(d)}; ${this.setting(d.name, "onInsecure").replace(/^policy rule /, "rule ")}`;
  }

  httpOnly(d: CookieDecision): string {
    return d.reasons.includes("HTTPONLY_REQUIRED_PREFIX")
      ? this.#prefix(d.name, "HttpOnly")
      : this.setting(d.name, "httpOnly");
  }

  /** Path / Domain / Max-Age: the invariant when one corrected it, else the policy setting. */
  attribute(
    d: CookieDecision,
    setting: "path" | "domain" | "maxAge" | "sameSite" | "partitioned" | "priority",
  ): string {
    if ((setting === "path" || setting === "domain") && d.reasons.includes("HOST_PREFIX_CORRECTED"))
      return INVARIANT.HOST_PREFIX_CORRECTED as string;
    if (setting === "maxAge" && d.reasons.includes("MAXAGE_CAPPED"))
      return INVARIANT.MAXAGE_CAPPED as string;
    return this.setting(d.name, setting);
  }

  #prefix(cookie: string, what: string): string {
    const found = PREFIX.exec(cookie)?.[1]?.toLowerCase() ?? "__secure-";
    const prefix = PREFIX_LABEL[found] ?? found;
    return `invariant: the ${prefix} prefix requires ${what}`;
  }
}
