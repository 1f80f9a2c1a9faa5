/**
 * Where `cookiePolicy()` sits among other middleware. Its own file, so the very first
 * request this process's Express serves is the first one below: express-session, mounted
 * first, takes `res.writeHead` on it, and its cookie must be decided all the same.
 */
import type { PolicyFile } from "@scope/cookie-core";
import { type Served, send, serve } from "@scope/test-support";
import express from "express";
import session from "express-session";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookiePolicy } from "./index.js";

const policy: PolicyFile = {
  proxy: { trust: ["127.0.0.2/32"] },
  defaults: { httpOnly: true, sameSite: "lax", onInsecure: "drop" },
  sensitive: { sameSite: "strict" },
};
const options = { config: policy, env: "production", onReport: () => {} };

describe("express-session mounted before cookiePolicy()", () => {
  let served: Served;
  beforeAll(async () => {
    const app = express();
    const cookie = { secure: true }; // sent only when req.secure: the policy's verdict
    app.use(session({ secret: "keyboard cat", resave: false, saveUninitialized: false, cookie }));
    app.use(cookiePolicy(options));
    app.get("/login", (req, res) => {
      (req.session as unknown as { user: string }).user = "ada";
      res.send("ok");
    });
    served = await serve(app);
  });
  afterAll(() => served.close());

  it("its cookie is decided from the first request on: Secure and Strict over HTTPS", async () => {
    for (let i = 0; i < 2; i++) {
      const r = await send(`${served.https}/login`);
      expect(r.cookies["connect.sid"], `request ${i + 1}`).toMatchObject({
        secure: true,
        httpOnly: true,
        sameSite: "Strict",
      });
    }
  });

  it("req.secure is the policy's verdict for it: sent behind a trusted proxy, not on a spoof", async () => {
    const headers = { "X-Forwarded-Proto": "https" };
    const proxied = await send(`${served.http}/login`, {
      localAddress: "127.0.0.2",
      headers,
    });
    expect(proxied.cookies["connect.sid"]).toMatchObject({ secure: true, sameSite: "Strict" });
    const spoofed = await send(`${served.http}/login`, {
      localAddress: "127.0.0.3",
      headers,
    });
    expect(spoofed.body).toBe("ok");
    expect(spoofed.setCookie).toEqual([]);
  });
});

describe("routes mounted before cookiePolicy()", () => {
  let served: Served;
  beforeAll(async () => {
    const app = express();
    const set = (_req: express.Request, res: express.Response) => {
      res.cookie("sessionId", "abc").json({ decided: res.req.cookiePolicy !== undefined });
    };
    app.get("/before", set);
    app.use(cookiePolicy(options));
    app.get("/after", set);
    served = await serve(app);
  });
  afterAll(() => served.close());

  it("keep Express's own res.cookie and req.cookiePolicy is undefined there", async () => {
    const r = await send(`${served.http}/before`);
    expect(JSON.parse(r.body)).toEqual({ decided: false });
    expect(r.setCookie).toEqual(["sessionId=abc; Path=/"]);
  });

  it("while routes after it are decided", async () => {
    const r = await send(`${served.http}/after`);
    expect(JSON.parse(r.body)).toEqual({ decided: true });
    expect(r.setCookie).toEqual([]); // sessionId is sensitive: dropped over HTTP
  });
});
