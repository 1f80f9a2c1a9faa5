import { MISSING_THEME } from "../../../src/servers/shared.mjs";

export const dynamic = "force-dynamic";

/** proxy.ts has already set the `theme` cookie; this answers. */
export function GET(request: Request) {
  const theme = new URL(request.url).searchParams.get("theme");
  if (!theme) return Response.json(MISSING_THEME, { status: 400 });
  return Response.json({ ok: true, theme });
}
