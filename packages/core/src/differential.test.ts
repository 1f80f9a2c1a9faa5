/**
 * SPEC §2.5: a long-lived compiled policy answers exactly as one compiled afresh for each
 * request, whatever came before. Random sequences of requests (transports), call sites
 * (options valid and not, encoders including ones that change ""), cleared cookies and
 * Set-Cookie lines the app wrote itself, over two policies interleaved, in enforce and
 * report-only mode: every decision, report and explanation of the long-lived policies is
 * compared with a fresh policy's. `pnpm soak` runs the same property 10^6 times
 * (DIFFERENTIAL_RUNS).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCookiePolicy } from "./engine.js";
import type {
  CookieDecision,
  CookieOptions,
  CookiePolicy,
  EngineOptions,
  PolicyFile,
  PolicyRequest,
  ReportEvent,
} from "./types.js";

const RUNS = Number(process.env.DIFFERENTIAL_RUNS ?? 10_000);
const DAY = 86_400_000;

// Policies --------------------------------------------------------------------------------

const rule = fc.record(
  {
    sensitive: fc.boolean(),
    secure: fc.constantFrom("always", "auto"),
    httpOnly: fc.boolean(),
    sameSite: fc.constantFrom("strict", "lax", "none"),
    maxAge: fc.constantFrom(60, 3600, 31_536_000, 50_000_000),
    domain: fc.constant("example.com"),
    partitioned: fc.boolean(),
    onInsecure: fc.constantFrom("drop", "error", "set"),
  },
  { requiredKeys: [] },
);

const policyFile: fc.Arbitrary<PolicyFile> = fc
  .record(
    {
      proxy: fc.record({ trust: fc.constantFrom(false, ["loopback"]) }),
      localhost: fc.constantFrom("insecure", "secure-context"),
      defaults: fc.record(
        {
          secure: fc.constantFrom("auto", "always", "never"),
          httpOnly: fc.boolean(),
          sameSite: fc.constantFrom("strict", "lax"),
          onInsecure: fc.constantFrom("drop", "error", "set"),
        },
        { requiredKeys: [] },
      ),
      sensitive: fc.record(
        { secure: fc.constantFrom("always", "auto"), patterns: fc.constant(["sess", "tok"]) },
        { requiredKeys: [] },
      ),
      cookies: fc.dictionary(
        fc.constantFrom("sessionId", "pref", "theme", "p*", "*id", "__Host-*", "*e*"),
        rule,
        { maxKeys: 4 },
      ),
    },
    { requiredKeys: [] },
  )
  .map((file) => file as PolicyFile);

const engineOptions = fc.record({
  env: fc.constantFrom("production", "development"),
  mode: fc.constantFrom("enforce", "report-only"),
});

// Requests and call sites -------------------------------------------------------------------

const request: fc.Arbitrary<PolicyRequest> = fc
  .record({
    encrypted: fc.boolean(),
    peer: fc.constantFrom("127.0.0.1", "::1", "203.0.113.9", "10.0.0.7"),
    proto: fc.constantFrom(undefined, "https", "http"),
    xff: fc.constantFrom(undefined, "198.51.100.1", "198.51.100.2, 127.0.0.1"),
    host: fc.constantFrom(undefined, "localhost:3000", "example.com"),
  })
  .map(({ encrypted, peer, proto, xff, host }) => {
    const headers: Record<string, string> = {};
    if (proto !== undefined) headers["x-forwarded-proto"] = proto;
    if (xff !== undefined) headers["x-forwarded-for"] = xff;
    if (host !== undefined) headers.host = host;
    return { encrypted, peer, headers, method: "POST", url: "/" };
  });

const name = fc.constantFrom(
  "sessionId",
  "pref",
  "theme",
  "pid",
  "__Host-id",
  "__Secure-tok",
  "embed",
  "bad name",
  "Pref",
);
const value = fc.constantFrom("alice", "bob", "", "a b", 'q"u,o\\te', "x".repeat(4100), "é");

/** Encoders by name (the name is what a failing case prints). */
const ENCODERS: Record<string, (v: string) => string> = {
  uri: encodeURIComponent,
  identity: (v) => v,
  sig: (v) => `${v}.sig`,
  prefix: (v) => `s:${v}`,
  constant: () => "k",
  emptyIsX: (v) => (v === "" ? "x" : v),
  throws: () => {
    throw new Error("encoder failed");
  },
  notString: () => 42 as unknown as string,
};

/** Offsets from now far from any boundary a decision compares against (policy Max-Age, cap). */
const expires = fc
  .constantFrom(-DAY, 30 * 60_000, 2 * DAY, 500 * DAY, Number.NaN)
  .map((offset) => new Date(Date.now() + offset));

/** Mostly valid values, sometimes one of the wrong ones an untyped app may pass. */
const either = (valid: unknown[], invalid: unknown[]) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...valid) },
    { weight: 1, arbitrary: fc.constantFrom(...invalid) },
  );

const options: fc.Arbitrary<CookieOptions> = fc
  .record(
    {
      secure: either([true, false], ["yes"]),
      httpOnly: either([true, false], [1]),
      sameSite: either(["strict", "Lax", "none", true, false], ["sometimes"]),
      path: either(["/", "/app"], ["/a;b", 5]),
      domain: either(["example.com", "evil.example", ""], ["a b"]),
      maxAge: either([60, 7200, 0, -5, 50_000_000], ["60; Domain=evil.com", Number.NaN]),
      expires,
      partitioned: either([true, false], ["yes"]),
      priority: either(["high", "low"], ["urgent"]),
    },
    { requiredKeys: [] },
  )
  .map((o) => o as CookieOptions);

const ATTRIBUTES = [
  "; Path=/",
  "; Path=/app",
  "; HttpOnly",
  "; Secure",
  "; SameSite=None",
  "; SameSite=Strict",
  "; Max-Age=60",
  "; Max-Age=0",
  "; Max-Age=99999999",
  "; Domain=example.com",
  "; Partitioned",
  "; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
  "; Expires=Fri, 01 Jan 2100 00:00:00 GMT",
  "; Priority=High",
  "; junk",
];
const line = fc
  .record({
    name,
    value: fc.constantFrom("carol", "", '"quoted"', "a,b", "dave.sig"),
    attributes: fc.array(fc.constantFrom(...ATTRIBUTES), { maxLength: 4 }),
  })
  .map(({ name, value, attributes }) => `${name}=${value}${attributes.join("")}`);

type Call =
  | { kind: "set"; name: string; value: string; options?: CookieOptions; encoder?: string }
  | { kind: "clear"; name: string; options?: CookieOptions }
  | { kind: "line"; line: string };

const call: fc.Arbitrary<Call> = fc.oneof(
  fc.record(
    {
      kind: fc.constant("set" as const),
      name,
      value,
      options,
      encoder: fc.constantFrom(...Object.keys(ENCODERS)),
    },
    { requiredKeys: ["kind", "name", "value"] },
  ),
  fc.record(
    { kind: fc.constant("clear" as const), name, options },
    { requiredKeys: ["kind", "name"] },
  ),
  fc.record({ kind: fc.constant("line" as const), line }),
);

interface Step {
  readonly policy: 0 | 1;
  readonly request: PolicyRequest;
  readonly calls: readonly Call[];
}

const step: fc.Arbitrary<Step> = fc.record({
  policy: fc.constantFrom(0 as const, 1 as const),
  request,
  calls: fc.array(call, { minLength: 1, maxLength: 4 }),
});

// Running a step ------------------------------------------------------------------------------

/** Everything a user can observe of a decision, as data. */
function observe(d: CookieDecision) {
  return {
    name: d.name,
    action: d.action,
    secure: d.secure,
    header: d.header,
    clearing: d.clearing,
    reasons: [...d.reasons],
    attributes:
      d.attributes === null
        ? null
        : { ...d.attributes, expires: d.attributes.expires?.toISOString() },
    wouldBe: d.wouldBe,
    error: d.error === undefined ? undefined : { code: d.error.code, message: d.error.message },
  };
}

function run(policy: CookiePolicy, events: ReportEvent[], s: Step) {
  events.length = 0;
  const ctx = policy.decideRequest(s.request);
  const decisions = s.calls.map((c) => {
    if (c.kind === "line") return observe(ctx.decideWrittenLine(c.line));
    if (c.kind === "clear") return observe(ctx.clearCookie(c.name, c.options));
    const meta = c.encoder === undefined ? undefined : { encode: ENCODERS[c.encoder] };
    return observe(ctx.setCookie(c.name, c.value, c.options, meta));
  });
  return { decisions, explain: ctx.explain(), events: [...events] };
}

/** A compiled policy whose reports land in `events`; null when the file does not load. */
function compile(file: PolicyFile, options: EngineOptions, events: ReportEvent[]) {
  try {
    return createCookiePolicy(file, { ...options, onReport: (e) => events.push(e) });
  } catch {
    return null;
  }
}

/** GET / over HTTPS, straight from a local client. */
const HTTPS_ROOT: PolicyRequest = {
  encrypted: true,
  peer: "127.0.0.1",
  headers: {},
  method: "GET",
  url: "/",
};

describe("a long-lived policy answers as a freshly compiled one (SPEC §2.5)", () => {
  // Decisions are compared by code and message; stack traces (deep under the runner) only cost.
  const stackTraceLimit = Error.stackTraceLimit;
  beforeAll(() => {
    Error.stackTraceLimit = 0;
  });
  afterAll(() => {
    Error.stackTraceLimit = stackTraceLimit;
  });

  it(
    `for any sequence of requests, call sites, encoders, modes and two policies (${RUNS} runs)`,
    () => {
      fc.assert(
        fc.property(
          fc.tuple(policyFile, engineOptions),
          fc.tuple(policyFile, engineOptions),
          fc.array(step, { minLength: 1, maxLength: 6 }),
          (a, b, steps) => {
            const setups = [a, b] as const;
            const events: ReportEvent[][] = [[], []];
            const live = setups.map(([file, o], i) => compile(file, o, events[i] as ReportEvent[]));
            fc.pre(live[0] !== null && live[1] !== null);
            const freshEvents: ReportEvent[] = [];
            for (const s of steps) {
              const [file, o] = setups[s.policy];
              const longLived = run(
                live[s.policy] as CookiePolicy,
                events[s.policy] as ReportEvent[],
                s,
              );
              const fresh = run(compile(file, o, freshEvents) as CookiePolicy, freshEvents, s);
              // Strings compare fast; a difference is shown as a structural diff.
              if (JSON.stringify(longLived) !== JSON.stringify(fresh))
                expect(longLived).toEqual(fresh);
            }
          },
        ),
        { numRuns: RUNS },
      );
    },
    60_000 + RUNS * 20,
  );

  it("the policy it exposes cannot be changed by an app", () => {
    const policy = createCookiePolicy(
      { cookies: { pref: { httpOnly: true } } },
      { env: "nowhere", onReport: () => {} },
    );
    const profile = policy.profile as unknown as {
      cookies: Record<string, { httpOnly?: boolean }>;
      defaults: { httpOnly: boolean };
    };
    expect(() => {
      (profile.cookies.pref as { httpOnly?: boolean }).httpOnly = false;
    }).toThrow(TypeError);
    expect(() => {
      profile.defaults.httpOnly = true;
    }).toThrow(TypeError);
    const unknownEnv = policy.diagnostics[0] as { message: string };
    expect(unknownEnv.message).toMatch(/nowhere/);
    expect(() => {
      unknownEnv.message = "changed";
    }).toThrow(TypeError);
    expect(policy.decideRequest(HTTPS_ROOT).setCookie("pref", "v").attributes?.httpOnly).toBe(true);
  });

  it('an encoder that changes "" leaves later cookies of that name alone (issue 13\'s repro)', () => {
    const policy = createCookiePolicy({}, { env: "production", onReport: () => {} });
    const sig = { encode: (v: string) => `${v}.sig` };
    expect(
      policy.decideRequest(HTTPS_ROOT).setCookie("pref", "alice", undefined, sig).header,
    ).toMatch(/^pref=alice\.sig;/);
    expect(policy.decideRequest(HTTPS_ROOT).setCookie("pref", "bob").header).toMatch(/^pref=bob;/);
    expect(policy.decideRequest(HTTPS_ROOT).decideWrittenLine("pref=carol").header).toMatch(
      /^pref=carol;/,
    );
  });
});
