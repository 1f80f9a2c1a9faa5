/** A page the policy redirects to HTTPS (middleware.ts). */
export function GET() {
  return new Response("your account");
}
