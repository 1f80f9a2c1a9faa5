/**
 * proxy.ts: refusal of hostile hosts, HTTPS redirect and HSTS for every request, and a
 * cookie set here (the `theme` of `GET /prefs?theme=NAME`), decided by the policy.
 */
import { NextResponse } from "next/server";
import { cp } from "./lib/policy";

export const proxy = cp.proxy((request) => {
  const url = new URL(request.url);
  const theme = url.searchParams.get("theme");
  if (url.pathname !== "/prefs" || !theme) return undefined;
  const response = NextResponse.next();
  response.cookies.set("theme", theme);
  return response;
});
