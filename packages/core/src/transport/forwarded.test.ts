import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { forwardedElementStart, parseForwarded } from "./forwarded.js";

describe("parseForwarded(value): RFC 7239 examples", () => {
  const examples: [string, object[]][] = [
    // §4
    ['for="_gazonk"', [{ for: "_gazonk" }]],
    ['For="[2001:db8:cafe::17]:4711"', [{ for: "[2001:db8:cafe::17]:4711" }]],
    [
      "for=192.0.2.60;proto=http;by=203.0.113.43",
      [{ for: "192.0.2.60", proto: "http", by: "203.0.113.43" }],
    ],
    ["for=192.0.2.43, for=198.51.100.17", [{ for: "192.0.2.43" }, { for: "198.51.100.17" }]],
    // §6
    ["for=unknown", [{ for: "unknown" }]],
    ['for="192.0.2.43:47011"', [{ for: "192.0.2.43:47011" }]],
    ['for="[2001:db8:cafe::17]:_ab-c"', [{ for: "[2001:db8:cafe::17]:_ab-c" }]],
    ["for=_hidden, for=_SEVKISEK", [{ for: "_hidden" }, { for: "_SEVKISEK" }]],
    [
      'for=192.0.2.43,for="[2001:db8:cafe::17]",for=unknown',
      [{ for: "192.0.2.43" }, { for: "[2001:db8:cafe::17]" }, { for: "unknown" }],
    ],
    // §5.3 host, proto
    [
      'for=192.0.2.60;proto=https;host="example.com:8443"',
      [{ for: "192.0.2.60", proto: "https", host: "example.com:8443" }],
    ],
  ];
  for (const [value, expected] of examples) {
    it(value, () => {
      expect(parseForwarded(value)).toEqual(expected);
    });
  }

  it("unquotes quoted strings and their escapes", () => {
    expect(parseForwarded('for=unknown;host="a\\"b\\\\c"')).toEqual([
      { for: "unknown", host: 'a"b\\c' },
    ]);
    expect(parseForwarded('for="\\_x"')).toEqual([{ for: "_x" }]);
  });

  it("reads parameter names case-insensitively and ignores extensions", () => {
    expect(parseForwarded('FOR=192.0.2.1;PROTO=https;ext=1;x="y"')).toEqual([
      { for: "192.0.2.1", proto: "https" },
    ]);
  });

  it("tolerates whitespace around separators and empty list elements", () => {
    expect(parseForwarded(" for=192.0.2.1 ;proto=https , , for=10.0.0.1 ")).toEqual([
      { for: "192.0.2.1", proto: "https" },
      { for: "10.0.0.1" },
    ]);
  });

  it("keeps an element without for=", () => {
    expect(parseForwarded("proto=https, for=10.0.0.1")).toEqual([
      { proto: "https" },
      { for: "10.0.0.1" },
    ]);
  });

  it("accepts a bare IPv6 address (no port) as some proxies write it", () => {
    expect(parseForwarded('for="2001:db8::1"')).toEqual([{ for: "2001:db8::1" }]);
  });
});

describe("parseForwarded(value): malformed headers yield null", () => {
  for (const value of [
    "",
    "   ",
    ",",
    "for",
    "for=",
    "=1.2.3.4",
    "for =1.2.3.4",
    "for= 1.2.3.4",
    "for=[2001:db8::1]", // brackets need quotes
    'for="[2001:db8::1]:4711', // unterminated
    'for="1.2.3.4" x',
    "for=1.2.3.4 for=1.2.3.5",
    "for=1.2.3.4;for=1.2.3.5", // repeated parameter
    "for=example.com", // not a node
    "for=1.2.3.4:99999x",
    'for="1.2.3.4:123456"',
    'for="[1.2.3.4]"',
    'for="[fe80::1%eth0]"',
    "for=_",
    'for="_a b"',
    "for=256.0.0.1",
    'host="a\u0000b"',
    'host="a\\',
    "proto=https\r\nX-Injected: 1",
  ]) {
    it(JSON.stringify(value), () => {
      expect(parseForwarded(value)).toBeNull();
    });
  }
});

describe("parseForwarded(value): robustness", () => {
  it("never throws, whatever the string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => {
        const r = parseForwarded(s);
        expect(r === null || Array.isArray(r)).toBe(true);
      }),
      { numRuns: 1500 },
    );
    const alphabet = fc.constantFrom(
      "for",
      "=",
      '"',
      "\\",
      ";",
      ",",
      " ",
      "[",
      "]",
      ":",
      "_",
      "1.2.3.4",
      "::1",
      "unknown",
      "proto",
      "https",
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), (parts) => {
        const r = parseForwarded(parts.join(""));
        expect(r === null || r.length > 0).toBe(true);
      }),
      { numRuns: 1500 },
    );
  }, 30_000);

  it("parses 64 KiB headers whole, never throwing", () => {
    const manyElements = Array.from(
      { length: 4000 },
      (_, i) => `for=10.0.${(i >> 8) & 255}.${i & 255}`,
    ).join(", ");
    const hugeQuoted = `for=unknown;host="${"a\\b".repeat(21000)}"`;
    const unterminated = `for="${"x".repeat(65000)}`;
    expect(parseForwarded(manyElements)).toHaveLength(4000);
    expect(parseForwarded(hugeQuoted)?.[0]?.host).toHaveLength(42000);
    expect(parseForwarded(unterminated)).toBeNull();
  });
});

describe("forwardedElementStart(value, end): elements read right to left", () => {
  const elementsFromRight = (value: string) => {
    const out: string[] = [];
    let end = value.length;
    while (end >= 0) {
      const comma = forwardedElementStart(value, end);
      if (comma === -2) return [...out, "(too long)"];
      out.push(value.slice(comma + 1, end).trim());
      end = comma;
    }
    return out;
  };

  it("splits at commas outside quoted strings, escapes included", () => {
    expect(elementsFromRight('for=a, for="x,y";proto=https, host="q\\",z"')).toEqual([
      'host="q\\",z"',
      'for="x,y";proto=https',
      "for=a",
    ]);
    expect(elementsFromRight('for="a\\\\", for=b')).toEqual(["for=b", 'for="a\\\\"']);
  });

  it("stops an element longer than a proxy writes", () => {
    expect(elementsFromRight(`for=1.2.3.4, host="${"x".repeat(2000)}"`)).toEqual(["(too long)"]);
  });

  it("agrees with the left-to-right parser on every well-formed header", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            for: fc.constantFrom("1.2.3.4", '"[2001:db8::1]:80"', "unknown", "_h"),
            host: fc.option(fc.constantFrom('"a,b"', '"x\\"y"', "example.com", '"\\\\"'), {
              nil: undefined,
            }),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        (elements) => {
          const header = elements
            .map((e) => (e.host === undefined ? `for=${e.for}` : `for=${e.for};host=${e.host}`))
            .join(", ");
          const whole = parseForwarded(header);
          const pieces = elementsFromRight(header)
            .reverse()
            .map((piece) => parseForwarded(piece)?.[0]);
          expect(pieces).toEqual(whole);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
