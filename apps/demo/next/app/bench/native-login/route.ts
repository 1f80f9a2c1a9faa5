import { cookies } from "next/headers";
import { sessionValue } from "../../../../src/servers/shared.mjs";

/** Bench baseline: `/login` with Next's native `cookies().set`, the attributes the policy decides over HTTP (development). */
export async function POST() {
  (await cookies()).set("sessionId", sessionValue(), {
    httpOnly: true,
    sameSite: "strict",
    maxAge: 3600,
    path: "/",
  });
  return Response.json({ ok: true });
}
