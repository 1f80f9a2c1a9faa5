import { demo } from "../../lib/demo";
import { cp } from "../../lib/policy";

export const dynamic = "force-dynamic";

/** The `explain --json` object for this request. */
export const GET = cp.route((_request, _context, ctx) => Response.json(ctx.explain()));

/** The "try a request" panel's question (apps/demo/src/explain.mjs), as every demo server answers it. */
export async function POST(request: Request) {
  const { status, headers, body } = demo.answer(await request.text());
  return Response.json(body, { status, headers });
}
