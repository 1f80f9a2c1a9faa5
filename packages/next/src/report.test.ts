/**
 * Reports from the Next.js helpers: once per process whatever the number of bundles (each
 * creates its own policy), and a TRANSPORT_PEER_UNKNOWN that says what Next.js did itself
 * with the X-Forwarded-Proto the policy did not believe.
 */
import type { ReportEvent } from "@scope/cookie-core";
import { NextRequest } from "next/server.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { cookiePolicy } from "./index.js";

/** The address list a starter written for a plain Node server would have. */
const policy = { proxy: { trust: ["127.0.0.1"] }, cookies: { sessionId: { sensitive: true } } };

/** A client reaching `next start` directly, claiming HTTPS: Next.js made the URL https. */
const forged = () =>
  new NextRequest("https://app.example.test/login", {
    method: "POST",
    headers: { host: "app.example.test", "x-forwarded-proto": "https" },
  });

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Next.js reports", () => {
  it("TRANSPORT_PEER_UNKNOWN says Next.js took the scheme from X-Forwarded-Proto itself", () => {
    const reports: ReportEvent[] = [];
    const cp = cookiePolicy({
      config: policy,
      env: "production",
      onReport: (e) => reports.push(e),
    });
    const ctx = cp.decideRequest(forged());
    // What actually happened: the request counts as HTTPS, the header notwithstanding.
    expect(ctx.transport.protocol).toBe("https");
    const unknown = reports.filter((e) => e.code === "TRANSPORT_PEER_UNKNOWN");
    expect(unknown).toHaveLength(1);
    expect(unknown[0]?.message).toMatch(/Next\.js itself has already taken this request's scheme/);
    expect(unknown[0]?.message).toMatch(/attestSocket/);
  });

  it("the default reporter warns once per process, however many bundles create a policy", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const proxyBundle = cookiePolicy({ config: policy, env: "production" });
    const routeBundle = cookiePolicy({ config: policy, env: "production" });
    for (let i = 0; i < 3; i++) {
      proxyBundle.decideRequest(forged());
      routeBundle.decideRequest(forged());
    }
    const lines = warn.mock.calls.map((args) => String(args[0]));
    expect(lines.filter((l) => l.includes("TRANSPORT_PEER_UNKNOWN"))).toHaveLength(1);
  });
});
