import { createCookiePolicy } from "@scope/cookie-core";
import { describe, expect, it } from "vitest";
import { demoPolicy } from "./explain.mjs";
import { escapeHtml, renderPage } from "./page.mjs";

const quiet = { onReport: () => {} };
const policyFile = {
  // `forwarded` listed: the escaping test quotes a malformed Forwarded header
  proxy: { trust: ["loopback"], headers: ["forwarded", "x-forwarded-for", "x-forwarded-proto"] },
  https: { hsts: true },
  sensitive: { secure: "always", httpOnly: true, sameSite: "strict" },
  cookies: { sessionId: { sensitive: true, maxAge: 3600 }, theme: { httpOnly: false } },
  profiles: {
    development: { proxy: { trust: false }, https: { hsts: false }, sensitive: { secure: "auto" } },
  },
};
const demo = demoPolicy(policyFile, "express");

function context(env, req = {}) {
  return createCookiePolicy(policyFile, { env, ...quiet }).decideRequest({
    encrypted: false,
    peer: "127.0.0.1",
    headers: { host: "example.com" },
    method: "GET",
    url: "/",
    ...req,
  });
}

describe("escapeHtml", () => {
  it("escapes the five HTML-significant characters", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
    );
  });
});

describe("renderPage(ctx, framework)", () => {
  it("names the profile, the verdict, the trust walk and each cookie the buttons would set", () => {
    const ctx = context("production", {
      headers: {
        host: "example.com",
        "x-forwarded-for": "203.0.113.7",
        "x-forwarded-proto": "https",
      },
    });
    const html = renderPage(ctx, "express", demo);
    expect(html).toContain("Active profile <code>production</code>");
    expect(html).toContain(
      "This request is HTTPS: the trusted proxy 127.0.0.1 recorded it in the X-Forwarded-Proto header.",
    );
    expect(html).toContain("<code>203.0.113.7</code>");
    // behind the trusted proxy the session cookie is Secure, HttpOnly, Strict
    expect(html).toMatch(/<code>sessionId=preview; [^<]*Secure[^<]*<\/code>/);
    expect(html).toContain("<code>theme</code>");
    expect(html).toContain("sessionId (clearing)");
    expect(html).toContain('data-url="/login"');
    expect(html).toContain('data-url="/logout"');
    expect(html).toContain("X-Forwarded-Proto: https");
  });

  it("says in plain words why a Secure cookie is not sent over plain HTTP", () => {
    const html = renderPage(context("production"), "koa", demo);
    expect(html).toContain("This request is plain HTTP");
    expect(html).toContain("It needs Secure but this request is not HTTPS: not sent.");
  });

  it("opens with a one-line intro and names the policy setting behind each reason", () => {
    const html = renderPage(context("development"), "fastify", demo);
    expect(html).toMatch(/<p class="intro">One policy file decides[^<]*<\/p>/);
    // sessionId is "secure: auto" because the development profile lowers sensitive.secure
    expect(html).toContain(
      "<code>SECURE_AUTO</code> Secure follows the transport (secure: auto).<br>" +
        '<span class="from">secure ← profiles.development.sensitive.secure = &quot;auto&quot;</span>',
    );
    // theme is not sensitive: its Secure comes from the built-in defaults
    expect(html).toContain("secure ← built-in defaults.secure = &quot;auto&quot;");
    expect(html).toContain("maxAge ← <code>cookies.sessionId.maxAge = 3600</code>");
  });

  it("says which reasons no policy line decides: the rules browsers impose", () => {
    const ctx = context("production", { encrypted: true });
    ctx.setCookie("__Host-id", "x", { path: "/app" });
    const html = renderPage(ctx, "express", demo);
    expect(html).toContain(
      "<code>HOST_PREFIX_CORRECTED</code> __Host- cookies get Path=/ and no Domain: corrected.<br>" +
        '<span class="from">a rule browsers impose: enforced whatever the policy says</span>',
    );
  });

  it("names the profile's localhost setting when localhost counts as secure for cookies", () => {
    const local = demoPolicy({ ...policyFile, localhost: "secure-context" }, "koa");
    const ctx = createCookiePolicy(
      { ...policyFile, localhost: "secure-context" },
      { env: "development", ...quiet },
    ).decideRequest({
      encrypted: false,
      peer: "127.0.0.1",
      headers: { host: "localhost:3000" },
      method: "GET",
      url: "/",
    });
    const html = renderPage(ctx, "koa", local);
    expect(html).toContain("localhost ← localhost = &quot;secure-context&quot;");
  });

  it("says why HSTS is or is not on the answer", () => {
    const hsts = (ctx) => renderPage(ctx, "koa", demo).match(/<p id="hsts">(.*?)<\/p>/s)[1];
    expect(hsts(context("development"))).toContain(
      "Not sent: HSTS is off in this profile (profiles.development.https.hsts = false).",
    );
    expect(hsts(context("production"))).toContain(
      "Not sent: HSTS only goes out on HTTPS and this request is plain HTTP (the policy turns it on: https.hsts = true).",
    );
    expect(hsts(context("production", { encrypted: true, headers: { host: "127.0.0.1" } }))).toBe(
      "HSTS (<code>Strict-Transport-Security</code>) on this answer: Not sent: never for localhost or an IP-address host (browsers would pin HTTPS for everything on it).",
    );
    expect(hsts(context("production", { encrypted: true }))).toContain(
      "Sent: max-age=31536000. The request is HTTPS to a named host, and the policy turns HSTS on (https.hsts = true).",
    );
  });

  it("labels each hop by its role: a trusted peer with no chain is the client, not a trusted hop before it", () => {
    const alone = renderPage(
      context("production", { headers: { host: "example.com", "x-forwarded-proto": "https" } }),
      "hono",
      demo,
    );
    expect(alone).toContain(
      "No proxy stands in between: the socket peer 127.0.0.1 is the client, and it is trusted",
    );
    expect(alone).toContain(
      "<td>the client, and trusted: the header it wrote about its own connection is believed</td>",
    );
    expect(alone).not.toContain("a trusted proxy:");

    const chain = renderPage(
      context("production", {
        headers: {
          host: "example.com",
          "x-forwarded-for": "198.51.100.1, 203.0.113.7",
          "x-forwarded-proto": "https",
        },
      }),
      "hono",
      demo,
    );
    expect(chain).toContain("1 trusted proxy stands between the client (203.0.113.7)");
    expect(chain).toMatch(
      /127\.0\.0\.1<\/code><\/td><td>the socket peer[^<]*<\/td><td class="ok">yes<\/td><td>a trusted proxy/,
    );
    expect(chain).toMatch(
      /203\.0\.113\.7<\/code><\/td><td>[^<]*<\/td><td class="bad">no<\/td><td>the client: the first address that is not trusted/,
    );
  });

  it("lists the servers its panel asks: only itself when started alone", () => {
    const html = renderPage(context("development"), "express", demo);
    expect(html).toContain('<form id="ask-form">');
    expect(html).toContain('"servers":[{"framework":"express","url":""}]');
  });

  it("decides its previews on a throwaway context, leaving the request's decisions alone", () => {
    const ctx = context("production");
    renderPage(ctx, "hono", demo);
    expect(ctx.decisions).toEqual([]);
    expect(ctx.explain().cookies).toEqual([]);
  });

  it("escapes what the request and the policy put on the page", () => {
    const hostile = `<script>alert("env")</script>`;
    const ctx = context(hostile, {
      headers: {
        host: "example.com",
        forwarded: 'for="_<img src=x onerror=alert(1)>";proto=https',
      },
    });
    const html = renderPage(ctx, `<b>fw</b>`, demo);
    expect(html).not.toContain(hostile);
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("<b>fw</b>");
    expect(html).toContain("&lt;script&gt;alert(&quot;env&quot;)&lt;/script&gt;");
    expect(html).toContain("&lt;b&gt;fw&lt;/b&gt;");
    // the malformed header is quoted in a diagnostic, escaped
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).not.toContain("</b>fw");
  });
});
