import { serialize } from "cookie";
import type { CookieAttributes } from "../types.js";

const asIs = (value: string): string => value;

/**
 * Writes the Set-Cookie value with `cookie` 1.1.1 (SameSite/Priority capitalised as
 * browsers expect). The value arrives already encoded and checked, so it is written as is.
 * Throws a TypeError when `cookie` refuses an attribute; callers turn that into a decision.
 */
export function serializeCookie(name: string, encodedValue: string, a: CookieAttributes): string {
  return serialize(
    {
      name,
      value: encodedValue,
      maxAge: a.maxAge,
      expires: a.expires,
      domain: a.domain,
      path: a.path,
      httpOnly: a.httpOnly,
      secure: a.secure,
      partitioned: a.partitioned,
      priority: a.priority,
      sameSite: a.sameSite,
    },
    { encode: asIs },
  );
}
