import { NextResponse } from "next/server";
import { sessionValue } from "../../../src/servers/shared.mjs";
import { cp } from "../../lib/policy";

/** Sets `sessionId` with Next's own cookie API; the wrapper applies the policy to it. */
export const POST = cp.route(() => {
  const response = NextResponse.json({ ok: true });
  response.cookies.set("sessionId", sessionValue());
  return response;
});
