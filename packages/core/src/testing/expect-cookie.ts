/**
 * `expectCookie(response, name)`: chainable assertions on one cookie a response sets.
 * Failures throw a plain `Error` naming the cookie, the attribute and what was found, so
 * they read the same under vitest, jest and node:test.
 */
import { type ParsedSetCookie, parseSetCookie } from "../cookie/parse.js";
import { type ResponseLike, setCookieLines } from "./response.js";

export type SameSiteValue = "Strict" | "Lax" | "None" | "strict" | "lax" | "none";

const SAMESITE_LABEL = { strict: "Strict", lax: "Lax", none: "None" } as const;

/** @internal */
export interface Found {
  /** The last Set-Cookie for the name (the one the browser ends up with), if any. */
  readonly cookie: ParsedSetCookie | undefined;
  readonly line: string | undefined;
  /** Names the response did set, for the "absent" message. */
  readonly names: readonly string[];
}

function find(response: ResponseLike, name: string): Found {
  let cookie: ParsedSetCookie | undefined;
  let line: string | undefined;
  const names: string[] = [];
  for (const l of setCookieLines(response)) {
    const parsed = parseSetCookie(l);
    if (parsed === null) continue;
    names.push(parsed.name);
    if (parsed.name === name) {
      cookie = parsed;
      line = l;
    }
  }
  return { cookie, line, names };
}

function sameSiteText(value: unknown): string {
  return typeof value === "string" && value in SAMESITE_LABEL
    ? `SameSite=${SAMESITE_LABEL[value as keyof typeof SAMESITE_LABEL]}`
    : "no SameSite";
}

function normalizeDomain(domain: string): string {
  return domain.replace(/^\./, "").toLowerCase();
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Assertions about one cookie. Every method returns the expectation, so they chain. */
export class CookieExpectation {
  readonly #name: string;
  readonly #found: Found;
  readonly #negated: boolean;

  /** @internal Use `expectCookie(response, name)`. */
  constructor(found: Found, name: string, negated: boolean) {
    this.#name = name;
    this.#found = found;
    this.#negated = negated;
  }

  /** The parsed cookie (last Set-Cookie for the name), or undefined when the response has none. */
  get cookie(): ParsedSetCookie | undefined {
    return this.#found.cookie;
  }

  /** Negates the next assertion only: `expectCookie(res, "theme").not.toBeHttpOnly().toHavePath("/")`. */
  get not(): CookieExpectation {
    return new CookieExpectation(this.#found, this.#name, !this.#negated);
  }

  toBePresent(): CookieExpectation {
    const present = this.#found.cookie !== undefined;
    if (present === this.#negated)
      this.#fail(
        this.#negated ? "expected no Set-Cookie for it" : "expected a Set-Cookie for it",
        this.#negated ? `got ${this.#found.line}` : this.#absentText(),
      );
    return this.#base();
  }

  toBeAbsent(): CookieExpectation {
    return this.#negated ? this.#base().toBePresent() : this.not.toBePresent();
  }

  toBeSecure(): CookieExpectation {
    return this.#flag("Secure", (c) => c.options.secure === true);
  }

  toBeHttpOnly(): CookieExpectation {
    return this.#flag("HttpOnly", (c) => c.options.httpOnly === true);
  }

  toBePartitioned(): CookieExpectation {
    return this.#flag("Partitioned", (c) => c.options.partitioned === true);
  }

  /** Case-insensitive: `"Strict"` and `"strict"` are the same. */
  toHaveSameSite(value: SameSiteValue): CookieExpectation {
    const want = String(value).toLowerCase();
    return this.#compare(
      sameSiteText(want),
      (c) => c.options.sameSite === want,
      (c) => sameSiteText(c.options.sameSite),
    );
  }

  toHavePath(path: string): CookieExpectation {
    return this.#compare(
      `Path=${path}`,
      (c) => c.options.path === path,
      (c) => (c.options.path === undefined ? "no Path" : `Path=${c.options.path}`),
    );
  }

  /** A leading dot and letter case do not matter (browsers ignore both). */
  toHaveDomain(domain: string): CookieExpectation {
    return this.#compare(
      `Domain=${domain}`,
      (c) =>
        c.options.domain !== undefined &&
        normalizeDomain(c.options.domain) === normalizeDomain(domain),
      (c) => (c.options.domain === undefined ? "no Domain" : `Domain=${c.options.domain}`),
    );
  }

  /** Max-Age in seconds, exactly. */
  toHaveMaxAge(seconds: number): CookieExpectation {
    return this.#compare(
      `Max-Age=${seconds}`,
      (c) => c.options.maxAge === seconds,
      (c) => (c.options.maxAge === undefined ? "no Max-Age" : `Max-Age=${c.options.maxAge}`),
    );
  }

  /** The value as written, or its URI-decoded form. */
  toHaveValue(value: string): CookieExpectation {
    return this.#compare(
      `value ${JSON.stringify(value)}`,
      (c) => c.value === value || safeDecode(c.value) === value,
      (c) => `value ${JSON.stringify(c.value)}`,
    );
  }

  /** The Set-Cookie removes the cookie: Max-Age ≤ 0 or an Expires in the past. */
  toBeCleared(): CookieExpectation {
    return this.#compare(
      "a clearing (Max-Age=0 or a past Expires)",
      (c) => {
        const { maxAge, expires } = c.options;
        return (
          (maxAge !== undefined && maxAge <= 0) ||
          (expires !== undefined && expires.getTime() <= Date.now())
        );
      },
      (c) =>
        c.options.maxAge !== undefined
          ? `Max-Age=${c.options.maxAge}`
          : c.options.expires !== undefined
            ? `Expires=${c.options.expires.toUTCString()}`
            : "a session cookie",
      "no clearing",
    );
  }

  #base(): CookieExpectation {
    return this.#negated ? new CookieExpectation(this.#found, this.#name, false) : this;
  }

  #flag(label: string, test: (c: ParsedSetCookie) => boolean): CookieExpectation {
    return this.#compare(label, test, (c) => (test(c) ? label : "none"), `no ${label}`);
  }

  #compare(
    expected: string,
    test: (c: ParsedSetCookie) => boolean,
    actual: (c: ParsedSetCookie) => string,
    negatedExpected = `not ${expected}`,
  ): CookieExpectation {
    const c = this.#found.cookie;
    if (c === undefined)
      this.#fail(`expected ${this.#negated ? negatedExpected : expected}`, this.#absentText());
    else if (test(c) === this.#negated)
      this.#fail(
        `expected ${this.#negated ? negatedExpected : expected}`,
        `got ${actual(c)} (Set-Cookie: ${this.#found.line})`,
      );
    return this.#base();
  }

  #absentText(): string {
    const names = this.#found.names;
    return names.length === 0
      ? "got no Set-Cookie for it (the response sets no cookies)"
      : `got no Set-Cookie for it (the response sets: ${[...new Set(names)].join(", ")})`;
  }

  #fail(expected: string, got: string): never {
    throw new Error(`cookie ${JSON.stringify(this.#name)}: ${expected}, ${got}`);
  }
}

/**
 * Assertions on the cookie `name` that `response` sets: a Fetch `Response`, a supertest /
 * light-my-request / Node response, or raw Set-Cookie line(s).
 *
 * ```ts
 * expectCookie(res, "sessionId").toBeSecure().toBeHttpOnly().toHaveSameSite("Strict");
 * ```
 */
export function expectCookie(response: ResponseLike, name: string): CookieExpectation {
  return new CookieExpectation(find(response, name), name, false);
}
