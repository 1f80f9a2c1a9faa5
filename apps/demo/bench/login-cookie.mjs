/** How the benches show the cookie a variant sent, so a reader can see they all send the same. */
import { request } from "node:http";
import setCookieParser from "set-cookie-parser";

/** The first cookie of Set-Cookie lines, as attributes (value and Expires left out: they vary). */
export function describeCookie(lines) {
  const [c] = setCookieParser.parse(lines);
  if (!c) return "(no cookie)";
  return `${c.name} Max-Age=${c.maxAge ?? "-"} Path=${c.path} HttpOnly=${Boolean(c.httpOnly)} Secure=${Boolean(c.secure)} SameSite=${c.sameSite?.toLowerCase()}`;
}

/** POSTs to `url` once (with `headers`) and describes the cookie the answer sets. */
export function loginCookie(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers }, (res) => {
      res.resume();
      resolve(describeCookie(res.headers["set-cookie"] ?? []));
    });
    req.on("error", reject);
    req.end();
  });
}
