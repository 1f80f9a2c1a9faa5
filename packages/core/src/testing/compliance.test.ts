import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@scope/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyNodeVerdict, createCookiePolicy, nodeRequest, type PolicyFile } from "../index.js";
import { checkPolicyCompliance, expectPolicyCompliance } from "../testing.js";

const policy: PolicyFile = {
  https: {
    redirect: { hosts: ["app.example.test"] },
    hsts: { maxAge: 31536000, includeSubDomains: true },
  },
  sensitive: { secure: "always", httpOnly: true, sameSite: "strict" },
  cookies: {
    sessionId: { sensitive: true, maxAge: 3600 },
    theme: { httpOnly: false, maxAge: 31536000 },
  },
};
const HOST = "app.example.test";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const compiled = createCookiePolicy(policy, { env: "production", onReport: () => {} });

/** The app under test writes its cookies plainly; core's Node applier decides them, as in an adapter. */
const compliantApp: Handler = (req, res) => {
  if (applyNodeVerdict(compiled.decideRequest(nodeRequest(req)), res)) return;
  res.setHeader("Set-Cookie", ["sessionId=abc", "theme=dark"]);
  res.end("ok");
};

/** An app that writes its own, careless headers. */
const carelessApp: Handler = (_req, res) => {
  res.setHeader("Set-Cookie", [
    "sessionId=abc; Path=/",
    "__Host-id=1; Path=/app; Domain=example.test; Secure; SameSite=Lax",
    "prefs=1; Max-Age=43200000; Path=/; SameSite=Lax",
  ]);
  res.setHeader("Strict-Transport-Security", "max-age=300");
  res.end("ok");
};

let dir = "";
const closers: Array<() => Promise<void>> = [];

/** Serves `handler` over `kind` and sends it one real request: the response, and the URL it answered. */
async function requestTo(
  kind: "http" | "https",
  handler: Handler,
): Promise<{ res: IncomingMessage; url: string }> {
  const served = await serve(handler);
  closers.push(served.close);
  const port = Number(new URL(served[kind]).port);
  return { res: await call(kind, port), url: `${kind}://${HOST}:${port}/` };
}

/** How a response to `url` is judged: against the policy, in production. */
const judgedAt = (url: string) => ({ config: policy, env: "production", url });

/** A real request to 127.0.0.1 with the public Host name (HSTS is never due for an IP address). */
function call(kind: "http" | "https", port: number): Promise<IncomingMessage> {
  const send = kind === "https" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    send(
      { host: "127.0.0.1", port, headers: { host: `${HOST}:${port}` }, rejectUnauthorized: false },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res));
      },
    )
      .on("error", reject)
      .end();
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cookie-testing-"));
});
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  rmSync(dir, { recursive: true, force: true });
});

describe("expectPolicyCompliance(response, { config, url }) against real servers", () => {
  it("passes for an app whose cookies and HSTS the engine decided (HTTPS)", async () => {
    const { res, url } = await requestTo("https", compliantApp);
    const report = expectPolicyCompliance(res, judgedAt(url));
    expect(report.cookies.map((c) => c.name)).toEqual(["sessionId", "theme"]);
    expect(report.hsts).toEqual({
      expected: "max-age=31536000; includeSubDomains",
      actual: "max-age=31536000; includeSubDomains",
    });
  });

  it("passes for the engine's redirect on HTTP (no cookie set there)", async () => {
    const { res, url } = await requestTo("http", compliantApp);
    expect(res.statusCode).toBe(308);
    expectPolicyCompliance(res, judgedAt(url));
  });

  it("names every cookie, attribute and rule a careless HTTPS app breaks", async () => {
    const { res, url } = await requestTo("https", carelessApp);
    const messages = checkPolicyCompliance(res, judgedAt(url)).findings.map((f) => f.message);
    expect(messages).toEqual([
      'cookie "sessionId": expected Secure (policy rule "sensitive": secure "always"), got none',
      'cookie "sessionId": expected HttpOnly (policy rule "sensitive": httpOnly true), got none',
      'cookie "sessionId": expected SameSite=Strict (policy rule "sensitive": sameSite "strict"), got none',
      'cookie "sessionId": expected Max-Age=3600 at most (policy rule "cookies.sessionId": maxAge 3600), got none (a session cookie)',
      'cookie "__Host-id": expected Path=/ (invariant: __Host- cookies have Path=/ and no Domain), got Path=/app',
      'cookie "__Host-id": expected no Domain (invariant: __Host- cookies have Path=/ and no Domain), got Domain=example.test',
      'cookie "prefs": expected Secure (policy rule "defaults": secure "auto" on an https request), got none',
      'cookie "prefs": expected Max-Age=34560000 at most (invariant: browsers cap a cookie\'s lifetime at 400 days), got Max-Age=43200000',
      "Strict-Transport-Security: expected max-age=31536000; includeSubDomains (policy https.hsts), got max-age=300",
    ]);
  });

  it("throws one Error listing the findings, headed by the request and profile", async () => {
    const { res, url } = await requestTo("http", carelessApp);
    expect(() => expectPolicyCompliance(res, judgedAt(url))).toThrowError(
      new Error(
        [
          `response to GET ${url} does not comply with the cookie policy (profile "production"):`,
          `  cookie "sessionId": expected no Set-Cookie on an insecure request (policy rule "sensitive": secure "always"; rule "defaults": onInsecure "drop"), got sessionId=abc; Path=/`,
          `  cookie "__Host-id": expected no Set-Cookie on an insecure request (invariant: the __Host- prefix requires Secure; rule "defaults": onInsecure "drop"), got __Host-id=1; Path=/app; Domain=example.test; Secure; SameSite=Lax`,
          `  cookie "prefs": expected Max-Age=34560000 at most (invariant: browsers cap a cookie's lifetime at 400 days), got Max-Age=43200000`,
          `  redirect: expected 308 to https://${HOST}/ (policy https.redirect), got 200`,
          "  Strict-Transport-Security: expected none on an http response (invariant: browsers ignore HSTS sent over HTTP), got max-age=300",
        ].join("\n"),
      ),
    );
  });

  it("accepts a stronger cookie than the policy asks for (the policy is a floor)", () => {
    const line = "theme=dark; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Strict";
    const report = checkPolicyCompliance([line], judgedAt(`https://${HOST}/`));
    expect(report.findings).toEqual([]);
  });

  it("a clearing only has to name the cookie it removes (no Secure, HttpOnly, SameSite needed)", () => {
    const url = `https://${HOST}/logout`;
    const cleared = ["sessionId=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"];
    expect(checkPolicyCompliance(cleared, judgedAt(url)).findings).toEqual([]);
    const elsewhere = checkPolicyCompliance(["sessionId=; Max-Age=0"], judgedAt(url));
    expect(elsewhere.findings.map((f) => f.message)).toEqual([
      'cookie "sessionId": expected Path=/ (policy rule "defaults": path "/"), got none',
    ]);
  });

  it("reports HSTS sent for localhost and a line that is no cookie", () => {
    const report = checkPolicyCompliance(
      {
        status: 200,
        headers: {
          "set-cookie": ["no-equals-sign"],
          "strict-transport-security": "max-age=31536000",
        },
      },
      judgedAt("https://localhost:8443/"),
    );
    expect(report.findings.map((f) => f.code)).toEqual([
      "SET_COOKIE_UNPARSEABLE",
      "HSTS_ON_LOCALHOST",
    ]);
  });

  it("reads the policy from a path (the default is cookie-policy.json in the working directory)", () => {
    const file = join(dir, "cookie-policy.json");
    writeFileSync(file, JSON.stringify(policy));
    const report = checkPolicyCompliance(["sessionId=abc; Path=/"], {
      config: file,
      env: "production",
      url: `https://${HOST}/`,
    });
    expect(report.findings.map((f) => f.code)).toEqual([
      "SECURE_MISSING",
      "HTTPONLY_MISSING",
      "SAMESITE_WEAK",
      "LIFETIME_TOO_LONG",
    ]);
    expect(() =>
      checkPolicyCompliance([], { config: join(dir, "nope.json"), url: "https://x.test/" }),
    ).toThrow(/no policy file at .*nope\.json/);
  });

  it("follows the profile: in development a session cookie over HTTP needs no Secure", () => {
    const line = "sessionId=abc; Max-Age=3600; Path=/; HttpOnly; SameSite=Strict";
    const report = checkPolicyCompliance(line, {
      config: { ...policy, profiles: { development: { sensitive: { secure: "auto" } } } },
      env: "development",
      url: "http://localhost:3000/login",
      method: "POST",
    });
    expect(report).toMatchObject({ env: "development", method: "POST", findings: [] });
  });
});
