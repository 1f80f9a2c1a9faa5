export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return Response.json({ cookie: request.headers.get("cookie") });
}
