import { parseSetCookie as parseWithCookie } from "cookie";
import type { CookieOptions } from "../types.js";

export interface ParsedSetCookie {
  readonly name: string;
  /** The value exactly as written (not decoded). */
  readonly value: string;
  /** The attributes present, in the policy's vocabulary (`maxAge` in seconds). */
  readonly options: CookieOptions;
}

const asIs = (value: string): string => value;

/**
 * The one Set-Cookie parser (engine, CLI, adapters, testing helpers). Attributes present
 * become call-site options; unknown or malformed attributes are ignored. Returns null for
 * a line without `name=`. Never throws.
 */
export function parseSetCookie(line: string): ParsedSetCookie | null {
  if (typeof line !== "string") return null;
  const parsed = parseWithCookie(line, { decode: asIs });
  if (parsed.name === "") return null;
  const options: CookieOptions = {};
  if (parsed.maxAge !== undefined) options.maxAge = parsed.maxAge;
  if (parsed.expires !== undefined) options.expires = parsed.expires;
  if (parsed.domain !== undefined) options.domain = parsed.domain;
  if (parsed.path !== undefined) options.path = parsed.path;
  if (parsed.secure) options.secure = true;
  if (parsed.httpOnly) options.httpOnly = true;
  if (parsed.sameSite !== undefined && parsed.sameSite !== true && parsed.sameSite !== false)
    options.sameSite = parsed.sameSite;
  if (parsed.partitioned) options.partitioned = true;
  if (parsed.priority !== undefined) options.priority = parsed.priority;
  return { name: parsed.name, value: parsed.value ?? "", options };
}
