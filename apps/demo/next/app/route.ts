import { renderPage } from "../../src/page.mjs";
import { demo } from "../lib/demo";
import { cp } from "../lib/policy";

export const dynamic = "force-dynamic";

/** The explanation page, the same one every demo server renders. */
export const GET = cp.route(
  (_request, _context, ctx) =>
    new Response(renderPage(ctx, "next", demo), {
      headers: { "content-type": "text/html; charset=utf-8" },
    }),
);
