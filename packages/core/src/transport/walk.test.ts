import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PROXY_HEADERS } from "../policy/schema.js";
import type { Hop, PolicyRequest, ProxyHeader, Transport, TrustSetting } from "../types.js";
import { compileTrust } from "./trust.js";
import { compileTransport, decideTransport } from "./walk.js";

/** The built-in `proxy.headers` (SPEC v2 §2.1). */
const DEFAULT_HEADERS: ProxyHeader[] = ["x-forwarded-for", "x-forwarded-proto"];
/** A policy that opts in to `Forwarded` (only when every proxy writes or strips it). */
const FORWARDED: ProxyHeader[] = ["forwarded"];
/** Every header `proxy.headers` may list (SPEC §2.2), as the policy schema accepts them. */
const ALL: ProxyHeader[] = [...PROXY_HEADERS];

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
  options: {
    headers?: ProxyHeader[];
    encrypted?: boolean;
    localhost?: "insecure" | "secure-context";
  } = {},
) {
  return decideTransport(request(peer, headers, options.encrypted), {
    trust: compileTrust(trust),
    headers: options.headers ?? DEFAULT_HEADERS,
    localhost: options.localhost ?? "insecure",
  });
}

const codes = (t: { diagnostics: readonly { code: string }[] }) => t.diagnostics.map((d) => d.code);

/** The fields a test names, and exactly the diagnostics it expects (none unless listed). */
function expectDecision(
  t: Transport,
  fields: Partial<Record<keyof Transport, unknown>>,
  diagnostics: string[] = [],
  what?: string,
) {
  expect(t, what).toMatchObject(fields);
  expect(codes(t), what).toEqual(diagnostics);
}

describe("decideTransport: SPEC §2.2 worked examples (trust [10.0.0.0/8])", () => {
  // peer, X-Forwarded-For, X-Forwarded-Proto, expected protocol ("socket" = the socket's), client, trustedHops
  const rows: [
    string,
    string | null,
    string,
    "http" | "https" | "socket",
    string | null,
    number,
  ][] = [
    ["203.0.113.9", "1.2.3.4", "https", "socket", "203.0.113.9", 0],
    ["10.0.0.1", "203.0.113.7", "https", "https", "203.0.113.7", 1],
    ["10.0.0.1", "203.0.113.7, 10.0.0.2", "https", "https", "203.0.113.7", 2],
    ["10.0.0.1", "203.0.113.7", "https, http", "http", "203.0.113.7", 1],
    ["10.0.0.1", "198.51.100.1, 203.0.113.7", "https, http", "http", "203.0.113.7", 1],
    ["10.0.0.1", "203.0.113.7, 10.0.0.2", "https, http", "https", "203.0.113.7", 2],
    ["10.0.0.1", null, "https, http", "http", "10.0.0.1", 0],
    ["10.0.0.1", null, "https", "https", "10.0.0.1", 0],
    ["10.0.0.1", "junk, 203.0.113.7", "http, https", "https", "203.0.113.7", 1],
    ["10.0.0.1", "203.0.113.7, junk", "https", "https", null, 1],
    ["10.0.0.1", "::10.0.0.2", "https", "https", "::10.0.0.2", 1],
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

const TEN = ["10.0.0.0/8"];

describe("decideTransport: Forwarded (RFC 7239), when listed", () => {
  const decideF = (
    trust: TrustSetting,
    peer: string | undefined,
    headers: Record<string, string | string[]>,
    headerList: ProxyHeader[] = FORWARDED,
  ) => decide(trust, peer, headers, { headers: headerList });

  it("believes the proto of the element whose for= is the client", () => {
    const t = decideF(TEN, "10.0.0.1", { forwarded: "for=203.0.113.7;proto=https" });
    expect(t).toMatchObject({
      protocol: "https",
      source: "forwarded",
      clientAddress: "203.0.113.7",
      trustedHops: 1,
    });
  });

  it("walks trusted proxies right to left (element m - h)", () => {
    const t = decideF(TEN, "10.0.0.1", {
      forwarded: "for=203.0.113.7;proto=https, for=10.0.0.2;proto=http",
    });
    expect(t).toMatchObject({ protocol: "https", clientAddress: "203.0.113.7", trustedHops: 2 });
  });

  it("never believes an element a client prepended", () => {
    const t = decideF(TEN, "10.0.0.1", {
      forwarded: "for=10.0.0.9;proto=https, for=203.0.113.7;proto=http",
    });
    expect(t).toMatchObject({ protocol: "http", clientAddress: "203.0.113.7", trustedHops: 1 });
  });

  it("walks Forwarded and X-Forwarded-For both when both are listed and present: agreeing, they stand", () => {
    const both: ProxyHeader[] = ["forwarded", "x-forwarded-for", "x-forwarded-proto"];
    const t = decideF(
      TEN,
      "10.0.0.1",
      {
        forwarded: "for=203.0.113.7;proto=https",
        "x-forwarded-for": "203.0.113.7",
        "x-forwarded-proto": "https",
      },
      both,
    );
    expectDecision(t, {
      protocol: "https",
      source: "forwarded",
      clientAddress: "203.0.113.7",
      trustedHops: 1,
    });
  });

  it("a broken Forwarded makes the protocol the socket's, never falling back to another header", () => {
    const both: ProxyHeader[] = ["forwarded", "x-forwarded-for", "x-forwarded-proto"];
    const t = decideF(TEN, "10.0.0.1", { forwarded: 'for="', "x-forwarded-proto": "https" }, [
      "forwarded",
      "x-forwarded-proto",
    ]);
    expectDecision(
      t,
      {
        protocol: "http",
        source: "socket",
        clientAddress: null,
        trustedHops: 1,
      },
      ["TRANSPORT_FORWARDED_MALFORMED"],
    );
    // with X-Forwarded-For listed too, the two chains disagree: fail closed at the peer
    const u = decideF(
      TEN,
      "10.0.0.1",
      {
        forwarded: "for=[2001:db8::1]",
        "x-forwarded-for": "203.0.113.7",
        "x-forwarded-proto": "https",
      },
      both,
    );
    expectDecision(
      u,
      {
        protocol: "http",
        source: "socket",
        clientAddress: "10.0.0.1",
        trustedHops: 0,
      },
      ["TRANSPORT_FORWARDED_MALFORMED", "TRANSPORT_HEADER_CONFLICT"],
    );
  });

  it("parses only the elements the walk reaches: a client's broken element left of them decides nothing", () => {
    for (const junk of ['for="', "garbage", 'for=1.2.3.4;proto="https', "for=[10.0.0.3]", "=,=;"]) {
      const t = decideF(TEN, "10.0.0.1", { forwarded: `${junk}, for=203.0.113.7;proto=http` });
      expectDecision(
        t,
        {
          protocol: "http",
          clientAddress: "203.0.113.7",
          trustedHops: 1,
        },
        [],
        junk,
      );
    }
  });

  it("is never read when it is not listed (the built-in headers)", () => {
    const t = decide(TEN, "10.0.0.1", { forwarded: "for=6.6.6.6;proto=https" });
    expectDecision(t, {
      protocol: "http",
      source: "socket",
      clientAddress: "10.0.0.1",
      trustedHops: 0,
    });
  });

  it("stops at unknown and obfuscated identifiers, reporting them as written", () => {
    expect(decideF(true, "10.0.0.1", { forwarded: "for=unknown;proto=https" })).toMatchObject({
      clientAddress: "unknown",
      trustedHops: 1,
      protocol: "https",
    });
    expect(decideF(true, "10.0.0.1", { forwarded: 'for="_gazonk", for=10.0.0.2' })).toMatchObject({
      clientAddress: "_gazonk",
      trustedHops: 2,
    });
    // an element without for= counts as for=unknown
    expect(decideF(true, "10.0.0.1", { forwarded: "for=203.0.113.7, proto=https" })).toMatchObject({
      clientAddress: "unknown",
      trustedHops: 1,
      protocol: "https",
    });
    expect(decideF(5, "10.0.0.1", { forwarded: "for=203.0.113.7, for=unknown" })).toMatchObject({
      clientAddress: "unknown",
      trustedHops: 1,
    });
  });

  it("strips brackets and ports from the client address", () => {
    const t = decideF(TEN, "10.0.0.1", { forwarded: 'For="[2001:db8:cafe::17]:4711";proto=https' });
    expect(t).toMatchObject({ clientAddress: "2001:db8:cafe::17", protocol: "https" });
    expect(decideF(TEN, "10.0.0.1", { forwarded: 'for="192.0.2.43:47011"' }).clientAddress).toBe(
      "192.0.2.43",
    );
  });

  it("reports a proto that is neither http nor https and keeps the socket's", () => {
    const t = decideF(TEN, "10.0.0.1", { forwarded: "for=203.0.113.7;proto=ftp" });
    expectDecision(t, { protocol: "http", source: "socket" }, ["TRANSPORT_PROTO_INVALID"]);
  });
});

describe("decideTransport: X-Forwarded-For and X-Forwarded-Proto", () => {
  it("accepts ports and IPv6 brackets in X-Forwarded-For", () => {
    const t = decide(TEN, "10.0.0.1", { "x-forwarded-for": "[2001:db8::1]:4711, 10.0.0.2:8080" });
    expect(t).toMatchObject({ clientAddress: "2001:db8::1", trustedHops: 2 });
  });

  it("stops at a reached entry that is not an address: client unknown, the hops before it stand", () => {
    const t = decide(TEN, "10.0.0.1", {
      "x-forwarded-for": "203.0.113.7, nonsense, 10.0.0.2",
      "x-forwarded-proto": "https, https, http",
    });
    expectDecision(t, { clientAddress: null, trustedHops: 2, protocol: "https" }, [
      "TRANSPORT_XFF_MALFORMED",
    ]);
    expect(t.diagnostics[0]?.message).toContain('"nonsense"');
    expect(t.diagnostics[0]?.message).toContain("10.0.0.1");
  });

  it("never reads entries beyond the client: junk there is no diagnostic and moves nothing", () => {
    for (const junk of [
      "nonsense",
      "unknown",
      "x",
      "[10.0.0.3]",
      "127.0.0.1%eth0",
      "1.2.3.4:99999",
      "010.0.0.1",
      "",
    ]) {
      const t = decide(TEN, "10.0.0.1", {
        "x-forwarded-for": `${junk}, 203.0.113.7`,
        "x-forwarded-proto": "https",
      });
      expectDecision(
        t,
        {
          clientAddress: "203.0.113.7",
          trustedHops: 1,
          protocol: "https",
        },
        [],
        junk,
      );
    }
  });

  it("strict syntax: a reached entry malformed in any of the v1-accepted ways stops the walk", () => {
    for (const bad of [
      "[10.0.0.3]",
      "10.0.0.3%eth0",
      "10.0.0.3:99999",
      "10.0.0.3:0",
      "010.0.0.3",
      "10.3",
      "unknown",
    ]) {
      const t = decide(TEN, "10.0.0.1", { "x-forwarded-for": bad, "x-forwarded-proto": "https" });
      expectDecision(t, { clientAddress: null, trustedHops: 1 }, ["TRANSPORT_XFF_MALFORMED"], bad);
    }
  });

  it("reads at most 32 entries: a chain still trusted at the 32nd stops there, client unknown", () => {
    const trusted = (n: number) => Array.from({ length: n }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    const exactly = decide(TEN, "10.0.0.1", { "x-forwarded-for": trusted(32).join(", ") });
    expectDecision(exactly, { clientAddress: "10.0.0.0", trustedHops: 32 });
    const long = decide(TEN, "10.0.0.1", {
      "x-forwarded-for": ["203.0.113.7", ...trusted(10_000)].join(", "),
      "x-forwarded-proto": "https",
    });
    expect(long).toMatchObject({ clientAddress: null, trustedHops: 32, protocol: "https" });
    expect(long.hops.length).toBeLessThanOrEqual(33);
    expect(codes(long)).toEqual(["TRANSPORT_CHAIN_TOO_LONG"]);
  });

  it("ignores empty list entries", () => {
    expect(
      decide(TEN, "10.0.0.1", { "x-forwarded-for": "203.0.113.7, , 10.0.0.2," }),
    ).toMatchObject({
      clientAddress: "203.0.113.7",
      trustedHops: 2,
    });
  });

  it("takes the leftmost X-Forwarded-Proto when fewer values than trusted hops, and reports it", () => {
    const t = decide(TEN, "10.0.0.1", {
      "x-forwarded-for": "203.0.113.7, 10.0.0.3, 10.0.0.2",
      "x-forwarded-proto": "https, http",
    });
    expectDecision(t, { protocol: "https", trustedHops: 3 }, ["TRANSPORT_XFP_MISALIGNED"]);
  });

  it("trims and compares protocol values case-insensitively", () => {
    expect(decide(TEN, "10.0.0.1", { "x-forwarded-proto": "  HTTPS " }).protocol).toBe("https");
    expect(
      decide(TEN, "10.0.0.1", { "x-forwarded-proto": "Http" }, { encrypted: true }).protocol,
    ).toBe("http");
  });

  it("treats an invalid protocol as absent (never as https)", () => {
    for (const value of ["ftp", "https1", "on", "wss", "https;"]) {
      const t = decide(TEN, "10.0.0.1", { "x-forwarded-proto": value });
      expectDecision(t, { protocol: "http", source: "socket" }, ["TRANSPORT_PROTO_INVALID"]);
    }
  });

  it("reads repeated headers as one list (Node arrays)", () => {
    const t = decide(TEN, "10.0.0.1", {
      "x-forwarded-for": ["203.0.113.7", "10.0.0.2"],
      "x-forwarded-proto": ["https", "http"],
    });
    expect(t).toMatchObject({ clientAddress: "203.0.113.7", trustedHops: 2, protocol: "https" });
  });

  it("lists every address the walk reads, peer first, with trusted flags", () => {
    const t = decide(TEN, "10.0.0.1", { "x-forwarded-for": "198.51.100.1, 203.0.113.7, 10.0.0.2" });
    expect(t.hops).toEqual([
      { address: "10.0.0.1", trusted: true, from: "socket" },
      { address: "10.0.0.2", trusted: true, from: "x-forwarded-for" },
      { address: "203.0.113.7", trusted: false, from: "x-forwarded-for" },
    ]);
    expect(
      decide(TEN, "10.0.0.1", { "x-forwarded-for": "10.0.0.3" }).hops.every((h) => h.trusted),
    ).toBe(true);
  });
});

describe("decideTransport: single-valued proto headers", () => {
  const all: ProxyHeader[] = ["x-forwarded-ssl", "front-end-https", "cf-visitor"];
  it("believes x-forwarded-ssl, front-end-https and cf-visitor from a trusted peer", () => {
    expect(decide(TEN, "10.0.0.1", { "x-forwarded-ssl": "on" }, { headers: all })).toMatchObject({
      protocol: "https",
      source: "x-forwarded-ssl",
    });
    expect(decide(TEN, "10.0.0.1", { "front-end-https": "On" }, { headers: all })).toMatchObject({
      protocol: "https",
      source: "front-end-https",
    });
    expect(
      decide(TEN, "10.0.0.1", { "cf-visitor": '{"scheme":"https"}' }, { headers: all }),
    ).toMatchObject({
      protocol: "https",
      source: "cf-visitor",
    });
    expect(
      decide(
        TEN,
        "10.0.0.1",
        { "cf-visitor": '{"scheme":"http"}' },
        { headers: all, encrypted: true },
      ),
    ).toMatchObject({ protocol: "http", source: "cf-visitor" });
  });

  it("treats garbage in them as absent and reports it, without throwing", () => {
    for (const [name, value] of [
      ["cf-visitor", "{"],
      ["cf-visitor", "null"],
      ["cf-visitor", '{"scheme":1}'],
      ["cf-visitor", '["https"]'],
      ["cf-visitor", '{"scheme":"https"}, {"scheme":"https"}'],
      ["x-forwarded-ssl", "yes"],
      ["x-forwarded-ssl", "on, on"],
      ["front-end-https", "1"],
    ] as const) {
      const t = decide(TEN, "10.0.0.1", { [name]: value }, { headers: all });
      expect(t.protocol, `${name}: ${value}`).toBe("http");
      expect(codes(t)).toEqual(["TRANSPORT_PROTO_INVALID"]);
    }
  });

  it("two listed protocol headers that agree are no conflict; one absent never conflicts", () => {
    // the first listed names the source
    const c = decide(
      TEN,
      "10.0.0.1",
      { "x-forwarded-proto": "https", forwarded: "for=203.0.113.7;proto=https" },
      { headers: ["forwarded", "x-forwarded-proto"] },
    );
    expectDecision(c, { protocol: "https", source: "forwarded" });
    // a header that is absent never conflicts
    const d = decide(
      TEN,
      "10.0.0.1",
      { "x-forwarded-proto": "https" },
      {
        headers: [
          "forwarded",
          "x-forwarded-for",
          "x-forwarded-proto",
          "cf-visitor",
          "x-forwarded-ssl",
        ],
      },
    );
    expectDecision(d, { protocol: "https", source: "x-forwarded-proto", trustedHops: 0 });
  });
});

describe("decideTransport: listed headers that disagree fail closed at the peer (SPEC §2.2 step 4)", () => {
  const cfVisitorHttps = '{"scheme":"https"}';
  // what disagrees, proxy.headers, the headers a trusted peer (10.0.0.1) sends
  const rows: [string, ProxyHeader[], Record<string, string>][] = [
    [
      "Forwarded and X-Forwarded-For name different clients",
      ["forwarded", "x-forwarded-for", "x-forwarded-proto"],
      {
        forwarded: "for=6.6.6.6;proto=https",
        "x-forwarded-for": "203.0.113.7",
        "x-forwarded-proto": "https",
      },
    ],
    [
      "Forwarded and X-Forwarded-For trust different numbers of hops",
      ["forwarded", "x-forwarded-for", "x-forwarded-proto"],
      { forwarded: "for=203.0.113.7, for=10.0.0.2", "x-forwarded-for": "203.0.113.7" },
    ],
    [
      "CF-Visitor says https, X-Forwarded-Proto http (CF-Visitor listed first)",
      ["cf-visitor", "x-forwarded-for", "x-forwarded-proto"],
      {
        "x-forwarded-for": "203.0.113.7",
        "x-forwarded-proto": "http",
        "cf-visitor": cfVisitorHttps,
      },
    ],
    [
      "CF-Visitor says https, X-Forwarded-Proto http (X-Forwarded-Proto listed first)",
      ["x-forwarded-for", "x-forwarded-proto", "cf-visitor"],
      {
        "x-forwarded-for": "203.0.113.7",
        "x-forwarded-proto": "http",
        "cf-visitor": cfVisitorHttps,
      },
    ],
    [
      "Forwarded host= and X-Forwarded-Host name different hosts",
      ["forwarded", "x-forwarded-host"],
      { forwarded: 'for=203.0.113.7;host="shop.example"', "x-forwarded-host": "evil.example" },
    ],
  ];
  for (const [what, listed, headers] of rows) {
    for (const encrypted of [false, true]) {
      it(`${what}: the socket's ${encrypted ? "https" : "http"}, the peer as client, the Host`, () => {
        const t = decide(TEN, "10.0.0.1", headers, { headers: listed, encrypted });
        expect(t).toMatchObject({
          protocol: encrypted ? "https" : "http",
          source: "socket",
          clientAddress: "10.0.0.1",
          trustedHops: 0,
          host: "example.com",
        });
        expect(t.hops).toEqual([{ address: "10.0.0.1", trusted: true, from: "socket" }]);
        expect(codes(t)).toEqual(["TRANSPORT_HEADER_CONFLICT"]);
      });
    }
  }
});

describe("decideTransport: spoofing", () => {
  const everything = {
    forwarded: "for=198.51.100.1;proto=https;host=evil.example",
    "x-forwarded-for": "198.51.100.1",
    "x-forwarded-proto": "https",
    "x-forwarded-host": "evil.example",
    "x-forwarded-ssl": "on",
    "front-end-https": "on",
    "cf-visitor": '{"scheme":"https"}',
  };

  it("an untrusted peer ends the walk: it is the only hop", () => {
    const t = decide(TEN, "203.0.113.9", { "x-forwarded-for": "10.0.0.2" });
    expect(t.hops).toEqual([{ address: "203.0.113.9", trusted: false, from: "socket" }]);
  });

  it("an untrusted peer gets the socket's transport whatever it sends", () => {
    for (const [name, value] of Object.entries(everything)) {
      const t = decide(TEN, "203.0.113.9", { [name]: value }, { headers: ALL });
      expectDecision(
        t,
        {
          protocol: "http",
          secure: false,
          source: "socket",
          clientAddress: "203.0.113.9",
          host: "example.com",
          trustedHops: 0,
        },
        ["TRANSPORT_UNTRUSTED_PEER"],
        name,
      );
      expect(t.diagnostics[0]?.message).toContain("203.0.113.9");
    }
  });

  it("names the headers and the peer when proxy.trust is false", () => {
    const t = decide(false, "127.0.0.1", everything, { headers: ALL });
    expectDecision(
      t,
      {
        protocol: "http",
        source: "socket",
        clientAddress: "127.0.0.1",
        host: "example.com",
      },
      ["TRANSPORT_HEADERS_WITHOUT_TRUST"],
    );
    expect(t.diagnostics[0]?.message).toContain("X-Forwarded-Proto");
    expect(t.diagnostics[0]?.message).toContain("127.0.0.1");
  });

  it("never reads a header that is not configured", () => {
    const t = decide(TEN, "10.0.0.1", everything, { headers: ["x-forwarded-for"] });
    expectDecision(t, {
      protocol: "http",
      source: "socket",
      clientAddress: "198.51.100.1",
      host: "example.com",
    });
    const none = decide(false, "203.0.113.9", everything, { headers: [] });
    expect(none.diagnostics).toEqual([]);
  });

  it("a client-prepended X-Forwarded-For or X-Forwarded-Proto value is never believed", () => {
    const t = decide(TEN, "10.0.0.1", {
      "x-forwarded-for": "10.0.0.99, 203.0.113.7",
      "x-forwarded-proto": "https, http",
    });
    expect(t).toMatchObject({ clientAddress: "203.0.113.7", protocol: "http", trustedHops: 1 });
  });

  it("reports no diagnostic on a clean request", () => {
    expect(decide(TEN, "203.0.113.9", {}).diagnostics).toEqual([]);
    expect(decide(false, "203.0.113.9", {}).diagnostics).toEqual([]);
  });
});

describe("decideTransport: hop counts and trust: true", () => {
  it("c = min(N, addrs.length - 1), whatever the addresses", () => {
    const xff = "198.51.100.3, 198.51.100.2, 198.51.100.1";
    const expected = [
      "203.0.113.9",
      "198.51.100.1",
      "198.51.100.2",
      "198.51.100.3",
      "198.51.100.3",
    ];
    for (let n = 0; n <= 4; n++) {
      const t = decide(n, "203.0.113.9", { "x-forwarded-for": xff, "x-forwarded-proto": "https" });
      expect(t.clientAddress, `N=${n}`).toBe(expected[n]);
      expect(t.trustedHops).toBe(Math.min(n, 3));
      expect(t.protocol).toBe(n === 0 ? "http" : "https");
    }
  });

  it("trust: true trusts the whole chain and warns about public peers", () => {
    const t = decide(true, "203.0.113.9", {
      "x-forwarded-for": "198.51.100.1, 10.0.0.2",
      "x-forwarded-proto": "https",
    });
    expectDecision(t, { clientAddress: "198.51.100.1", trustedHops: 2, protocol: "https" }, [
      "TRANSPORT_TRUST_ALL_PUBLIC",
    ]);
    expect(t.diagnostics[0]?.message).toContain("203.0.113.9");
    expect(decide(true, "10.0.0.1", {}).diagnostics).toEqual([]);
    expect(decide(true, "::1", {}).diagnostics).toEqual([]);
  });
});

describe("decideTransport: unknown peer (Next.js, edge runtimes)", () => {
  const headers = { "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https" };
  it("a hop count or true still applies", () => {
    for (const trust of [1, true] as const) {
      const t = decide(trust, undefined, headers);
      expect(t).toMatchObject({ protocol: "https", clientAddress: "203.0.113.7", trustedHops: 1 });
      expect(t.hops[0]).toEqual({ address: null, trusted: true, from: "socket" });
      expect(t.diagnostics).toEqual([]);
    }
  });

  it("an address list cannot match: headers not believed, and the diagnostic says why", () => {
    const t = decide(["loopback", "10.0.0.0/8"], undefined, headers);
    expectDecision(
      t,
      {
        protocol: "http",
        source: "socket",
        clientAddress: null,
        trustedHops: 0,
      },
      ["TRANSPORT_PEER_UNKNOWN"],
    );
    expect(decide(["loopback"], undefined, {}).diagnostics).toEqual([]);
    expect(codes(decide(false, undefined, headers))).toEqual(["TRANSPORT_HEADERS_WITHOUT_TRUST"]);
    expect(codes(decide(0, undefined, headers))).toEqual(["TRANSPORT_UNTRUSTED_PEER"]);
  });
});

describe("decideTransport: PolicyRequest.runtimeFilled (headers the runtime may have written)", () => {
  const LISTED: ProxyHeader[] = [
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
  ];
  /** What Next.js adds to a request that arrived without forwarding headers. */
  const nextFilled = {
    "x-forwarded-for": "::ffff:127.0.0.1",
    "x-forwarded-proto": "http",
    "x-forwarded-host": "example.com",
    "x-forwarded-port": "3000",
  };
  function decideFilled(trust: TrustSetting, headers: Record<string, string>) {
    return decideTransport(
      {
        ...request(undefined, headers),
        runtimeFilled: ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"],
      },
      { trust: compileTrust(trust), headers: LISTED, localhost: "insecure" },
    );
  }

  it("trust false: exactly what the runtime writes is not reported", () => {
    expect(decideFilled(false, nextFilled).diagnostics).toEqual([]);
    expect(
      decideFilled(false, { ...nextFilled, "x-forwarded-proto": "https" }).diagnostics,
    ).toEqual([]);
    expect(
      decideFilled(false, { ...nextFilled, "x-forwarded-host": "EXAMPLE.com" }).diagnostics,
    ).toEqual([]);
  });

  it("trust false: what a runtime never writes is still reported, naming only that header", () => {
    const cases: [Record<string, string>, string][] = [
      [{ "x-forwarded-for": "203.0.113.7, 10.0.0.1" }, "X-Forwarded-For"],
      [{ "x-forwarded-for": "unknown" }, "X-Forwarded-For"],
      [{ "x-forwarded-proto": "https, http" }, "X-Forwarded-Proto"],
      [{ "x-forwarded-proto": "HTTPS" }, "X-Forwarded-Proto"],
      [{ "x-forwarded-host": "evil.example" }, "X-Forwarded-Host"],
      [{ forwarded: "for=203.0.113.7;proto=https" }, "Forwarded"],
    ];
    for (const [sent, name] of cases) {
      const t = decideFilled(false, { ...nextFilled, ...sent });
      expect(codes(t)).toEqual(["TRANSPORT_HEADERS_WITHOUT_TRUST"]);
      expect(t.diagnostics[0]?.message).toMatch(new RegExp(`^${name} arrived`));
    }
  });

  it("without runtimeFilled the same headers are reported (an adapter that knows they arrived)", () => {
    const t = decide(false, undefined, nextFilled, { headers: LISTED });
    expect(codes(t)).toEqual(["TRANSPORT_HEADERS_WITHOUT_TRUST"]);
  });

  it("changes no decision and no other diagnostic: hop counts believe them, address lists say why not", () => {
    const sent = { ...nextFilled, "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https" };
    expect(decideFilled(1, sent)).toEqual(decide(1, undefined, sent, { headers: LISTED }));
    expect(decideFilled(1, sent)).toMatchObject({
      protocol: "https",
      clientAddress: "203.0.113.7",
    });
    expect(codes(decideFilled(["loopback"], nextFilled))).toEqual(["TRANSPORT_PEER_UNKNOWN"]);
    expect(decideFilled(false, sent)).toMatchObject({ protocol: "http", source: "socket" });
  });
});

describe("decideTransport: host, port and localhost (step 6)", () => {
  it("reads Host, else :authority", () => {
    expect(decide(false, "203.0.113.9", { host: "Example.com:8443" })).toMatchObject({
      host: "example.com",
      port: 8443,
    });
    const h2 = decideTransport(
      {
        encrypted: true,
        peer: "203.0.113.9",
        headers: { ":authority": "example.com" },
        method: "GET",
        url: "/",
      },
      { trust: compileTrust(false), headers: DEFAULT_HEADERS, localhost: "insecure" },
    );
    expect(h2).toMatchObject({ host: "example.com", port: null, protocol: "https" });
    const none = decideTransport(
      { encrypted: false, peer: "203.0.113.9", headers: {}, method: "GET", url: "/" },
      { trust: compileTrust(false), headers: DEFAULT_HEADERS, localhost: "insecure" },
    );
    expectDecision(none, { host: null, port: null });
  });

  it("treats an empty Host as no host, without a diagnostic", () => {
    const t = decide(false, "203.0.113.9", { host: "" });
    expectDecision(t, { host: null, port: null, localhost: false });
  });

  it("refuses a hostile Host: host null and TRANSPORT_HOST_INVALID", () => {
    for (const host of [
      "evil.com/x",
      "a@b.com",
      "example.com\r\nx: y",
      "exa mple.com",
      "[fe80::1%eth0]",
    ]) {
      const t = decide(false, "203.0.113.9", { host });
      expect(t.host, host).toBeNull();
      expect(codes(t)).toEqual(["TRANSPORT_HOST_INVALID"]);
      expect(t.diagnostics[0]?.message).not.toMatch(/[\r\n]/);
    }
  });

  it("believes X-Forwarded-Host or Forwarded host= only from a trusted peer and when listed", () => {
    const withXfh: ProxyHeader[] = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto"];
    expect(
      decide(TEN, "10.0.0.1", { "x-forwarded-host": "shop.example:444" }, { headers: withXfh }),
    ).toMatchObject({
      host: "shop.example",
      port: 444,
    });
    expect(
      decide(TEN, "203.0.113.9", { "x-forwarded-host": "shop.example" }, { headers: withXfh }).host,
    ).toBe("example.com");
    expect(decide(TEN, "10.0.0.1", { "x-forwarded-host": "shop.example" }).host).toBe(
      "example.com",
    );
    const fwd = { forwarded: 'for=203.0.113.7;host="shop.example"' };
    expect(decide(TEN, "10.0.0.1", fwd).host).toBe("example.com");
    expect(decide(TEN, "10.0.0.1", fwd, { headers: FORWARDED }).host).toBe("shop.example");
    const bad = decide(
      TEN,
      "10.0.0.1",
      { "x-forwarded-host": "shop.example/evil" },
      { headers: withXfh },
    );
    expect(bad.host).toBeNull();
    expect(codes(bad)).toEqual(["TRANSPORT_HOST_INVALID"]);
    expect(bad.diagnostics[0]?.message).toContain("X-Forwarded-Host");
  });

  it("aligns a multi-valued X-Forwarded-Host like X-Forwarded-Proto", () => {
    const t = decide(
      TEN,
      "10.0.0.1",
      { "x-forwarded-for": "203.0.113.7", "x-forwarded-host": "evil.example, shop.example" },
      { headers: ["x-forwarded-for", "x-forwarded-host"] },
    );
    expect(t.host).toBe("shop.example");
  });

  it("flags localhost hosts, and a secure context only for a loopback client in secure-context mode", () => {
    const sc = { localhost: "secure-context" as const };
    expect(decide(false, "127.0.0.1", { host: "localhost:3000" }, sc)).toMatchObject({
      localhost: true,
      secureContext: true,
      protocol: "http",
      secure: false,
    });
    expect(decide(false, "::1", { host: "app.localhost" }, sc)).toMatchObject({
      localhost: true,
      secureContext: true,
    });
    expect(decide(false, "::ffff:127.0.0.1", { host: "[::1]:3000" }, sc)).toMatchObject({
      secureContext: true,
    });
    expect(decide(false, "127.0.0.1", { host: "localhost" })).toMatchObject({
      localhost: true,
      secureContext: false,
    });
    expect(decide(false, "192.168.1.5", { host: "localhost" }, sc)).toMatchObject({
      localhost: true,
      secureContext: false,
    });
    expect(decide(false, "127.0.0.1", { host: "example.com" }, sc)).toMatchObject({
      localhost: false,
      secureContext: false,
    });
    expect(decide(false, undefined, { host: "localhost" }, sc)).toMatchObject({
      localhost: true,
      secureContext: false,
    });
    // behind a trusted loopback proxy the client is what counts
    expect(
      decide(
        ["loopback"],
        "127.0.0.1",
        { host: "localhost", "x-forwarded-for": "203.0.113.7" },
        sc,
      ),
    ).toMatchObject({ clientAddress: "203.0.113.7", secureContext: false });
  });
});

describe("decideTransport: Fetch Headers view", () => {
  it("decides the same from a Fetch Headers object", () => {
    const headers = new Headers({
      host: "example.com",
      "x-forwarded-for": "203.0.113.7",
      "x-forwarded-proto": "https",
    });
    const t = decideTransport(
      { encrypted: false, peer: "10.0.0.1", headers, method: "GET", url: "/" },
      { trust: compileTrust(TEN), headers: DEFAULT_HEADERS, localhost: "insecure" },
    );
    expect(t).toMatchObject({
      protocol: "https",
      clientAddress: "203.0.113.7",
      host: "example.com",
      trustedHops: 1,
    });
  });

  it("asks for each listed header once and for no other, whether the peer is trusted or not", () => {
    const listed: ProxyHeader[] = ["forwarded", "x-forwarded-for", "x-forwarded-proto"];
    for (const peer of ["10.0.0.1", "203.0.113.9"]) {
      const asked: string[] = [];
      const values = new Headers({
        host: "example.com",
        forwarded: "for=203.0.113.7;proto=https",
        "x-forwarded-for": "203.0.113.7",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "elsewhere.example",
      });
      const headers = {
        get(name: string) {
          asked.push(name);
          return values.get(name);
        },
      };
      const t = decideTransport(
        { encrypted: false, peer, headers, method: "GET", url: "/" },
        { trust: compileTrust(TEN), headers: listed, localhost: "insecure" },
      );
      expect(t.clientAddress).toBe(peer === "10.0.0.1" ? "203.0.113.7" : peer);
      expect(asked.sort()).toEqual(["forwarded", "host", "x-forwarded-for", "x-forwarded-proto"]);
    }
  });
});

const headerValue = fc.oneof(
  fc.string({ unit: "binary", maxLength: 60 }),
  fc
    .array(
      fc.constantFrom(
        "10.0.0.1",
        "203.0.113.7",
        "[::1]:80",
        "::ffff:10.0.0.2",
        "for=",
        "proto=https",
        "https",
        "http",
        ",",
        ";",
        " ",
        '"',
        "unknown",
        "_x",
        "host=",
        "on",
        '{"scheme":"https"}',
        "\\",
      ),
      { maxLength: 12 },
    )
    .map((p) => p.join("")),
);
const headerRecord = fc.record(
  {
    host: headerValue,
    forwarded: headerValue,
    "x-forwarded-for": headerValue,
    "x-forwarded-host": headerValue,
    "x-forwarded-proto": headerValue,
    "x-forwarded-ssl": headerValue,
    "front-end-https": headerValue,
    "cf-visitor": headerValue,
  },
  { requiredKeys: [] },
);
const peerArb = fc.option(
  fc.constantFrom(
    "10.0.0.1",
    "10.9.9.9",
    "203.0.113.9",
    "::1",
    "::ffff:10.0.0.3",
    "fe80::1%eth0",
    "garbage",
  ),
  { nil: undefined },
);

describe("decideTransport: properties", () => {
  it("never throws, whatever the headers", () => {
    fc.assert(
      fc.property(
        headerRecord,
        peerArb,
        fc.constantFrom<TrustSetting>(
          false,
          true,
          0,
          1,
          2,
          ["10.0.0.0/8"],
          ["private", "loopback"],
        ),
        (headers, peer, trust) => {
          const t = decideTransport(
            { encrypted: false, peer, headers, method: "GET", url: "/" },
            { trust: compileTrust(trust), headers: ALL, localhost: "secure-context" },
          );
          expect(["http", "https"]).toContain(t.protocol);
          expect(t.hops.length).toBeGreaterThan(t.trustedHops);
          if (t.host !== null) expect(t.host).not.toMatch(/[\r\n;/ ]/);
        },
      ),
      { numRuns: 1500 },
    );
  }, 30_000);

  it("never trusts more hops than configured", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            "10.0.0.1",
            "203.0.113.7",
            "198.51.100.2",
            "[2001:db8::1]:80",
            "10.1.1.1:8080",
          ),
          { maxLength: 8 },
        ),
        fc.nat(6),
        peerArb,
        (xff, n, peer) => {
          const t = decide(n, peer, {
            "x-forwarded-for": xff.join(", "),
            "x-forwarded-proto": "https",
          });
          expect(t.trustedHops).toBeLessThanOrEqual(n);
          expect(t.hops.filter((h) => h.trusted).length).toBeLessThanOrEqual(n);
        },
      ),
      { numRuns: 1500 },
    );
  }, 30_000);

  it("every hop counted trusted matches the trust list", () => {
    const list = ["10.0.0.0/8", "2001:db8::/32"];
    const matcher = compileTrust(list);
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            "10.0.0.1",
            "203.0.113.7",
            "[2001:db8::1]:80",
            "2001:db9::1",
            "10.1.1.1:8080",
            "unknown",
            "_x",
          ),
          { maxLength: 8 },
        ),
        fc.boolean(),
        peerArb,
        (chain, useForwarded, peer) => {
          const headers: Record<string, string> = useForwarded
            ? { forwarded: chain.map((a) => `for="${a}"`).join(", ") }
            : { "x-forwarded-for": chain.join(", ") };
          const t = decide(list, peer, headers);
          for (const hop of t.hops.slice(0, t.trustedHops)) {
            expect(hop.address).not.toBeNull();
            expect(matcher.isTrusted(hop.address as string)).toBe(true);
          }
          for (const hop of t.hops)
            if (hop.trusted) expect(matcher.isTrusted(hop.address as string)).toBe(true);
        },
      ),
      { numRuns: 1500 },
    );
  }, 30_000);
});

describe("decideTransport: worst case", () => {
  it("answers 64 KiB forwarding headers of any shape, reading a bounded part of them", () => {
    const xff = Array.from({ length: 4500 }, (_, i) => `198.51.${(i >> 8) & 255}.${i & 255}`).join(
      ", ",
    );
    const trustedXff = Array.from(
      { length: 4500 },
      (_, i) => `10.1.${(i >> 8) & 255}.${i & 255}`,
    ).join(", ");
    const forwarded = Array.from(
      { length: 3000 },
      (_, i) => `for="[2001:db8::${i.toString(16)}]:${i + 1}";proto=https`,
    ).join(", ");
    const quoted = `for=10.0.0.2;host="${"x".repeat(65000)}"`;
    const cases: [Record<string, string>, ProxyHeader[]][] = [
      [{ "x-forwarded-for": xff, "x-forwarded-proto": "https" }, DEFAULT_HEADERS],
      [{ "x-forwarded-for": trustedXff, "x-forwarded-proto": "https" }, DEFAULT_HEADERS],
      [{ "x-forwarded-for": `${xff}, 10.0.0.2` }, DEFAULT_HEADERS],
      [{ "x-forwarded-for": `junk, ${xff}` }, DEFAULT_HEADERS],
      [{ "x-forwarded-for": ",".repeat(65536) }, DEFAULT_HEADERS],
      [{ "x-forwarded-for": `${" ".repeat(65535)}1` }, DEFAULT_HEADERS],
      [{ forwarded }, FORWARDED],
      [{ forwarded: quoted }, FORWARDED],
      [{ forwarded: '"'.repeat(65536) }, FORWARDED],
      [{ "x-forwarded-proto": "https, ".repeat(9500) }, DEFAULT_HEADERS],
      [{ "x-forwarded-proto": `${" ".repeat(65536)}https` }, DEFAULT_HEADERS],
    ];
    for (const [headers, list] of cases) {
      const key = Object.keys(headers)[0] as string;
      expect(headers[key]?.length).toBeGreaterThan(50_000);
      const t = decide(TEN, "10.0.0.1", headers, { headers: list });
      expect(["http", "https"]).toContain(t.protocol);
      expect(t.hops.length, key).toBeLessThanOrEqual(34);
      expect(t.trustedHops, key).toBeLessThanOrEqual(32);
    }
  });
});

describe("decideTransport: no state between requests (SPEC §2.5)", () => {
  it("gives each request its own transport: changing one changes no later decision", () => {
    const decideFor = compileTransport({
      trust: compileTrust(TEN),
      headers: DEFAULT_HEADERS,
      localhost: "insecure",
    });
    const req = request("10.0.0.1", {
      "x-forwarded-for": "203.0.113.7",
      "x-forwarded-proto": "http",
    });
    const first = decideFor(req) as { -readonly [K in keyof Transport]: Transport[K] };
    first.secure = true;
    first.protocol = "https";
    (first.hops as Hop[]).length = 0;
    const second = decideFor(req);
    expect(second).not.toBe(first);
    expect(second).toMatchObject({ protocol: "http", secure: false, clientAddress: "203.0.113.7" });
    expect(second.hops).toHaveLength(2);
  });
});

describe("decideTransport: more than one Host header (RFC 9112, SPEC §2.2 step 6)", () => {
  it("a Fetch Headers object joins them with a comma, which is never a valid host", () => {
    const headers = new Headers([
      ["host", "example.com"],
      ["host", "example.com"],
    ]);
    const t = decideTransport(
      { encrypted: false, peer: "203.0.113.9", headers, method: "GET", url: "/" },
      { trust: compileTrust(false), headers: DEFAULT_HEADERS, localhost: "insecure" },
    );
    expect(t.host).toBeNull();
    expect(codes(t)).toEqual(["TRANSPORT_HOST_INVALID"]);
  });

  it("so does a Node record holding them as a list", () => {
    const t = decide(false, "203.0.113.9", { host: ["example.com", "evil.example"] });
    expect(t.host).toBeNull();
    expect(codes(t)).toEqual(["TRANSPORT_HOST_INVALID"]);
  });
});
