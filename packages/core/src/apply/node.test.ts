/**
 * applyNodeVerdict(ctx, res) over a real node:http server: refusal and redirect answered,
 * HSTS set, every Set-Cookie line decided whichever way it was written (SPEC §2.3, §2.4).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Served, send, serve } from "@scope/test-support";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseSetCookie } from "../cookie/parse.js";
import { createCookiePolicy } from "../engine.js";
import { nodeRequest } from "../request/node-view.js";
import type { CookiePolicyError } from "../types.js";
import { applyNodeVerdict } from "./node.js";

const policy = createCookiePolicy(
  {
    proxy: { trust: false },
    https: {
      redirect: { hosts: ["app.test"], exclude: ["/error", "/hooked", "/hooked-replace"] },
      hsts: { maxAge: 600 },
    },
    defaults: { secure: "auto", httpOnly: true, sameSite: "lax", path: "/", onInsecure: "drop" },
    cookies: { strictErr: { secure: "always", onInsecure: "error" }, sid: { secure: "always" } },
  },
  { env: "production", onReport: () => {} },
);

type Route = (res: ServerResponse) => void;
const routes: Record<string, Route> = {
  "/set-header": (res) => {
    res.setHeader("Set-Cookie", ["a=1", "b=2; SameSite=Strict"]);
    res.end("ok");
  },
  "/write-head-object": (res) => res.writeHead(200, { "Set-Cookie": "a=1" }).end("ok"),
  // A list replaces what was set before (Node's writeHead), keeping each of its own lines.
  "/write-head-flat": (res) => {
    res.setHeader("Set-Cookie", "old=0");
    res.writeHead(200, "OK", ["Set-Cookie", "a=1", "X-Other", "1", "Set-Cookie", "b=2"]).end();
  },
  "/error": (res) => {
    res.setHeader("Set-Cookie", ["a=1", "strictErr=1", "c=3"]);
    res.end("ok");
  },
};

/**
 * A header hook wrapped before the verdict is applied, as on-headers leaves one when
 * express-session is mounted before the policy: it runs inside the applier's `writeHead`
 * and sets its lines as Node's is called.
 */
const hooks: Record<string, (res: ServerResponse) => void> = {
  "/hooked": (res) => {
    const prev = res.getHeader("Set-Cookie") as string[];
    res.setHeader("Set-Cookie", [...prev, "late=1"]);
    res.appendHeader("Set-Cookie", "sid=2");
  },
  "/hooked-replace": (res) => res.setHeader("Set-Cookie", "sid=3"),
};
const hookedRoute: Route = (res) => {
  res.setHeader("Set-Cookie", ["a=1"]);
  res.end("ok");
};
routes["/hooked"] = routes["/hooked-replace"] = hookedRoute;

let served: Served;
let lastError: CookiePolicyError | undefined;

function handle(req: IncomingMessage, res: ServerResponse) {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  const hook = hooks[path];
  if (hook !== undefined) {
    const writeHead = res.writeHead;
    res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      hook(res);
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as ServerResponse["writeHead"];
  }
  const ctx = policy.decideRequest(nodeRequest(req));
  if (applyNodeVerdict(ctx, res)) return;
  try {
    routes[path]?.(res);
  } catch (error) {
    lastError = error as CookiePolicyError;
    res.statusCode = 500;
    res.end();
  }
}

beforeAll(async () => {
  served = await serve(handle);
});
afterAll(() => served.close());

const host = { host: "app.test" };

/** Each line as `name=value` and the attributes a browser would keep. */
const parsed = (lines: readonly string[]) =>
  lines.map((line) => {
    const c = parseSetCookie(line);
    const o = c?.options ?? {};
    return {
      cookie: `${c?.name}=${c?.value}`,
      secure: o.secure === true,
      httpOnly: o.httpOnly === true,
      sameSite: o.sameSite,
    };
  });
const lax = (cookie: string, secure: boolean) => ({
  cookie,
  secure,
  httpOnly: true,
  sameSite: "lax",
});

describe("applyNodeVerdict(ctx, res)", () => {
  test("an HTTP request is redirected with an empty body", async () => {
    const r = await send(`${served.http}/set-header?x=1`, { headers: host });
    expect(r.status).toBe(308);
    expect(r.headers.location).toBe("https://app.test/set-header?x=1");
    expect(r.body).toBe("");
  });

  test("a Host outside the allow-list is never the redirect target", async () => {
    const r = await send(`${served.http}/`, { headers: { host: "evil.test" } });
    expect(r.headers.location).toBe("https://app.test/");
  });

  test("lines written with res.setHeader are decided, HSTS set over HTTPS", async () => {
    const r = await send(`${served.https}/set-header`, { headers: host });
    expect(r.headers["strict-transport-security"]).toBe("max-age=600");
    // The policy fills what a line omits; a stricter SameSite at the call site stands.
    expect(parsed(r.setCookie)).toEqual([
      lax("a=1", true),
      { cookie: "b=2", secure: true, httpOnly: true, sameSite: "strict" },
    ]);
  });

  test("lines in writeHead's headers, as an object or a flat list, are decided", async () => {
    const object = await send(`${served.https}/write-head-object`, { headers: host });
    expect(parsed(object.setCookie)).toEqual([lax("a=1", true)]);
    const list = await send(`${served.https}/write-head-flat`, { headers: host });
    expect(parsed(list.setCookie)).toEqual([lax("a=1", true), lax("b=2", true)]);
    expect(list.headers["x-other"]).toBe("1");
  });

  test("an error decision throws its typed error; the lines after it are never emitted", async () => {
    lastError = undefined;
    const r = await send(`${served.http}/error`, { headers: host });
    expect(r.status).toBe(500);
    expect(lastError).toMatchObject({ code: "INSECURE_TRANSPORT_ERROR", cookie: "strictErr" });
    // a=1 was decided before the error; c=3 came after it and is not emitted.
    expect(parsed(r.setCookie)).toEqual([lax("a=1", false)]);
  });

  test("over HTTPS the same lines are all decided and emitted", async () => {
    const r = await send(`${served.https}/error`, { headers: host });
    expect(r.status).toBe(200);
    expect(parsed(r.setCookie).map((c) => c.cookie)).toEqual(["a=1", "strictErr=1", "c=3"]);
  });

  test("lines set by a header hook wrapped before the verdict was applied are decided", async () => {
    const https = await send(`${served.https}/hooked`, { headers: host });
    expect(parsed(https.setCookie)).toEqual([
      lax("a=1", true),
      lax("late=1", true),
      lax("sid=2", true),
    ]);
    // Over HTTP sid (Secure always, onInsecure drop) is dropped, whichever way it was set.
    const http = await send(`${served.http}/hooked`, { headers: host });
    expect(parsed(http.setCookie)).toEqual([lax("a=1", false), lax("late=1", false)]);
    // setHeader replaces: a=1 goes, and sid=3, dropped, leaves no line at all.
    const replaced = await send(`${served.http}/hooked-replace`, { headers: host });
    expect(replaced.status).toBe(200);
    expect(replaced.setCookie).toEqual([]);
  });
});
