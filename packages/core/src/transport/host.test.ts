import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  hostFacts,
  hostFactsFresh,
  isIpLiteral,
  isLocalhostHost,
  isValidHostName,
  parseHost,
} from "./host.js";

describe("parseHost(value)", () => {
  const valid: [string, string, number | null][] = [
    ["example.com", "example.com", null],
    ["Example.COM", "example.com", null],
    ["example.com:8443", "example.com", 8443],
    ["a-b.example.com:1", "a-b.example.com", 1],
    ["localhost:3000", "localhost", 3000],
    ["app.localhost", "app.localhost", null],
    ["127.0.0.1:65535", "127.0.0.1", 65535],
    ["192.0.2.1", "192.0.2.1", null],
    ["[::1]", "[::1]", null],
    ["[::1]:8080", "[::1]", 8080],
    ["[2001:DB8::1]:443", "[2001:db8::1]", 443],
    ["[::ffff:10.0.0.1]", "[::ffff:10.0.0.1]", null],
    ["xn--bcher-kva.example", "xn--bcher-kva.example", null],
    [`${"a".repeat(63)}.com`, `${"a".repeat(63)}.com`, null],
    ["1.example", "1.example", null],
  ];
  for (const [value, host, port] of valid) {
    it(`accepts ${JSON.stringify(value)}`, () => {
      expect(parseHost(value)).toEqual({ host, port });
    });
  }

  const invalid = [
    "",
    "user@example.com",
    "user:pass@example.com",
    "example.com/path",
    "example.com/",
    "example.com?x",
    "example.com#x",
    "example .com",
    " example.com",
    "example.com ",
    "exa\tmple.com",
    "example.com\r\nSet-Cookie: a=b",
    "example.com;x",
    "example.com,evil.com",
    "example.com:",
    "example.com:0",
    "example.com:65536",
    "example.com:80:80",
    "example.com:8o",
    "example.com.",
    ".example.com",
    "example..com",
    "exa_mple.com",
    "exämple.com",
    `${"a".repeat(64)}.com`,
    `${"a.".repeat(127)}com`,
    "127.1",
    "0x7f.0.0.1",
    "2130706433",
    "010.0.0.1",
    "256.0.0.1",
    "1.2.3.4.5",
    "::1",
    "[::1",
    "[::1]x",
    "[::1]:",
    "[fe80::1%eth0]",
    "[fe80::1%25eth0]",
    "[example.com]",
    "[1.2.3.4]",
    "%65xample.com",
    "*.example.com",
    "\u212Aexample.com", // KELVIN SIGN lower-cases to an ASCII k
  ];
  for (const value of invalid) {
    it(`rejects ${JSON.stringify(value)}`, () => {
      expect(parseHost(value)).toBeNull();
    });
  }

  it("never lets a host through that could break a header or a URL", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 80 }),
          fc
            .array(
              fc.constantFrom(
                "a",
                "example",
                ".",
                ":",
                "8080",
                "[",
                "]",
                "::1",
                "@",
                "/",
                " ",
                ";",
                "\r",
                "\n",
                "%",
                "1",
              ),
              {
                maxLength: 12,
              },
            )
            .map((p) => p.join("")),
        ),
        (value) => {
          const parsed = parseHost(value);
          if (parsed === null) return;
          expect(parsed.host).not.toMatch(/[\r\n;/ @?#%\\,\t]/);
          expect(parsed.host).toBe(parsed.host.toLowerCase());
          expect(isValidHostName(parsed.host) || isIpLiteral(parsed.host)).toBe(true);
          if (parsed.port !== null) expect(parsed.port).toBeGreaterThanOrEqual(1);
        },
      ),
      { numRuns: 1500 },
    );
  }, 30_000);
});

describe("isValidHostName / isIpLiteral", () => {
  it("separates DNS names from IP literals", () => {
    expect(isValidHostName("example.com")).toBe(true);
    expect(isValidHostName("localhost")).toBe(true);
    expect(isValidHostName("192.0.2.1")).toBe(false);
    expect(isValidHostName("example.com:80")).toBe(false);
    expect(isValidHostName("")).toBe(false);
    expect(isValidHostName("my-app.example.com")).toBe(true);
    expect(isValidHostName("-bad.example.com")).toBe(false);
    expect(isValidHostName("bad-.example.com")).toBe(false);
    expect(isIpLiteral("192.0.2.1")).toBe(true);
    expect(isIpLiteral("[::1]")).toBe(true);
    expect(isIpLiteral("::1")).toBe(true);
    expect(isIpLiteral("[fe80::1%eth0]")).toBe(false);
    expect(isIpLiteral("127.1")).toBe(false);
    expect(isIpLiteral("example.com")).toBe(false);
  });
});

describe("isLocalhostHost(host)", () => {
  // localhost, *.localhost, 127.0.0.0/8 and ::1, and nothing else
  it.each([
    "localhost",
    "LOCALHOST",
    "app.localhost",
    "a.b.localhost",
    "127.0.0.1",
    "127.9.8.7",
    "[::1]",
    "::1",
    "[0:0:0:0:0:0:0:1]",
  ])("%s is localhost", (h) => {
    expect(isLocalhostHost(h)).toBe(true);
  });
  it.each([
    "localhost.example.com",
    "notlocalhost",
    "example.com",
    "128.0.0.1",
    "[::2]",
    "10.0.0.1",
    "",
    "evil/.localhost",
  ])("%j is not localhost", (h) => {
    expect(isLocalhostHost(h)).toBe(false);
  });
});

describe("hostFacts keeps the previous answer (SPEC §2.5)", () => {
  it("answers any sequence of hosts exactly as a fresh parse does", () => {
    const host = fc.constantFrom(
      "example.com",
      "Example.com",
      "example.com:8080",
      "example.com:0",
      "localhost",
      "app.localhost:3000",
      "127.0.0.1",
      "[::1]:80",
      "[::ffff:127.0.0.1]",
      "exa mple.com",
      "",
      "127.1",
    );
    fc.assert(
      fc.property(fc.array(host, { minLength: 1, maxLength: 8 }), (hosts) => {
        for (const h of hosts) expect(hostFacts(h), h).toEqual(hostFactsFresh(h));
      }),
      { numRuns: 10_000 },
    );
  });
});
