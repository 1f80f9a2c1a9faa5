import { cp } from "../../lib/policy";

export const dynamic = "force-dynamic";

/** The `explain --json` object for this request. */
export const GET = cp.route((_request, _context, ctx) => Response.json(ctx.explain()));
