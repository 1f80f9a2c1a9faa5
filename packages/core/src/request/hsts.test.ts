import { describe, expect, it } from "vitest";
import { createCookiePolicy } from "../engine.js";
import { request } from "../spec-example.fixture.js";
import type { HstsSettings, LocalhostMode, PolicyRequest } from "../types.js";

function hsts(
  setting: boolean | HstsSettings,
  req: Partial<PolicyRequest>,
  localhost: LocalhostMode = "insecure",
) {
  const p = createCookiePolicy(
    { proxy: { trust: ["10.0.0.0/8"] }, https: { hsts: setting }, localhost },
    { env: "production", onReport: () => {} },
  );
  return p.decideRequest(request(req)).hsts;
}

const tls = (host: string, peer = "203.0.113.9") => ({ encrypted: true, peer, headers: { host } });

describe("https.hsts", () => {
  it("is sent on a secure transport with the configured value", () => {
    expect(hsts({ maxAge: 600 }, tls("example.com"))).toBe("max-age=600");
    expect(hsts({ maxAge: 31536000, includeSubDomains: true }, tls("example.com"))).toBe(
      "max-age=31536000; includeSubDomains",
    );
    expect(
      hsts({ maxAge: 63072000, includeSubDomains: true, preload: true }, tls("example.com")),
    ).toBe("max-age=63072000; includeSubDomains; preload");
  });

  it("true means one year", () => {
    expect(hsts(true, tls("example.com"))).toBe("max-age=31536000");
  });

  it("is sent behind a trusted TLS-terminating proxy", () => {
    const req = {
      peer: "10.0.0.1",
      headers: { host: "example.com", "x-forwarded-proto": "https" },
    };
    expect(hsts(true, req)).toBe("max-age=31536000");
  });

  it("is never sent over plain HTTP, nor when an untrusted peer claims https", () => {
    expect(hsts(true, { headers: { host: "example.com" } })).toBeNull();
    expect(
      hsts(true, { headers: { host: "example.com", "x-forwarded-proto": "https" } }),
    ).toBeNull();
  });

  it("is never sent for localhost or IP-literal hosts", () => {
    for (const h of [
      "localhost",
      "app.localhost:3000",
      "127.0.0.1",
      "192.0.2.1:443",
      "[::1]",
      "[2001:db8::1]",
    ]) {
      expect(hsts(true, tls(h, "127.0.0.1")), h).toBeNull();
    }
  });

  it("a localhost secure context does not count", () => {
    expect(
      hsts(true, { peer: "127.0.0.1", headers: { host: "localhost" } }, "secure-context"),
    ).toBeNull();
  });

  it("false sends nothing", () => {
    expect(hsts(false, tls("example.com"))).toBeNull();
  });
});
