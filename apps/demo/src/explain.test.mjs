import { createCookiePolicy } from "@scope/cookie-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { demoPolicy, describeSource } from "./explain.mjs";

const policyFile = {
  proxy: { trust: ["loopback"], headers: ["x-forwarded-for", "x-forwarded-proto"] },
  sensitive: { secure: "always", httpOnly: true, sameSite: "strict" },
  cookies: { sessionId: { sensitive: true, maxAge: 3600 } },
  profiles: {
    development: { proxy: { trust: false }, sensitive: { secure: "auto" } },
    staging: { https: { hsts: true } },
  },
};
const demo = demoPolicy(policyFile, "koa");

const behindProxy = {
  profile: "production",
  scheme: "http",
  host: "example.com",
  peer: "127.0.0.1",
  headers: ["X-Forwarded-Proto: https", "X-Forwarded-For: 203.0.113.7"],
  cookie: "sessionId=abc; Max-Age=60",
};

describe("demoPolicy(config, framework).answer(body): POST /explain", () => {
  it("decides the described request with core's engine, and names the settings behind it", () => {
    const { status, headers, body } = demo.answer(JSON.stringify(behindProxy));
    expect(status).toBe(200);
    // the page on one server asks the others
    expect(headers["access-control-allow-origin"]).toBe("*");

    const ctx = createCookiePolicy(policyFile, {
      env: "production",
      onReport: () => {},
    }).decideRequest({
      encrypted: false,
      peer: "127.0.0.1",
      headers: {
        host: "example.com",
        "x-forwarded-proto": "https",
        "x-forwarded-for": "203.0.113.7",
      },
      method: "GET",
      url: "/",
    });
    ctx.decideWrittenLine("sessionId=abc; Max-Age=60");
    expect(body).toMatchObject({ framework: "koa", question: behindProxy, ...ctx.explain() });
    expect(body.transport).toMatchObject({ secure: true, clientAddress: "203.0.113.7" });
    expect(body.walk.hops).toEqual([
      { address: "127.0.0.1", trusted: true, from: "socket" },
      { address: "203.0.113.7", trusted: false, from: "x-forwarded-for" },
    ]);
    expect(body.settings.cookies.sessionId).toMatchObject({
      secure: 'sensitive.secure = "always"',
      maxAge: "cookies.sessionId.maxAge = 3600",
      path: 'built-in defaults.path = "/"',
    });
    expect(body.settings.trust).toBe('proxy.trust = ["loopback"]');
    expect(body.settings.hsts).toBe("built-in https.hsts = false");
  });

  it("names the profile that lowered a setting", () => {
    const { body } = demo.answer(JSON.stringify({ ...behindProxy, profile: "development" }));
    expect(body.settings.cookies.sessionId.secure).toBe(
      'profiles.development.sensitive.secure = "auto"',
    );
    expect(body.settings.trust).toBe("profiles.development.proxy.trust = false");
    expect(body.cookies[0]).toMatchObject({ action: "set", secure: false });
  });

  it("an unknown profile is production, reported, as everywhere", () => {
    const { status, body } = demo.answer(JSON.stringify({ ...behindProxy, profile: "prodution" }));
    expect(status).toBe(200);
    expect(body.env).toBe("production");
    expect(body.diagnostics.map((d) => d.code)).toContain("ENV_UNKNOWN");
  });

  it.each([
    ["no body", "", "the body is not JSON"],
    ["not JSON", "{", "the body is not JSON"],
    ["a list", "[]", "the body is not an object"],
    ["no profile", JSON.stringify({ scheme: "http" }), "profile is required"],
    ["a scheme that is not http(s)", { ...behindProxy, scheme: "ftp" }, 'scheme must be "http"'],
    ["a header line without a colon", { ...behindProxy, headers: ["nope"] }, '"nope" is not'],
    ["a header name that is not a token", { ...behindProxy, headers: ["a b: c"] }, "is not"],
    ["too many header lines", { ...behindProxy, headers: Array(33).fill("a: b") }, "at most 32"],
    ["a cookie that is not a Set-Cookie line", { ...behindProxy, cookie: "=" }, "Set-Cookie line"],
    ["a peer that is not a string", { ...behindProxy, peer: 1 }, "peer must be a string"],
  ])("answers %s with 400 and what is wrong", (_, body, message) => {
    const answer = demo.answer(typeof body === "string" ? body : JSON.stringify(body));
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe("BAD_REQUEST");
    expect(answer.body.message).toContain(message);
  });

  it("never throws, whatever the body: 200 or 400 with a message", () => {
    const question = fc.record(
      {
        // mostly the file's profiles: any other name is production, compiled afresh each time
        profile: fc.oneof(
          { arbitrary: fc.constantFrom("production", "development", "staging"), weight: 4 },
          { arbitrary: fc.string(), weight: 1 },
        ),
        scheme: fc.oneof(fc.constantFrom("http", "https"), fc.anything()),
        host: fc.oneof(fc.domain(), fc.string()),
        peer: fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()),
        headers: fc.oneof(
          fc.array(
            fc
              .tuple(
                fc.constantFrom("x-forwarded-for", "x-forwarded-proto", "forwarded", "host"),
                fc.string(),
              )
              .map(([n, v]) => `${n}: ${v}`),
          ),
          fc.anything(),
        ),
        cookie: fc.oneof(fc.string(), fc.constant("sessionId=x; Secure; SameSite=None")),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(question.map(JSON.stringify), fc.json(), fc.string()), (body) => {
        const answer = demo.answer(body);
        expect([200, 400]).toContain(answer.status);
        if (answer.status === 400) expect(typeof answer.body.message).toBe("string");
        JSON.stringify(answer.body);
      }),
      { numRuns: 10_000 },
    );
  });
});

describe("describeSource(source)", () => {
  it("reads as the line of the policy that set the value", () => {
    expect(
      describeSource({ path: ["cookies", "__Host-*", "secure"], builtIn: null, value: "always" }),
    ).toBe('cookies["__Host-*"].secure = "always"');
    expect(
      describeSource({ path: ["sensitive", "secure"], builtIn: "development", value: "auto" }),
    ).toBe('built-in development profile: sensitive.secure = "auto"');
    expect(describeSource(undefined)).toBeNull();
  });
});
