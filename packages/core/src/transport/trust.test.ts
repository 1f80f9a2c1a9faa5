import { describe, expect, it } from "vitest";
import { isLoopbackAddress, isPublicAddress } from "./address.js";
import { compileTrust, trustEntryError } from "./trust.js";

describe("compileTrust(setting)", () => {
  it("false trusts nothing", () => {
    const m = compileTrust(false);
    expect(m.kind).toBe("none");
    expect(m.hops).toBe(0);
    expect(m.isTrusted("127.0.0.1")).toBe(false);
  });

  it("true trusts every IP address, never an identifier", () => {
    const m = compileTrust(true);
    expect(m.kind).toBe("all");
    expect(m.hops).toBe(Number.POSITIVE_INFINITY);
    expect(m.isTrusted("203.0.113.9")).toBe(true);
    expect(m.isTrusted("2001:db8::1")).toBe(true);
    expect(m.isTrusted("unknown")).toBe(false);
    expect(m.isTrusted("_hidden")).toBe(false);
  });

  it("a hop count limits position, not addresses", () => {
    const m = compileTrust(2);
    expect(m.kind).toBe("hops");
    expect(m.hops).toBe(2);
    expect(m.isTrusted("203.0.113.9")).toBe(true);
    expect(m.isTrusted("unknown")).toBe(false);
  });

  it("rejects settings that are not boolean, whole numbers or lists", () => {
    expect(() => compileTrust(-1)).toThrow(TypeError);
    expect(() => compileTrust(1.5)).toThrow(/whole number/);
    expect(() => compileTrust(["10.0.0.0/33"])).toThrow(
      /"10.0.0.0\/33" is not an IP address or CIDR range/,
    );
    expect(() => compileTrust("loopback" as never)).toThrow(TypeError);
  });

  const cases: [string[], string, boolean][] = [
    // presets
    [["loopback"], "127.0.0.1", true],
    [["loopback"], "127.255.0.9", true],
    [["loopback"], "::1", true],
    [["loopback"], "::ffff:127.0.0.1", true],
    [["loopback"], "10.0.0.1", false],
    [["linklocal"], "169.254.1.1", true],
    [["linklocal"], "fe80::1", true],
    [["linklocal"], "fe80::1%eth0", true],
    [["linklocal"], "fec0::1", false],
    [["uniquelocal"], "10.1.2.3", true],
    [["uniquelocal"], "172.16.0.1", true],
    [["uniquelocal"], "172.31.255.255", true],
    [["uniquelocal"], "172.32.0.1", false],
    [["uniquelocal"], "192.168.1.1", true],
    [["uniquelocal"], "fd12:3456::1", true],
    [["uniquelocal"], "fc00::1", true],
    [["uniquelocal"], "fe00::1", false],
    [["uniquelocal"], "127.0.0.1", false],
    [["cgnat"], "100.64.0.1", true],
    [["cgnat"], "100.127.255.255", true],
    [["cgnat"], "100.128.0.1", false],
    [["private"], "169.254.1.1", true],
    [["private"], "10.0.0.1", true],
    [["private"], "100.64.0.1", true],
    [["private"], "fd00::1", true],
    [["private"], "127.0.0.1", false],
    [["private"], "8.8.8.8", false],
    // addresses and CIDR ranges
    [["203.0.113.9"], "203.0.113.9", true],
    [["203.0.113.9"], "203.0.113.10", false],
    [["10.0.0.0/8"], "10.255.255.255", true],
    [["10.0.0.0/8"], "11.0.0.0", false],
    [["192.0.2.0/24"], "192.0.2.200", true],
    [["0.0.0.0/0"], "8.8.8.8", true],
    [["0.0.0.0/0"], "2001:db8::1", false],
    [["2001:db8::/32"], "2001:db8:cafe::17", true],
    [["2001:db8::/32"], "2001:db9::1", false],
    [["2001:DB8::1"], "2001:db8:0:0:0:0:0:1", true],
    // IPv4-mapped IPv6 peers match IPv4 ranges, and the reverse
    [["10.0.0.0/8"], "::ffff:10.0.0.1", true],
    [["10.0.0.0/8"], "::ffff:a00:1", true],
    [["10.0.0.0/8"], "::ffff:11.0.0.1", false],
    [["::ffff:10.0.0.0/104"], "10.1.1.1", true],
    [["::ffff:10.0.0.1"], "10.0.0.1", true],
    // ports, brackets and zone ids are stripped
    [["10.0.0.0/8"], "10.0.0.1:8080", true],
    [["2001:db8::/32"], "[2001:db8::1]:4711", true],
    [["2001:db8::/32"], "[2001:db8::1]", true],
    [["fe80::/10"], "fe80::1%25eth0", true],
    // never trusted: not addresses
    [["0.0.0.0/0"], "unknown", false],
    [["0.0.0.0/0"], "_gazonk", false],
    [["0.0.0.0/0"], "", false],
    [["0.0.0.0/0"], "10.0.0.1.", false],
    [["0.0.0.0/0"], "010.0.0.1", false],
    [["0.0.0.0/0"], "127.1", false],
    [["0.0.0.0/0"], "0x7f.0.0.1", false],
    [["0.0.0.0/0"], "10.0.0.1:port", false],
    [["0.0.0.0/0"], "[10.0.0.1", false],
    [["0.0.0.0/0"], "example.com", false],
    // SPEC v2: strict syntax, and ::ffff: is the only IPv4 embedding
    [["10.0.0.0/8"], "::10.0.0.1", false],
    [["10.0.0.0/8"], "::a00:1", false],
    [["10.0.0.0/8"], "0:0:0:0:0:0:10.0.0.1", false],
    [["10.0.0.0/8"], "0:0:0:0:0:ffff:10.0.0.1", true],
    [["::/96"], "::10.0.0.1", true],
    [["0.0.0.0/0"], "[10.0.0.3]", false],
    [["0.0.0.0/0"], "[10.0.0.3]:80", false],
    [["0.0.0.0/0"], "127.0.0.1%eth0", false],
    [["0.0.0.0/0"], "10.0.0.1:99999", false],
    [["0.0.0.0/0"], "10.0.0.1:65536", false],
    [["0.0.0.0/0"], "10.0.0.1:0", false],
    [["0.0.0.0/0"], "10.0.0.1:", false],
    [["0.0.0.0/0"], "10.0.0.1:65535", true],
    [["::/0"], "[2001:db8::1]:0", false],
    [["::/0"], "[2001:db8::1%eth0]:443", true],
    [["::/0"], "fe80::1%", false],
    [["::/0"], "fe80::1%eth 0", false],
  ];
  for (const [list, address, trusted] of cases) {
    it(`${JSON.stringify(list)} ${trusted ? "trusts" : "does not trust"} ${JSON.stringify(address)}`, () => {
      const m = compileTrust(list);
      expect(m.kind).toBe("list");
      expect(m.isTrusted(address)).toBe(trusted);
    });
  }

  // Every IPv6 spelling of RFC 4291, and nothing else, is an address `true` trusts.
  const all = compileTrust(true);
  it.each(["1:2:3:4:5:6:7::", "::1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8", "::", "1:2:3:4:5:6:1.2.3.4"])(
    "reads %s as an IPv6 address",
    (a) => {
      expect(all.isTrusted(a)).toBe(true);
    },
  );
  it.each([
    "1::2:3:4:5:6:7:8",
    "1::2::3",
    "1:2:3:4:5:6:7:8:9",
    "12345::",
    "::g",
    "::ffff:1.2.3.256",
    ":::",
  ])("reads %s as no address", (a) => {
    expect(all.isTrusted(a)).toBe(false);
  });
});

describe("trustEntryError(entry)", () => {
  it.each([
    "loopback",
    "linklocal",
    "uniquelocal",
    "cgnat",
    "private",
    "10.0.0.1",
    "10.0.0.0/8",
    "0.0.0.0/0",
    "::1",
    "2001:db8::/32",
    "::ffff:10.0.0.0/104",
    "fe80::/10",
  ])("accepts %s (an address, a range or a preset)", (entry) => {
    expect(trustEntryError(entry)).toBeNull();
  });

  it("explains what is wrong", () => {
    expect(trustEntryError("10.0.0.0/33")).toBe('"10.0.0.0/33" is not an IP address or CIDR range');
    for (const entry of [
      "10.0.0.0/",
      "10.0.0.0/08",
      "2001:db8::/129",
      "10.0.0",
      "010.0.0.1",
      "fe80::1%eth0",
      "[::1]",
      "10.0.0.1:80",
      "example.com",
      " 10.0.0.1",
      "",
    ]) {
      expect(trustEntryError(entry), entry).toMatch(/is not an IP address or CIDR range/);
    }
    expect(trustEntryError("loopbak")).toMatch(
      /presets: loopback, linklocal, uniquelocal, cgnat, private/,
    );
    expect(trustEntryError(42)).toMatch(/^42 is not/);
  });
});

describe("isLoopbackAddress / isPublicAddress", () => {
  // loopback in every spelling, and nothing else
  it.each(["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "[::1]:3000", "127.0.0.1:80"])(
    "%s is loopback",
    (a) => {
      expect(isLoopbackAddress(a)).toBe(true);
    },
  );
  it.each(["10.0.0.1", "::2", "localhost", "", "128.0.0.1"])("%j is not loopback", (a) => {
    expect(isLoopbackAddress(a)).toBe(false);
  });

  // public: what is not loopback, private, link-local, CGNAT or unspecified
  it.each(["203.0.113.9", "8.8.8.8", "2001:db8::1", "::ffff:8.8.8.8"])("%s is public", (a) => {
    expect(isPublicAddress(a)).toBe(true);
  });
  it.each([
    "127.0.0.1",
    "10.0.0.1",
    "192.168.0.1",
    "100.64.0.1",
    "fd00::1",
    "fe80::1",
    "::1",
    "0.0.0.0",
    "unknown",
  ])("%s is not public", (a) => {
    expect(isPublicAddress(a)).toBe(false);
  });
});
