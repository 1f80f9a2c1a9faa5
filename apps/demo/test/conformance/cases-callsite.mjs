/**
 * SPEC §2.3's call-site validation and cookie-octets, through each framework's own cookie
 * API (POST /cookies; the demo converts only units, so a string maxAge reaches the adapter
 * as the user wrote it). Every adapter answers a bad option the same way: 500
 * COOKIE_ATTRIBUTE_INVALID and no cookie; a maxAge of zero or less clears the cookie; a
 * value is sent as RFC 6265 cookie-octets, `"`, `,`, `\` and space percent-encoded.
 * Policy "cookies" (production, proxy.trust false): `probe` has no rule (secure auto,
 * HttpOnly, Lax).
 */

const setOne = (name, value, options) => ({
  scheme: "http",
  peer: "127.0.0.1",
  method: "POST",
  path: "/cookies",
  headers: {},
  body: [options === undefined ? { name, value } : { name, value, options }],
});

const refused = { status: 500, location: null, hsts: null, error: "COOKIE_ATTRIBUTE_INVALID" };

/** A call-site option outside its attribute's type or grammar: refused, nothing emitted. */
const invalid = (id, title, options) => ({
  id,
  title,
  policy: "cookies",
  env: "production",
  request: setOne("probe", "1", options),
  expect: { ...refused, cookies: { probe: null } },
});

export const callSiteCases = [
  invalid(
    "callsite-maxage-injection-refused",
    'maxAge "60; Domain=evil.com" is not a number: refused, no Domain injected',
    { maxAge: "60; Domain=evil.com" },
  ),
  invalid("callsite-maxage-string-refused", 'maxAge "60" is not a number: refused', {
    maxAge: "60",
  }),
  invalid("callsite-partitioned-string-refused", 'partitioned "yes" is not a boolean: refused', {
    partitioned: "yes",
  }),
  invalid("callsite-secure-string-refused", 'secure "true" is not a boolean: refused', {
    secure: "true",
  }),
  invalid("callsite-httponly-number-refused", "httpOnly 1 is not a boolean: refused", {
    httpOnly: 1,
  }),
  invalid("callsite-samesite-unknown-refused", 'sameSite "sometimes" is outside the vocabulary', {
    sameSite: "sometimes",
  }),
  invalid("callsite-domain-injection-refused", "a Domain with ';' is refused", {
    domain: "example.com; Secure",
  }),
  {
    id: "callsite-maxage-negative-clears",
    title: "maxAge -5 clears the cookie (Max-Age=0), never a session cookie",
    policy: "cookies",
    env: "production",
    request: setOne("probe", "1", { maxAge: -5 }),
    expect: {
      status: 200,
      location: null,
      hsts: null,
      cookies: { probe: { cleared: true, path: "/" } },
    },
  },
  {
    id: "callsite-maxage-zero-clears",
    title:
      "maxAge 0 clears the cookie on every framework (Koa's cookies lib alone sends a session cookie)",
    policy: "cookies",
    env: "production",
    request: setOne("probe", "1", { maxAge: 0 }),
    expect: {
      status: 200,
      location: null,
      hsts: null,
      cookies: { probe: { cleared: true, path: "/" } },
    },
  },
  {
    id: "cookie-value-not-octets-encoded",
    title: "a value with a quote, comma, backslash and space is sent percent-encoded",
    policy: "cookies",
    env: "production",
    request: setOne("probe", 'say "hi", back\\slash'),
    expect: {
      status: 200,
      location: null,
      hsts: null,
      cookies: { probe: { value: "say%20%22hi%22%2C%20back%5Cslash", httpOnly: true } },
    },
  },
  {
    id: "cookie-value-octets-kept",
    title: "a value of cookie-octets only is sent as written",
    policy: "cookies",
    env: "production",
    request: setOne("probe", "abc.DEF-123_x"),
    expect: {
      status: 200,
      location: null,
      hsts: null,
      cookies: { probe: { value: "abc.DEF-123_x" } },
    },
  },
];
