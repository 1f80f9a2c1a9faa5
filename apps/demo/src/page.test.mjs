import { createCookiePolicy } from "@scope/cookie-core";
import { describe, expect, it } from "vitest";
import { escapeHtml, renderPage } from "./page.mjs";

const quiet = { onReport: () => {} };
const policyFile = {
  proxy: { trust: ["loopback"] },
  sensitive: { secure: "always", httpOnly: true, sameSite: "strict" },
  cookies: { sessionId: { sensitive: true, maxAge: 3600 }, theme: { httpOnly: false } },
};

function context(env, req = {}) {
  return createCookiePolicy(policyFile, { env, ...quiet }).begin({
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
    const html = renderPage(ctx, "express");
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
    const html = renderPage(context("production"), "koa");
    expect(html).toContain("This request is plain HTTP");
    expect(html).toContain("It needs Secure but this request is not HTTPS: not sent.");
  });

  it("decides its previews on a throwaway context, leaving the request's decisions alone", () => {
    const ctx = context("production");
    renderPage(ctx, "hono");
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
    const html = renderPage(ctx, `<b>fw</b>`);
    expect(html).not.toContain(hostile);
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("<b>fw</b>");
    expect(html).toContain("&lt;script&gt;alert(&quot;env&quot;)&lt;/script&gt;");
    expect(html).toContain("&lt;b&gt;fw&lt;/b&gt;");
    // the malformed header is quoted in a diagnostic, escaped
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html.match(/<script>/g)).toHaveLength(1);
  });
});
