import { rawSetCookieLines } from "../../../src/servers/shared.mjs";
import { cp } from "../../lib/policy";

export const dynamic = "force-dynamic";

/** Lines written straight to a returned Response's headers; the route wrapper decides them. */
export const GET = cp.route((request: Request) => {
  const headers = new Headers({ "content-type": "application/json" });
  for (const line of rawSetCookieLines(request.url)) headers.append("Set-Cookie", line);
  return new Response('{"ok":true}', { headers });
});
