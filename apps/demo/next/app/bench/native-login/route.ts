import { cookies } from "next/headers";
import { sessionValue } from "../../../../src/servers/shared.mjs";

/**
 * Bench baseline: `/login` with Next's native `cookies().set` and Next's own trust of
 * X-Forwarded-Proto (it builds `request.url` from that header), setting the attributes the
 * bench policy decides for sessionId: Secure when the request arrived as https.
 */
export async function POST(request: Request) {
  (await cookies()).set("sessionId", sessionValue(), {
    httpOnly: true,
    sameSite: "strict",
    maxAge: 3600,
    path: "/",
    secure: new URL(request.url).protocol === "https:",
  });
  return Response.json({ ok: true });
}
