import { NextResponse } from "next/server";
import { cp } from "../../lib/policy";

/** Clears `sessionId` with Next's own cookie API; the wrapper applies the policy to it. */
export const POST = cp.route(() => {
  const response = NextResponse.json({ ok: true });
  response.cookies.delete("sessionId");
  return response;
});
