/**
 * Set-Cookie lines written without `res.cookie()` (express-session's on-headers hook,
 * `res.append`, `res.setHeader`) obey the policy too, and `req.secure` / `req.protocol`
 * answer from it. Lines written to the headers in general are core's applier's tests
 * and the conformance suite's (cases-apply.mjs).
 */
import type { CookieDecision, PolicyFile, ReportEvent } from "@scope/cookie-core";
import { type Served, send, serve } from "@scope/test-support";
import express, { type Express } from "express";
import session, { type SessionOptions } from "express-session";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CookiePolicyOptions, cookiePolicy } from "./index.js";

declare module "express-session" {
  interface SessionData {
    user: string;
  }
}

const policy: PolicyFile = {
  proxy: { trust: ["127.0.0.2/32"] },
  defaults: { httpOnly: true, sameSite: "lax", onInsecure: "drop" },
  sensitive: { sameSite: "strict" },
  cookies: {
    theme: { httpOnly: false, maxAge: 31536000 },
  },
};

/** Requests over plain HTTP from a trusted proxy (127.0.0.2) and from an untrusted peer. */
const behindProxy = {
  localAddress: "127.0.0.2",
  headers: { "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7" },
} as const;
const spoofed = {
  localAddress: "127.0.0.3",
  headers: { "X-Forwarded-Proto": "https" },
} as const;

interface Setup {
  readonly policy?: CookiePolicyOptions;
  readonly session?: SessionOptions["cookie"];
  readonly express?: (app: Express) => void;
}

/** The documented order: cookiePolicy() first, then express-session (no `trust proxy` set). */
function sessionApp(setup: Setup, reports: ReportEvent[] = []) {
  const app = express();
  setup.express?.(app);
  app.use(
    cookiePolicy({
      config: policy,
      env: "production",
      onReport: (e) => reports.push(e),
      ...setup.policy,
    }),
  );
  app.use(
    session({
      secret: "keyboard cat",
      resave: false,
      saveUninitialized: false,
      cookie: setup.session,
    }),
  );
  app.get("/login", (req, res) => {
    req.session.user = "ada";
    res.json({ secure: req.secure, protocol: req.protocol });
  });
  app.get("/me", (req, res) => {
    res.json({ user: req.session.user ?? null });
  });
  const sub = express();
  sub.get("/where", (req, res) => {
    res.cookie("theme", "dark").json({ secure: req.secure, protocol: req.protocol });
  });
  app.use("/sub", sub);
  return app;
}

const codes = (reports: ReportEvent[]) => reports.map((r) => `${r.code} ${r.cookie ?? ""}`.trim());

describe("express-session with cookie.secure: true, behind cookiePolicy()", () => {
  const reports: ReportEvent[] = [];
  let served: Served;
  beforeAll(async () => {
    served = await serve(sessionApp({ session: { secure: true } }, reports));
  });
  afterAll(() => served.close());

  it("keeps the session behind a trusted proxy (127.0.0.2, X-Forwarded-Proto: https)", async () => {
    const r = await send(`${served.http}/login`, behindProxy);
    expect(JSON.parse(r.body)).toEqual({ secure: true, protocol: "https" });
    expect(r.cookies["connect.sid"]).toMatchObject({
      secure: true,
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
    });
    // The browser sends it back: the session is found again.
    const sid = r.setCookie[0]?.split(";")[0] ?? "";
    const me = await send(`${served.http}/me`, {
      ...behindProxy,
      headers: { ...behindProxy.headers, Cookie: sid },
    });
    expect(JSON.parse(me.body)).toEqual({ user: "ada" });
  });

  it("req.secure and res.cookie follow the policy in a mounted sub-app too", async () => {
    const r = await send(`${served.http}/sub/where`, behindProxy);
    expect(JSON.parse(r.body)).toEqual({ secure: true, protocol: "https" });
    expect(r.cookies.theme).toMatchObject({ value: "dark", secure: true, maxAge: 31536000 });
  });

  it("sets it Secure over HTTPS", async () => {
    const r = await send(`${served.https}/login`);
    expect(r.cookies["connect.sid"]).toMatchObject({ secure: true, httpOnly: true });
  });

  it("does not send it from an untrusted peer with a spoofed X-Forwarded-Proto", async () => {
    const r = await send(`${served.http}/login`, spoofed);
    expect(JSON.parse(r.body)).toEqual({ secure: false, protocol: "http" });
    expect(r.setCookie).toEqual([]);
  });
});

describe("express-session shipping its cookie over plain HTTP (cookie.secure: false)", () => {
  const reports: ReportEvent[] = [];
  let served: Served;
  beforeAll(async () => {
    served = await serve(sessionApp({ session: { secure: false } }, reports));
  });
  afterAll(() => served.close());

  it("drops the session cookie on a spoofed X-Forwarded-Proto (sensitive: secure always, onInsecure: drop)", async () => {
    const r = await send(`${served.http}/login`, spoofed);
    expect(r.status).toBe(200);
    expect(r.setCookie).toEqual([]);
    expect(codes(reports)).toContain("INSECURE_TRANSPORT_DROPPED connect.sid");
  });

  it("adds Secure and SameSite=Strict from the policy behind a trusted proxy", async () => {
    const r = await send(`${served.http}/login`, behindProxy);
    expect(r.cookies["connect.sid"]).toMatchObject({
      secure: true,
      httpOnly: true,
      sameSite: "Strict",
    });
  });
});

describe("Express's own `trust proxy` does not override the policy", () => {
  let served: Served;
  beforeAll(async () => {
    const trustEveryone = (app: Express) => app.set("trust proxy", true);
    served = await serve(sessionApp({ session: { secure: true }, express: trustEveryone }));
  });
  afterAll(() => served.close());

  it("req.secure follows the policy's transport, not `trust proxy: true`", async () => {
    const r = await send(`${served.http}/login`, spoofed);
    expect(JSON.parse(r.body)).toEqual({ secure: false, protocol: "http" });
    expect(r.setCookie).toEqual([]);
  });
});

describe("report-only leaves express-session as it was", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve(
      sessionApp({ session: { secure: true }, policy: { mode: "report-only" } }),
    );
  });
  afterAll(() => served.close());

  it("does not change req.secure (Express's answer: plain HTTP, no session cookie)", async () => {
    const r = await send(`${served.http}/login`, behindProxy);
    expect(JSON.parse(r.body)).toEqual({ secure: false, protocol: "http" });
    expect(r.setCookie).toEqual([]);
  });
});

describe("res.append / res.setHeader Set-Cookie lines", () => {
  const reports: ReportEvent[] = [];
  const decided: (readonly CookieDecision[])[] = [];
  let served: Served;
  let reportOnly: Served;
  function app(options: CookiePolicyOptions) {
    const a = express();
    a.use(
      cookiePolicy({
        config: policy,
        env: "production",
        onReport: (e) => reports.push(e),
        ...options,
      }),
    );
    a.use((req, res, next) => {
      res.on("finish", () => decided.push(req.cookiePolicy.decisions));
      next();
    });
    a.get("/set-header", (_req, res) => {
      res.setHeader("Set-Cookie", "sid=1");
      res.send("ok");
    });
    a.get("/append", (_req, res) => {
      res.append("Set-Cookie", ["theme=dark", "lang=fr; HttpOnly"]).send("ok");
    });
    a.get("/mixed", (_req, res) => {
      res.cookie("theme", "dark");
      res.append("Set-Cookie", "sid=2; Path=/");
      res.send("ok");
    });
    return a;
  }
  beforeAll(async () => {
    served = await serve(app({}));
    reportOnly = await serve(app({ mode: "report-only" }));
  });
  afterAll(async () => {
    await Promise.all([served.close(), reportOnly.close()]);
  });

  it("res.append('Set-Cookie', [...]): each line decided by its own rule", async () => {
    const r = await send(`${served.http}/append`);
    expect(r.cookies.theme).toMatchObject({ value: "dark", maxAge: 31536000 });
    expect(r.cookies.theme?.httpOnly).toBeFalsy();
    expect(r.cookies.lang).toMatchObject({ value: "fr", httpOnly: true, sameSite: "Lax" });
    expect(r.cookies.lang?.secure).toBeFalsy();
  });

  it("decides res.cookie()'s own line once and the foreign one at header time", async () => {
    const r = await send(`${served.https}/mixed`);
    expect(r.setCookie).toHaveLength(2);
    expect(r.cookies.theme).toMatchObject({ value: "dark", secure: true });
    expect(r.cookies.sid).toMatchObject({ value: "2", secure: true, sameSite: "Strict" });
    expect(decided.at(-1)?.map((d) => d.name)).toEqual(["theme", "sid"]);
  });

  it("report-only emits the line as written and reports what enforce would do", async () => {
    const r = await send(`${reportOnly.http}/set-header`);
    expect(r.setCookie).toEqual(["sid=1"]);
    expect(decided.at(-1)?.[0]?.wouldBe).toMatchObject({ action: "drop", header: null });
    expect(codes(reports)).toContain("REPORT_ONLY sid");
  });
});
