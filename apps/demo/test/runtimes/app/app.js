import { cookiePolicy } from "@scope/cookie-hono";
import { Hono } from "hono";
import { setCookie } from "hono/cookie";
import policy from "./cookie-policy.json" with { type: "json" };

/** One app for every runtime; each entry says what its runtime knows of the connection. */
export function createApp({ env, getConnInfo, tls } = {}) {
  const app = new Hono();
  app.use(cookiePolicy({ config: policy, env, getConnInfo, tls }));
  app.post("/login", (c) => {
    setCookie(c, "sessionId", crypto.randomUUID()); // sensitive: Secure, or not sent at all
    setCookie(c, "theme", "dark");
    return c.json(c.var.cookiePolicy.transport);
  });
  app.get("/account", (c) => c.text("your account")); // redirected to HTTPS
  return app;
}
