import type { CookieDecision } from "@scope/cookie-core";
import {
  BAD_BODY,
  cookieList,
  errorAnswer,
  optionsInSeconds,
} from "../../../src/servers/shared.mjs";
import { cp } from "../../lib/policy";

/** Sets each cookie through `cookies()` with the helper; an `error` decision answers 500. */
export async function POST(request: Request) {
  let list: ReturnType<typeof cookieList> = null;
  try {
    list = cookieList(await request.json());
  } catch {
    list = null;
  }
  if (!list) return Response.json(BAD_BODY, { status: 400 });
  const decisions: CookieDecision[] = [];
  try {
    for (const { name, value, options } of list)
      decisions.push(await cp.setCookie(name, value, optionsInSeconds(options)));
  } catch (err) {
    const { status, body } = errorAnswer(err);
    return Response.json(body, { status });
  }
  return Response.json({ decisions });
}
