import { isIP } from "node:net";
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { describe, expect, it } from "vitest";
import {
  bareOf,
  IP,
  IPV4,
  IPV6,
  NOT_IP,
  parseAddress,
  parseBareAt,
  parseRange,
} from "./address.js";

/** The parsed address as ipaddr.js would print it, for comparison. */
function parsed(kind: number): string {
  if (kind === IPV4)
    return ipaddr
      .fromByteArray([IP.v4 >>> 24, (IP.v4 >>> 16) & 255, (IP.v4 >>> 8) & 255, IP.v4 & 255])
      .toString();
  const bytes: number[] = [];
  for (const g of IP.v6) bytes.push(g >> 8, g & 255);
  return ipaddr.fromByteArray(bytes).toString();
}

/**
 * ipaddr.js reads any dotted-quad tail as IPv4-mapped (`::1.2.3.4` → `::ffff:1.2.3.4`), the
 * v1 bug; written as two hex groups it parses what the string says.
 */
function hexTail(s: string): string {
  const m = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (m === null) return s;
  const [, head, a, b, c, d] = m.map(String);
  const hex = (x: string, y: string) => ((Number(x) << 8) | Number(y)).toString(16);
  return `${head}${hex(a as string, b as string)}:${hex(c as string, d as string)}`;
}

describe("parseAddress(s): strict syntax (SPEC §2.2)", () => {
  const valid: [string, number, string][] = [
    ["192.0.2.1", IPV4, "192.0.2.1"],
    ["192.0.2.1:80", IPV4, "192.0.2.1"],
    ["0.0.0.0", IPV4, "0.0.0.0"],
    ["255.255.255.255:65535", IPV4, "255.255.255.255"],
    ["2001:db8::1", IPV6, "2001:db8::1"],
    ["[2001:db8::1]", IPV6, "2001:db8::1"],
    ["[2001:db8::1]:4711", IPV6, "2001:db8::1"],
    ["fe80::1%eth0", IPV6, "fe80::1"],
    ["[fe80::1%25]:443", IPV6, "fe80::1"],
    ["::", IPV6, "::"],
    ["::1", IPV6, "::1"],
    ["1:2:3:4:5:6:7:8", IPV6, "1:2:3:4:5:6:7:8"],
    ["1:2:3:4:5:6:7::", IPV6, "1:2:3:4:5:6:7::"],
    ["1:2:3:4:5:6:1.2.3.4", IPV6, "1:2:3:4:5:6:1.2.3.4"],
    // ::ffff: is the only IPv4 embedding, in any spelling
    ["::ffff:10.0.0.1", IPV4, "::ffff:10.0.0.1"],
    ["::FFFF:a00:1", IPV4, "::FFFF:a00:1"],
    ["0:0:0:0:0:ffff:10.0.0.1", IPV4, "0:0:0:0:0:ffff:10.0.0.1"],
    ["[::ffff:10.0.0.1]:80", IPV4, "::ffff:10.0.0.1"],
    ["::10.0.0.5", IPV6, "::10.0.0.5"],
    ["::a00:5", IPV6, "::a00:5"],
    ["0:0:0:0:0:0:10.0.0.5", IPV6, "0:0:0:0:0:0:10.0.0.5"],
  ];
  for (const [s, kind, bare] of valid) {
    it(`${s} is ${kind === IPV4 ? "IPv4" : "IPv6"}, bare ${bare}`, () => {
      expect(parseAddress(s)).toBe(kind);
      expect(bareOf(s)).toBe(bare);
    });
  }

  it("::ffff:10.0.0.1 is 10.0.0.1; ::10.0.0.5 is not 10.0.0.5", () => {
    expect(parseAddress("::ffff:10.0.0.1")).toBe(IPV4);
    expect(IP.v4).toBe(0x0a000001);
    expect(parseAddress("::10.0.0.5")).toBe(IPV6);
    expect([...IP.v6]).toEqual([0, 0, 0, 0, 0, 0, 0x0a00, 5]);
  });

  const invalid = [
    "",
    "unknown",
    "_hidden",
    "example.com",
    "010.0.0.1",
    "10.0.0.01",
    "127.1",
    "0x7f.0.0.1",
    "1.2.3.4.5",
    "1.2.3.256",
    "1.2.3.4.",
    " 1.2.3.4",
    "[10.0.0.3]",
    "[10.0.0.3]:80",
    "10.0.0.3%eth0",
    "10.0.0.3:0",
    "10.0.0.3:65536",
    "10.0.0.3:99999",
    "10.0.0.3:080",
    "10.0.0.3:",
    "10.0.0.3:port",
    "[2001:db8::1]:0",
    "[2001:db8::1",
    "2001:db8::1]",
    "2001:db8::1%",
    "fe80::1%eth 0",
    "1::2::3",
    "1:2:3:4:5:6:7:8:9",
    "1::2:3:4:5:6:7:8",
    "12345::",
    ":::",
    ":1::",
    "1::2:",
    "::ffff:1.2.3.256",
    "::ffff:1.2.3.04",
    "1:2:3:4:5:6:7:1.2.3.4",
  ];
  for (const s of invalid) {
    it(`${JSON.stringify(s)} is not an address`, () => {
      expect(parseAddress(s)).toBe(NOT_IP);
    });
  }

  it("agrees with Node's inet_pton (net.isIP) and ipaddr.js's values on any address-like string", () => {
    const piece = fc.constantFrom(
      "0",
      "1",
      "10",
      "99",
      "255",
      "256",
      "01",
      "ffff",
      "FFFF",
      "fffff",
      "a",
      "g",
      ".",
      ":",
      "::",
      "1.2.3.4",
    );
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 14 }), (parts) => {
        const s = parts.join("");
        const kind = parseBareAt(s, 0, s.length, false);
        expect(kind === NOT_IP ? 0 : kind, s).toBe(isIP(s));
        if (kind !== NOT_IP) expect(parsed(kind), s).toBe(ipaddr.parse(hexTail(s)).toString());
      }),
      { numRuns: 10_000 },
    );
  });
});

describe("parseRange(entry)", () => {
  it("reads addresses and CIDR ranges strictly; ::ffff: ranges of /96 or longer are IPv4", () => {
    expect(parseRange("10.0.0.0/8")).toMatchObject({ kind: IPV4, v4: 0x0a000000, bits: 8 });
    expect(parseRange("10.0.0.1")).toMatchObject({ kind: IPV4, bits: 32 });
    expect(parseRange("2001:db8::/32")).toMatchObject({ kind: IPV6, bits: 32 });
    expect(parseRange("::ffff:10.0.0.0/104")).toMatchObject({
      kind: IPV4,
      v4: 0x0a000000,
      bits: 8,
    });
    expect(parseRange("::/0")).toMatchObject({ kind: IPV6, bits: 0 });
    for (const bad of [
      "10.0.0.0/33",
      "10.0.0.0/08",
      "10.0.0.0/",
      "::/129",
      "[::1]",
      "fe80::1%eth0",
      "10.0.0.1:80",
      "10.0.0.0/8 ",
    ]) {
      expect(parseRange(bad), bad).toBeNull();
    }
  });
});
