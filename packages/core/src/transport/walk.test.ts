import { describe, expect, it } from "vitest";
import type { PolicyRequest, ProxyHeader, TrustSetting } from "../types.js";
import { compileTrust } from "./trust.js";
import { decideTransport } from "./walk.js";

const DEFAULT_HEADERS: ProxyHeader[] = ["forwarded", "x-forwarded-for", "x-forwarded-proto"];

function request(
  peer: string | undefined,
  headers: Record<string, string | string[]>,
  encrypted = false,
): PolicyRequest {
  return { encrypted, peer, headers: { host: "example.com", ...headers }, method: "GET", url: "/" };
}

function decide(
  trust: TrustSetting,
  peer: string | undefined,
  headers: Record<string, string | string[]>,
  options: { headers?: ProxyHeader[]; encrypted?: boolean; localhost?: "insecure" | "secure-context" } = {},
) {
  return decideTransport(request(peer, headers, options.encrypted), {
    trust: compileTrust(trust),
    headers: options.headers ?? DEFAULT_HEADERS,
    localhost: options.localhost ?? "insecure",
  });
}

const codes = (t: { diagnostics: readonly { code: string }[] }) => t.diagnostics.map((d) => d.code);

describe("decideTransport: SPEC §2.2 worked examples (trust [10.0.0.0/8])", () => {
  // peer, X-Forwarded-For, X-Forwarded-Proto, expected protocol ("socket" = the socket's), client, trustedHops
  const rows: [string, string | null, string, "http" | "https" | "socket", string, number][] = [
    ["203.0.113.9", "1.2.3.4", "https", "socket", "203.0.113.9", 0],
    ["10.0.0.1", "203.0.113.7", "https", "https", "203.0.113.7", 1],
    ["10.0.0.1", "203.0.113.7, 10.0.0.2", "https", "https", "203.0.113.7", 2],
    ["10.0.0.1", "203.0.113.7", "https, http", "http", "203.0.113.7", 1],
    ["10.0.0.1", "198.51.100.1, 203.0.113.7", "https, http", "http", "203.0.113.7", 1],
    ["10.0.0.1", "203.0.113.7, 10.0.0.2", "https, http", "https", "203.0.113.7", 2],
    ["10.0.0.1", null, "https, http", "http", "10.0.0.1", 0],
    ["10.0.0.1", null, "https", "https", "10.0.0.1", 0],
  ];
  for (const [peer, xff, xfp, protocol, client, hops] of rows) {
    for (const encrypted of [false, true]) {
      it(`peer ${peer}, XFF ${xff ?? "(none)"}, XFP ${xfp}, socket ${encrypted ? "TLS" : "plain"}`, () => {
        const headers: Record<string, string> = { "x-forwarded-proto": xfp };
        if (xff !== null) headers["x-forwarded-for"] = xff;
        const t = decide(["10.0.0.0/8"], peer, headers, { encrypted });
        const expected = protocol === "socket" ? (encrypted ? "https" : "http") : protocol;
        expect(t.protocol).toBe(expected);
        expect(t.secure).toBe(expected === "https");
        expect(t.source).toBe(protocol === "socket" ? "socket" : "x-forwarded-proto");
        expect(t.clientAddress).toBe(client);
        expect(t.trustedHops).toBe(hops);
      });
    }
  }
});
