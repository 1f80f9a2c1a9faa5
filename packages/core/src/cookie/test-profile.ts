import { resolveProfile } from "../policy/resolve.js";
import type { ResolvedProfile } from "../types.js";

/** The built-in base profile as the resolver makes it (an empty file), with test overrides (tests only). */
export function baseProfile(over: Partial<ResolvedProfile> = {}): ResolvedProfile {
  return { ...resolveProfile({}, "production").profile, ...over };
}
