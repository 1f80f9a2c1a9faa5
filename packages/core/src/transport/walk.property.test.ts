/**
 * The transport contract (SPEC v2 §2.2, issue 12) as properties over any request: what a
 * client can add never changes what the walk believes; an untrusted peer changes nothing;
 * doubt is never more secure than the socket. Expected outcomes come from how each request
 * is built (which entries a trusted proxy wrote), not from the walk's own answer.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type {
  LocalhostMode,
  PolicyRequest,
  ProxyHeader,
  Transport,
  TrustSetting,
} from "../types.js";
import { compileTrust } from "./trust.js";
import { compileTransport, decideTransport, type TransportConfig } from "./walk.js";

const RUNS = 10_000;
const ALL: ProxyHeader[] = [
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
  "x-forwarded-ssl",
  "front-end-https",
  "cf-visitor",
];
const XFF_XFP: ProxyHeader[] = ["x-forwarded-for", "x-forwarded-proto"];

/** Addresses by what `["10.0.0.0/8", "::1"]` makes of them. */
const TRUSTED = ["10.0.0.1", "10.9.8.7:443", "::ffff:10.0.0.3", "[::1]:80", "10.1.2.3"];
const UNTRUSTED = [
  "203.0.113.7",
  "2001:db8::1",
  "[2001:db8::2]:4711",
  "::10.0.0.5",
  "198.51.100.1",
];
const MALFORMED = [
  "unknown",
  "_hidden",
  "x",
  "[10.0.0.3]",
  "10.0.0.3%eth0",
  "10.0.0.3:99999",
  "010.0.0.3",
  "10.3",
];
const LIST: TrustSetting = ["10.0.0.0/8", "::1"];

/** Anything a client may write into a header: address-like pieces, separators, quotes, junk. */
const junkText = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        ...TRUSTED,
        ...UNTRUSTED,
        ...MALFORMED,
        ",",
        " ",
        ";",
        '"',
        "=",
        "for=",
        "proto=https",
        "https",
        "http",
        "\\",
        "",
      ),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(""));

type Tag = "trusted" | "untrusted" | "malformed";
const entry = fc.oneof(
  fc.constantFrom(...TRUSTED).map((a) => ({ a, tag: "trusted" as Tag })),
  fc.constantFrom(...UNTRUSTED).map((a) => ({ a, tag: "untrusted" as Tag })),
  fc.constantFrom(...MALFORMED).map((a) => ({ a, tag: "malformed" as Tag })),
);
const proto = fc.constantFrom("http", "https", "HTTPS", " http ");

function request(
  peer: string | undefined,
  headers: Record<string, string>,
  encrypted: boolean,
): PolicyRequest {
  return { encrypted, peer, headers: { host: "example.com", ...headers }, method: "GET", url: "/" };
}

function config(
  trust: TrustSetting,
  headers: ProxyHeader[] = XFF_XFP,
  localhost: LocalhostMode = "insecure",
): TransportConfig {
  return { trust: compileTrust(trust), headers, localhost };
}

/** A contract property: it holds for RUNS generated cases. */
function holds<Ts>(property: fc.IRawProperty<Ts>): void {
  fc.assert(property, { numRuns: RUNS });
}

const believed = (t: Transport) => ({
  protocol: t.protocol,
  secure: t.secure,
  clientAddress: t.clientAddress,
  trustedHops: t.trustedHops,
});

/** What a client added to `spoofed` changes nothing the walk believes about `honest`. */
function expectSameBelief(cfg: TransportConfig, honest: PolicyRequest, spoofed: PolicyRequest) {
  expect(believed(decideTransport(spoofed, cfg))).toEqual(believed(decideTransport(honest, cfg)));
}

/**
 * Where the walk stops (c, counting the peer as 0) for entries written nearest last, by the
 * SPEC's step 1: the first untrusted or malformed entry, the N-th with a hop count N;
 * undefined when every entry is trusted (a client's entry left of them would be read).
 */
function stopIndex(entries: { tag: Tag }[], trust: TrustSetting): number | undefined {
  for (let i = 1; i <= entries.length; i++) {
    const tag = (entries[entries.length - i] as { tag: Tag }).tag;
    if (tag === "malformed") return i;
    if (typeof trust === "number" ? i >= trust : tag === "untrusted") return i;
  }
  return undefined;
}

describe("transport properties (SPEC v2 §2.2)", () => {
  it("a client's entries left of the first untrusted address never change protocol, secure, clientAddress or trustedHops", () => {
    holds(
      fc.property(
        fc.array(entry, { minLength: 1, maxLength: 8 }),
        fc.array(proto, { minLength: 1, maxLength: 6 }),
        fc.array(junkText, { minLength: 1, maxLength: 4 }),
        fc.constantFrom<TrustSetting>(LIST, 1, 2, 3),
        fc.boolean(),
        (entries, protos, junk, trust, encrypted) => {
          fc.pre(stopIndex(entries, trust) !== undefined);
          const xff = entries.map((e) => e.a).join(", ");
          const xfp = protos.join(", ");
          expectSameBelief(
            config(trust),
            request("10.0.0.1", { "x-forwarded-for": xff, "x-forwarded-proto": xfp }, encrypted),
            request(
              "10.0.0.1",
              { "x-forwarded-for": `${junk.join(",")}, ${xff}`, "x-forwarded-proto": xfp },
              encrypted,
            ),
          );
        },
      ),
    );
  }, 30_000);

  it("X-Forwarded-Proto values left of the believed index never change anything", () => {
    holds(
      fc.property(
        fc.array(entry, { minLength: 0, maxLength: 6 }),
        fc.array(proto, { minLength: 1, maxLength: 8 }),
        fc.array(junkText, { minLength: 1, maxLength: 4 }),
        fc.constantFrom<TrustSetting>(LIST, 1, 2, 3),
        fc.boolean(),
        (entries, protos, junk, trust, encrypted) => {
          const c = entries.length === 0 ? 0 : stopIndex(entries, trust);
          fc.pre(c !== undefined);
          // k >= h: the value at k - h was written by the outermost trusted proxy.
          fc.pre(protos.length >= Math.max(c as number, 1));
          const headers = (xfp: string): Record<string, string> =>
            entries.length === 0
              ? { "x-forwarded-proto": xfp }
              : { "x-forwarded-for": entries.map((e) => e.a).join(", "), "x-forwarded-proto": xfp };
          const xfp = protos.join(", ");
          expectSameBelief(
            config(trust),
            request("10.0.0.1", headers(xfp), encrypted),
            request("10.0.0.1", headers(`${junk.join(",")}, ${xfp}`), encrypted),
          );
        },
      ),
    );
  }, 30_000);

  it("a Forwarded header, broken or not, changes nothing when forwarded is not listed", () => {
    holds(
      fc.property(
        fc.array(entry, { maxLength: 6 }),
        fc.array(proto, { maxLength: 4 }),
        junkText,
        fc.constantFrom<TrustSetting>(LIST, 1, 2, true, false),
        fc.boolean(),
        (entries, protos, forwarded, trust, encrypted) => {
          const headers: Record<string, string> = {};
          if (entries.length > 0) headers["x-forwarded-for"] = entries.map((e) => e.a).join(", ");
          if (protos.length > 0) headers["x-forwarded-proto"] = protos.join(", ");
          expectSameBelief(
            config(trust),
            request("10.0.0.1", headers, encrypted),
            request("10.0.0.1", { ...headers, forwarded }, encrypted),
          );
        },
      ),
    );
  }, 30_000);

  it("an untrusted peer changes nothing, whatever headers it sends", () => {
    holds(
      fc.property(
        fc.dictionary(fc.constantFrom(...ALL), junkText, { maxKeys: 7 }),
        fc.constantFrom(...UNTRUSTED, ...MALFORMED, "8.8.8.8"),
        fc.constantFrom<TrustSetting>(LIST, ["private"], false),
        fc.boolean(),
        (headers, peer, trust, encrypted) => {
          const cfg = config(trust, ALL);
          expectSameBelief(cfg, request(peer, {}, encrypted), request(peer, headers, encrypted));
          const t = decideTransport(request(peer, headers, encrypted), cfg);
          expect(t.source).toBe("socket");
          expect(t.protocol).toBe(encrypted ? "https" : "http");
        },
      ),
    );
  }, 30_000);

  it("a request failing a check that leaves the socket's protocol is never more secure than the socket", () => {
    const SOCKETS_PROTOCOL = new Set([
      "TRANSPORT_HEADER_CONFLICT",
      "TRANSPORT_FORWARDED_MALFORMED",
      "TRANSPORT_PROTO_INVALID",
      "TRANSPORT_UNTRUSTED_PEER",
      "TRANSPORT_HEADERS_WITHOUT_TRUST",
      "TRANSPORT_PEER_UNKNOWN",
    ]);
    holds(
      fc.property(
        fc.dictionary(
          fc.constantFrom(...ALL),
          fc.oneof(
            junkText,
            fc.constantFrom(
              "https",
              "http, https",
              "for=203.0.113.7;proto=https",
              "for=203.0.113.7;proto=http, for=10.0.0.2;proto=https",
              'for="',
              "on",
              "off",
              '{"scheme":"https"}',
              "203.0.113.7, 10.0.0.2",
            ),
          ),
          { maxKeys: 7 },
        ),
        fc.option(fc.constantFrom(...TRUSTED, ...UNTRUSTED, ...MALFORMED), { nil: undefined }),
        fc.constantFrom<TrustSetting>(LIST, 1, 2, true, false),
        fc.subarray(ALL, { minLength: 1 }),
        (headers, peer, trust, listed) => {
          const t = decideTransport(request(peer, headers, false), config(trust, listed));
          if (t.diagnostics.some((d) => SOCKETS_PROTOCOL.has(d.code))) {
            expect(t.protocol).toBe("http");
            expect(t.secure).toBe(false);
            expect(t.source).toBe("socket");
          }
          if (t.diagnostics.some((d) => d.code === "TRANSPORT_HEADER_CONFLICT")) {
            expect(t.trustedHops).toBe(0);
            expect(t.clientAddress).toBe(t.hops[0]?.address ?? null);
          }
        },
      ),
    );
  }, 30_000);

  it("a long-lived compiled transport answers any sequence of requests as a fresh one does", () => {
    const oneRequest = fc.record({
      peer: fc.option(fc.constantFrom(...TRUSTED, ...UNTRUSTED, ...MALFORMED), { nil: undefined }),
      headers: fc.dictionary(fc.constantFrom(...ALL, "host"), junkText, { maxKeys: 5 }),
      encrypted: fc.boolean(),
    });
    holds(
      fc.property(
        fc.array(oneRequest, { minLength: 1, maxLength: 4 }),
        fc.constantFrom<TrustSetting>(LIST, 2, true, false),
        fc.subarray(ALL),
        (requests, trust, listed) => {
          const cfg = config(trust, listed, "secure-context");
          const longLived = compileTransport(cfg);
          const other = compileTransport({ ...cfg, headers: ALL });
          for (const r of requests) {
            const req = request(r.peer, r.headers, r.encrypted);
            other(req); // a second policy interleaved
            const fresh = decideTransport(req, { ...cfg, trust: compileTrust(trust) });
            expect(longLived(req)).toEqual(fresh);
          }
        },
      ),
    );
  }, 30_000);
});
