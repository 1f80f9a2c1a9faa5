import { describe, expect, it } from "vitest";
import { readHeader } from "./headers.js";

describe("readHeader(headers, name)", () => {
  it("reads a Node record (lower-case keys)", () => {
    const headers = { host: "example.com", "x-forwarded-for": "203.0.113.7, 10.0.0.2" };
    expect(readHeader(headers, "host")).toBe("example.com");
    expect(readHeader(headers, "x-forwarded-for")).toBe("203.0.113.7, 10.0.0.2");
    expect(readHeader(headers, "x-forwarded-proto")).toBeUndefined();
  });

  it("joins repeated headers with a comma", () => {
    expect(readHeader({ "x-forwarded-for": ["203.0.113.7", "10.0.0.2"] }, "x-forwarded-for")).toBe(
      "203.0.113.7, 10.0.0.2",
    );
    expect(readHeader({ "x-forwarded-for": [] }, "x-forwarded-for")).toBeUndefined();
    expect(readHeader({ "x-forwarded-for": undefined }, "x-forwarded-for")).toBeUndefined();
  });

  it("does not read the record's prototype", () => {
    expect(readHeader({}, "constructor")).toBeUndefined();
    expect(readHeader({}, "toString")).toBeUndefined();
  });

  it("reads Fetch Headers, which join repeated values themselves", () => {
    const headers = new Headers();
    headers.append("X-Forwarded-For", "203.0.113.7");
    headers.append("X-Forwarded-For", "10.0.0.2");
    headers.set("Host", "example.com");
    expect(readHeader(headers, "x-forwarded-for")).toBe("203.0.113.7, 10.0.0.2");
    expect(readHeader(headers, "host")).toBe("example.com");
    expect(readHeader(headers, "forwarded")).toBeUndefined();
  });

  it("answers undefined where Fetch Headers would throw (HTTP/2 pseudo-headers)", () => {
    expect(readHeader(new Headers(), ":authority")).toBeUndefined();
  });

  it("reads any object with get() (Next's ReadonlyHeaders)", () => {
    const view = { get: (name: string) => (name === "host" ? "example.com" : null) };
    expect(readHeader(view, "host")).toBe("example.com");
    expect(readHeader(view, "x-forwarded-proto")).toBeUndefined();
  });

  it("reads a record header named get as a header, not a getter", () => {
    expect(readHeader({ get: "x" } as never, "get")).toBe("x");
  });
});
