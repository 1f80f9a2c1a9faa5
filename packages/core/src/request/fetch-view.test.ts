import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createCookiePolicy } from "../engine.js";
import { fetchRequest } from "./fetch-view.js";

const policy = createCookiePolicy(
  { proxy: { trust: ["loopback"] }, https: { hsts: true } },
  { env: "production", onReport: () => {} },
);

describe("fetchRequest(request, connection)", () => {
  it("reads method, path and query from the URL and keeps the Request's headers", () => {
    const req = new Request("https://app.test:8443/a/b?c=d", {
      method: "post",
      headers: { host: "app.test:8443" },
    });
    const view = fetchRequest(req, { encrypted: true, peer: "127.0.0.1" });
    expect(view).toEqual({
      encrypted: true,
      peer: "127.0.0.1",
      headers: req.headers,
      method: "POST",
      url: "/a/b?c=d",
    });
  });

  it("takes TLS from the connection, never from the URL's scheme (SPEC §2.2 step 6)", () => {
    // Deno puts an absolute-form target's scheme in the URL: `POST https://app.test/ HTTP/1.1`.
    const cleartext = policy.decideRequest(
      fetchRequest(new Request("https://app.test/login", { headers: { host: "app.test" } }), {
        encrypted: false,
        peer: "203.0.113.9",
      }),
    );
    expect(cleartext.transport).toMatchObject({ protocol: "http", secure: false });
    expect(cleartext.hsts).toBeNull();
    const tls = policy.decideRequest(
      fetchRequest(new Request("http://app.test/login", { headers: { host: "app.test" } }), {
        encrypted: true,
        peer: "203.0.113.9",
      }),
    );
    expect(tls.transport).toMatchObject({ protocol: "https", secure: true });
  });

  it("takes the host from the URL when the request has no Host header (HTTP/2, app.request)", () => {
    const ctx = policy.decideRequest(
      fetchRequest(new Request("https://app.test/login"), { encrypted: true }),
    );
    expect(ctx.transport.host).toBe("app.test");
    expect(ctx.hsts).toBe("max-age=31536000");
  });

  it("prefers the Host header to the URL's authority", () => {
    const req = new Request("https://app.test/", { headers: { host: "other.test" } });
    expect(policy.decideRequest(fetchRequest(req, { encrypted: true })).transport.host).toBe(
      "other.test",
    );
  });

  it("answers a bare request target (Bun, HTTP/1.0 without Host) with no host", () => {
    const req = {
      url: "/x?y",
      method: "GET",
      headers: new Headers(),
    };
    const view = fetchRequest(req, { encrypted: false });
    expect(view.url).toBe("/x?y");
    expect(policy.decideRequest(view).transport.host).toBeNull();
  });

  it("an empty peer is unknown; a URL without a path is /", () => {
    const view = fetchRequest(new Request("http://app.test"), { encrypted: false, peer: "" });
    expect(view.peer).toBeUndefined();
    expect(view.url).toBe("/");
  });

  it("never lets the URL's scheme make the transport secure, whatever the URL", () => {
    fc.assert(
      fc.property(
        fc.webUrl({ validSchemes: ["http", "https"], withQueryParameters: true }),
        fc.boolean(),
        fc.constantFrom(undefined, "127.0.0.1", "203.0.113.9"),
        (url, encrypted, peer) => {
          const ctx = policy.decideRequest(fetchRequest(new Request(url), { encrypted, peer }));
          expect(ctx.transport.secure).toBe(encrypted);
          if (!encrypted) expect(ctx.hsts).toBeNull();
        },
      ),
      { numRuns: 10_000 },
    );
  });
});
