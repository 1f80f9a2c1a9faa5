import { describe, expect, it } from "vitest";
import { createCookiePolicy } from "../engine.js";
import { request } from "../spec-example.fixture.js";
import type { PolicyFile, PolicyRequest, RedirectSettings } from "../types.js";
import { safeLocationPath } from "./redirect.js";

/** The decision for one request under a policy with this `https.redirect`. */
function decide(
  redirect: boolean | RedirectSettings,
  req: Partial<PolicyRequest>,
  trust: PolicyFile["proxy"] = {},
) {
  const p = createCookiePolicy(
    { proxy: { trust: ["10.0.0.0/8"], ...trust }, https: { redirect } },
    { env: "production", onReport: () => {} },
  );
  return p.decideRequest(request(req));
}

const host = (h: string) => ({ host: h });

/** Where a plain HTTP GET / for this Host header is redirected, if anywhere. */
const locationFor = (redirect: boolean | RedirectSettings, hostHeader: string) =>
  decide(redirect, { headers: host(hostHeader) }).redirect?.location;

describe("https.redirect", () => {
  it("redirects plain HTTP with 308 by default, keeping path and query", () => {
    const ctx = decide(true, { headers: host("example.com"), url: "/a/b?x=1&y=2" });
    expect(ctx.redirect).toEqual({ status: 308, location: "https://example.com/a/b?x=1&y=2" });
    expect(ctx.reject).toBeNull();
  });

  it("uses the configured status for GET and HEAD", () => {
    for (const status of [301, 302, 307, 308] as const) {
      for (const method of ["GET", "HEAD"]) {
        expect(decide({ status }, { headers: host("example.com"), method }).redirect?.status).toBe(
          status,
        );
      }
    }
  });

  it("301/302 become 308/307 for other methods so no body is lost", () => {
    expect(
      decide({ status: 301 }, { headers: host("example.com"), method: "POST" }).redirect?.status,
    ).toBe(308);
    expect(
      decide({ status: 302 }, { headers: host("example.com"), method: "PUT" }).redirect?.status,
    ).toBe(307);
    expect(
      decide({ status: 307 }, { headers: host("example.com"), method: "POST" }).redirect?.status,
    ).toBe(307);
  });

  it("never redirects a secure transport", () => {
    expect(decide(true, { headers: host("example.com"), encrypted: true }).redirect).toBeNull();
  });

  it("no loop behind a trusted TLS-terminating proxy", () => {
    const ctx = decide(true, {
      peer: "10.0.0.1",
      headers: {
        host: "example.com",
        "x-forwarded-proto": "https",
        "x-forwarded-for": "203.0.113.7",
      },
    });
    expect(ctx.transport.secure).toBe(true);
    expect(ctx.redirect).toBeNull();
  });

  it("an untrusted peer claiming https is still redirected", () => {
    const ctx = decide(true, {
      peer: "203.0.113.9",
      headers: { host: "example.com", "x-forwarded-proto": "https" },
    });
    expect(ctx.redirect?.location).toBe("https://example.com/");
  });

  it("writes the port only when it is not 443; the request's port is never copied", () => {
    expect(locationFor({ port: 8443 }, "example.com:8080")).toBe("https://example.com:8443/");
    expect(locationFor({ port: 443 }, "example.com:8080")).toBe("https://example.com/");
  });

  it("excludes exact paths and prefixes ending in *", () => {
    const cfg = { exclude: ["/healthz", "/.well-known/*"] };
    expect(decide(cfg, { headers: host("a.com"), url: "/healthz" }).redirect).toBeNull();
    expect(decide(cfg, { headers: host("a.com"), url: "/healthz?probe=1" }).redirect).toBeNull();
    expect(decide(cfg, { headers: host("a.com"), url: "/healthz/deep" }).redirect).not.toBeNull();
    expect(
      decide(cfg, { headers: host("a.com"), url: "/.well-known/acme-challenge/x" }).redirect,
    ).toBeNull();
    expect(decide(cfg, { headers: host("a.com"), url: "/.well-knownx" }).redirect).not.toBeNull();
  });

  describe("hosts allow-list", () => {
    const cfg = { hosts: ["example.com", "*.example.com"] };
    it("an exact host is kept", () => {
      expect(locationFor(cfg, "example.com")).toBe("https://example.com/");
    });
    it("*.example.com matches subdomains at any depth", () => {
      expect(locationFor(cfg, "a.example.com")).toBe("https://a.example.com/");
      expect(locationFor(cfg, "a.b.c.example.com")).toBe("https://a.b.c.example.com/");
    });
    it("*.example.com does not match the apex", () => {
      const onlyWild = { hosts: ["*.example.com", "www.example.com"] };
      expect(locationFor(onlyWild, "example.com")).toBe("https://www.example.com/");
    });
    it("any other host goes to the first entry without *", () => {
      const wildFirst = { hosts: ["*.example.com", "example.com"] };
      expect(locationFor(wildFirst, "evil.com")).toBe("https://example.com/");
      expect(locationFor(cfg, "example.com.evil.com")).toBe("https://example.com/");
      expect(locationFor(cfg, "evilexample.com")).toBe("https://example.com/");
    });
    it("matching is case-insensitive", () => {
      expect(locationFor(cfg, "WWW.Example.COM")).toBe("https://www.example.com/");
    });
  });

  describe("without hosts: the request host only after strict validation", () => {
    it("a valid name or IP literal is used", () => {
      expect(locationFor(true, "shop.test")).toBe("https://shop.test/");
      expect(locationFor(true, "192.0.2.1:8080")).toBe("https://192.0.2.1/");
      expect(locationFor(true, "[2001:db8::1]")).toBe("https://[2001:db8::1]/");
    });
    it("a hostile or missing Host is refused with 400 and a plain-text body", () => {
      for (const h of [
        "evil.com/x",
        "evil.com\r\nX: y",
        "a b",
        "evil.com@x",
        "",
        "evil..com",
        "evil.com:x",
      ]) {
        const ctx = decide(true, { headers: host(h) });
        expect(ctx.redirect, JSON.stringify(h)).toBeNull();
        expect(ctx.reject?.status, JSON.stringify(h)).toBe(400);
        expect(typeof ctx.reject?.body).toBe("string");
      }
      const none = decide(true, { headers: {} });
      expect(none.reject?.status).toBe(400);
    });
  });

  it("the path can never change the host", () => {
    const cases = ["//evil.com", "/\\evil.com", "//evil.com/%2F..", "/\\/evil.com", "///evil.com"];
    for (const url of cases) {
      const location = decide({ hosts: ["example.com"] }, { headers: host("example.com"), url })
        .redirect?.location;
      expect(new URL(location as string).host, url).toBe("example.com");
      expect(location?.startsWith("https://example.com/"), url).toBe(true);
      expect(location?.slice("https://example.com".length).startsWith("//"), url).toBe(false);
    }
  });

  it("an absolute-form request target keeps only its path", () => {
    const location = decide(
      { hosts: ["example.com"] },
      { headers: host("example.com"), url: "http://evil.com/p?q" },
    ).redirect?.location;
    expect(location).toBe("https://example.com/p?q");
  });
});

describe("safeLocationPath", () => {
  it("collapses leading slashes and backslashes", () => {
    expect(safeLocationPath("//evil.com/a")).toBe("/evil.com/a");
    expect(safeLocationPath("/\\evil.com")).toBe("/evil.com");
  });
  it("percent-encodes CR, LF, spaces, backslashes and non-ASCII", () => {
    expect(safeLocationPath("/a\r\nSet-Cookie: x")).toBe("/a%0D%0ASet-Cookie:%20x");
    expect(safeLocationPath("/a\\b")).toBe("/a%5Cb");
    expect(safeLocationPath("/é")).toBe("/%C3%A9");
    expect(safeLocationPath("/\ud800")).toBe("/%EF%BF%BD");
  });
  it("leaves an ordinary path and query alone", () => {
    expect(safeLocationPath("/a/b?x=1&y=%20#f")).toBe("/a/b?x=1&y=%20#f");
  });
});
