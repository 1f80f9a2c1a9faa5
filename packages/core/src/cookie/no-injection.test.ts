import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createCookiePolicy } from "../engine.js";
import { request, SPEC_POLICY } from "../spec-example.fixture.js";
import type { CookieOptions } from "../types.js";

/**
 * Properties over arbitrary names, values, paths and domains: whatever the app passes, an
 * emitted header never carries CR/LF (or any CTL) and every `;` in it separates attributes.
 */
const KNOWN =
  /^(Max-Age=-?\d+|Domain=[^;=]+|Path=[^;]*|Expires=[^;]+|HttpOnly|Secure|Partitioned|Priority=(Low|Medium|High)|SameSite=(Strict|Lax|None))$/;

function assertSafe(header: string | null): void {
  if (header === null) return;
  const ctl = [...header].find((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  expect(ctl).toBeUndefined();
  const [pair, ...attributes] = header.split("; ");
  expect(pair).toMatch(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+=[^;\s]*$/);
  for (const a of attributes) expect(a).toMatch(KNOWN);
}

const text = fc.string({ unit: "binary", maxLength: 40 });
const options: fc.Arbitrary<CookieOptions> = fc.record(
  {
    path: text,
    domain: text,
    maxAge: fc.oneof(fc.integer(), fc.double()),
    httpOnly: fc.boolean(),
    secure: fc.boolean(),
    sameSite: fc.constantFrom("strict", "lax", "none", true, false) as fc.Arbitrary<
      CookieOptions["sameSite"]
    >,
    partitioned: fc.boolean(),
    priority: fc.constantFrom("low", "medium", "high"),
  },
  { requiredKeys: [] },
);

describe("no header injection, ever", () => {
  for (const mode of ["enforce", "report-only"] as const) {
    const policy = createCookiePolicy(SPEC_POLICY, { env: "production", mode, onReport: () => {} });
    const tls = request({ encrypted: true });

    it(`${mode}: setCookie with arbitrary name, value and options`, () => {
      fc.assert(
        fc.property(
          fc.oneof(text, fc.constantFrom("sessionId", "theme", "__Host-x")),
          text,
          options,
          (name, value, o) => {
            const ctx = policy.decideRequest(tls);
            const d = ctx.setCookie(name, value, o);
            assertSafe(d.header);
            assertSafe(d.wouldBe?.header ?? null);
            if (d.action === "error") expect(d.error?.code).toBeTypeOf("string");
          },
        ),
        { numRuns: 1000 },
      );
    }, 30_000);

    it(`${mode}: clearCookie and decideWrittenLine with arbitrary input`, () => {
      fc.assert(
        fc.property(
          text,
          options,
          fc.string({ unit: "binary", maxLength: 120 }),
          (name, o, line) => {
            const ctx = policy.decideRequest(tls);
            assertSafe(ctx.clearCookie(name, o).header);
            assertSafe(ctx.decideWrittenLine(line).header);
          },
        ),
        { numRuns: 1000 },
      );
    }, 30_000);

    it(`${mode}: a value with a raw encoder is refused rather than injected`, () => {
      fc.assert(
        fc.property(text, (value) => {
          const d = policy
            .decideRequest(tls)
            .setCookie("theme", value, undefined, { encode: (v) => v });
          assertSafe(d.header);
        }),
        { numRuns: 1000 },
      );
    }, 30_000);
  }
});
