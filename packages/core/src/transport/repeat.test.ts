import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PolicyRequest, ProxyHeader } from "../types.js";
import { compileTransport } from "./repeat.js";
import { compileTrust } from "./trust.js";
import { decideTransport, type TransportConfig } from "./walk.js";

const config: TransportConfig = {
  trust: compileTrust(["loopback", "10.0.0.0/8"]),
  headers: ["forwarded", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"],
  localhost: "secure-context",
};

function request(overrides: Partial<PolicyRequest> = {}): PolicyRequest {
  return {
    encrypted: false,
    peer: "10.0.0.1",
    headers: {
      host: "example.com",
      "x-forwarded-proto": "https",
      "x-forwarded-for": "203.0.113.7",
    },
    method: "GET",
    url: "/",
    ...overrides,
  };
}

describe("compileTransport: a repeated request gets the previous decision", () => {
  it("answers a request with the same inputs with the same frozen decision", () => {
    const transportFor = compileTransport(config);
    const first = transportFor(request());
    // Equal inputs in new objects (a new request on the same connection) count as the same.
    const again = transportFor(request({ headers: { ...request().headers, accept: "*/*" } }));
    expect(again).toBe(first);
    expect(first).toEqual(decideTransport(request(), config));
    expect(Object.isFrozen(first) && Object.isFrozen(first.hops)).toBe(true);
    expect(first.hops.every((hop) => Object.isFrozen(hop))).toBe(true);
    expect(() => {
      (first as { secure: boolean }).secure = false;
    }).toThrow(TypeError);
  });

  it("decides afresh when any input the walk reads differs", () => {
    const transportFor = compileTransport(config);
    const base = request();
    const variants: PolicyRequest[] = [
      request({ peer: "203.0.113.9" }),
      request({ encrypted: true }),
      request({ headers: { ...base.headers, host: "other.example" } }),
      request({ headers: { ...base.headers, "x-forwarded-proto": "http" } }),
      request({ headers: { ...base.headers, "x-forwarded-host": "shop.example" } }),
      request({ runtimeFilled: ["x-forwarded-proto"] }),
    ];
    for (const variant of variants) {
      const previous = transportFor(base);
      const decided = transportFor(variant);
      expect(decided).not.toBe(previous);
      expect(decided).toEqual(decideTransport(variant, config));
    }
  });

  it("decides any sequence of requests as decideTransport decides each alone", () => {
    const header = (values: string[]) => fc.option(fc.constantFrom(...values), { nil: undefined });
    const arbitraryRequest = fc.record({
      encrypted: fc.boolean(),
      peer: fc.option(fc.constantFrom("10.0.0.1", "127.0.0.1", "203.0.113.9", "::1", ""), {
        nil: undefined,
      }),
      host: header(["example.com", "localhost:3000", "bad host", "127.0.0.1"]),
      forwarded: header(["for=203.0.113.7;proto=https", "for=10.0.0.2, for=198.51.100.1", "x="]),
      xff: header(["203.0.113.7", "203.0.113.7, 10.0.0.2", "nonsense"]),
      xfp: header(["https", "http", "ftp", "https, http"]),
    });
    const toRequest = (r: {
      encrypted: boolean;
      peer: string | undefined;
      host: string | undefined;
      forwarded: string | undefined;
      xff: string | undefined;
      xfp: string | undefined;
    }): PolicyRequest => {
      const headers: Record<string, string> = {};
      const set = (name: ProxyHeader | "host", value: string | undefined) => {
        if (value !== undefined) headers[name] = value;
      };
      set("host", r.host);
      set("forwarded", r.forwarded);
      set("x-forwarded-for", r.xff);
      set("x-forwarded-proto", r.xfp);
      return { encrypted: r.encrypted, peer: r.peer, headers, method: "GET", url: "/" };
    };
    fc.assert(
      fc.property(fc.array(arbitraryRequest, { minLength: 1, maxLength: 8 }), (requests) => {
        const transportFor = compileTransport(config);
        for (const r of requests.map(toRequest))
          expect(transportFor(r)).toEqual(decideTransport(r, config));
      }),
      { numRuns: 300 },
    );
  });
});
