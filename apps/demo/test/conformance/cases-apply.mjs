/**
 * SPEC §2.3 and §4: a Set-Cookie line written straight to the response headers (a session
 * library, `res.setHeader`, a returned Response) obeys the policy as the framework's cookie
 * API does, in every adapter. `GET /raw-set-cookie?name=A&name=B` writes `A=1` and `B=1`
 * that way, bypassing the framework's cookie API. An `error` decision takes the framework's
 * error path (500), and the lines after it are never emitted.
 * Policy "cookies" (production, proxy.trust false): `probe` has no rule (secure auto,
 * HttpOnly, Lax, Path=/); `sessionId` is sensitive (Secure always, dropped over HTTP);
 * `strictErr` requires Secure with onInsecure "error".
 */

const raw = (scheme, names, headers = {}) => ({
  scheme,
  peer: "127.0.0.1",
  method: "GET",
  path: `/raw-set-cookie?${names.map((n) => `name=${n}`).join("&")}`,
  headers,
});

const HSTS = "max-age=63072000; includeSubDomains; preload";
const ok = (cookies, hsts = null) => ({ status: 200, location: null, hsts, cookies });
const applyCase = (id, title, request, expect) => ({
  id,
  title,
  policy: "cookies",
  env: "production",
  request,
  expect,
});

export const applyCases = [
  applyCase(
    "apply-raw-line-http",
    "a line written to the headers gets the policy's attributes: HttpOnly, Lax, Path=/, no Secure over HTTP",
    raw("http", ["probe"]),
    ok({ probe: { secure: false, httpOnly: true, sameSite: "lax", path: "/", value: "1" } }),
  ),
  applyCase(
    "apply-raw-line-https",
    "a line written to the headers is Secure over HTTPS, with HSTS",
    raw("https", ["probe"], { host: "example.com" }),
    ok({ probe: { secure: true, httpOnly: true, sameSite: "lax", path: "/" } }, HSTS),
  ),
  applyCase(
    "apply-raw-line-sensitive-dropped-http",
    "a sensitive cookie written to the headers over HTTP is dropped (onInsecure drop), the others stay",
    raw("http", ["sessionId", "probe"]),
    ok({ sessionId: null, probe: { secure: false, httpOnly: true } }),
  ),
  applyCase(
    "apply-raw-line-sensitive-https",
    "a sensitive cookie written to the headers over HTTPS is Secure, HttpOnly, Strict",
    raw("https", ["sessionId"], { host: "example.com" }),
    ok({ sessionId: { secure: true, httpOnly: true, sameSite: "strict" } }, HSTS),
  ),
  applyCase(
    "apply-raw-line-error",
    "an error decision on a line written to the headers is a 500; neither it nor the lines after it are emitted",
    raw("http", ["strictErr", "probe"]),
    { status: 500, location: null, hsts: null, cookies: { strictErr: null, probe: null } },
  ),
];
