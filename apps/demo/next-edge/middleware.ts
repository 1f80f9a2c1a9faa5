/**
 * middleware.ts runs on the Edge runtime (Next 16's proxy.ts runs on Node): refusal of a
 * hostile Host, the HTTPS redirect, HSTS, and the cookies a response set here carries,
 * decided by the policy imported from JSON. Behind one TLS-terminating proxy (trust: 1):
 * the Edge runtime does not know the peer's address.
 */
import { cookiePolicy } from "@scope/cookie-next";
import { NextResponse } from "next/server";
import policy from "./cookie-policy.json";

const cp = cookiePolicy({ config: policy });

export const middleware = cp.proxy((request) => {
  if (new URL(request.url).pathname !== "/login") return undefined;
  const response = NextResponse.json({ ok: true });
  response.cookies.set("sessionId", crypto.randomUUID()); // sensitive: Secure or not sent
  response.cookies.set("theme", "dark");
  return response;
});
