/**
 * Trust v2 (issue 12, SPEC v2 §2.2): requests a client can shape, each of which v1 let
 * steer the protocol. Expected values are written from SPEC v2; in every case the peer
 * 127.0.0.2 is a trusted proxy (policies "trust-cidr*": 127.0.0.0/30, 10.0.0.0/8, ::1)
 * and the socket is plain HTTP, so `theme` (secure: auto) is Secure, and HSTS sent,
 * exactly when the request is believed to be HTTPS.
 */

const PEER = ["peer"];
const EX = { host: "example.com" };
const HSTS_600 = "max-age=600";

const probe = (id, title, policy, headers, secure) => ({
  id,
  title,
  policy,
  env: "production",
  request: {
    scheme: "http",
    peer: "127.0.0.2",
    method: "GET",
    path: "/prefs?theme=dark",
    headers: { ...EX, ...headers },
  },
  expect: {
    status: 200,
    location: null,
    hsts: secure ? HSTS_600 : null,
    cookies: { theme: { secure } },
  },
  needs: PEER,
});

/**
 * Client → CDN 10.0.0.2 (plain HTTP) → proxy 127.0.0.2 (HTTPS) → app: the CDN appends the
 * client and `http`, the proxy the CDN and `https`. Honestly this request is HTTP.
 */
const viaCdn = (clientXff) => ({
  "x-forwarded-for": `${clientXff}203.0.113.7, 10.0.0.2`,
  "x-forwarded-proto": `${clientXff === "" ? "" : "https, "}http, https`,
});

export const trustCases = [
  probe(
    "trust-v2-cdn-honest-http",
    "CDN (http) then proxy (https), both trusted: the CDN's http stands",
    "trust-cidr",
    viaCdn(""),
    false,
  ),
  probe(
    "trust-v2-cdn-client-xff-junk",
    "a client's own X-Forwarded-For: x (and https) left of the chain moves nothing",
    "trust-cidr",
    viaCdn("x, "),
    false,
  ),
  probe(
    "trust-v2-cdn-client-xff-unknown",
    "a client's own X-Forwarded-For: unknown left of the chain moves nothing",
    "trust-cidr",
    viaCdn("unknown, "),
    false,
  ),
  probe(
    "trust-v2-default-ignores-client-forwarded",
    "built-in headers: a client's Forwarded proto=https through nginx is never read",
    "trust-cidr",
    {
      forwarded: "for=6.6.6.6;proto=https",
      "x-forwarded-for": "203.0.113.7",
      "x-forwarded-proto": "http",
    },
    false,
  ),
  probe(
    "trust-v2-broken-forwarded-not-listed",
    "built-in headers: a broken Forwarded is not read, X-Forwarded-Proto https stands",
    "trust-cidr",
    { forwarded: 'for="', "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https" },
    true,
  ),
  probe(
    "trust-v2-broken-forwarded-no-fallback",
    "Forwarded listed and broken: the socket's protocol, no fallback to X-Forwarded-Proto",
    "trust-cidr-forwarded-xfp",
    { forwarded: 'for="', "x-forwarded-proto": "https" },
    false,
  ),
  probe(
    "trust-v2-forwarded-client-junk-left",
    "Forwarded listed: a client's broken element left of the proxy's is never parsed",
    "trust-cidr-forwarded",
    { forwarded: 'for=", for=203.0.113.7;proto=https' },
    true,
  ),
  probe(
    "trust-v2-ipv4-compatible-not-trusted",
    "::10.0.0.2 is IPv6, not 10.0.0.0/8: the walk stops there (https written left of it is the client's)",
    "trust-cidr",
    { "x-forwarded-for": "203.0.113.7, ::10.0.0.2", "x-forwarded-proto": "https, http" },
    false,
  ),
  probe(
    "trust-v2-ipv4-mapped-trusted",
    "::ffff:10.0.0.2 is 10.0.0.2: trusted, so the walk goes on to the client",
    "trust-cidr",
    { "x-forwarded-for": "203.0.113.7, ::ffff:10.0.0.2", "x-forwarded-proto": "https, http" },
    true,
  ),
  ...[
    ["bracketed-ipv4", "[10.0.0.3]"],
    ["ipv4-zone", "10.0.0.3%eth0"],
    ["port-out-of-range", "10.0.0.3:99999"],
    ["leading-zero", "010.0.0.3"],
  ].map(([id, entry]) =>
    probe(
      `trust-v2-malformed-${id}`,
      `${entry} is not an address: the walk stops there, never trusting it`,
      "trust-cidr",
      { "x-forwarded-for": `203.0.113.7, ${entry}`, "x-forwarded-proto": "https, http" },
      false,
    ),
  ),
  probe(
    "trust-v2-long-trusted-chain",
    "a 1000-entry trusted chain: the walk stops after 32 entries and still answers",
    "trust-cidr",
    {
      "x-forwarded-for": Array.from({ length: 1000 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(
        ",",
      ),
      "x-forwarded-proto": "https",
    },
    true,
  ),
  {
    id: "trust-v2-absolute-form-https-target",
    title:
      "an absolute-form https:// request target over plain TCP is plain HTTP (SPEC §2.2 step 6)",
    policy: "trust-cidr",
    env: "production",
    request: {
      scheme: "http",
      peer: "127.0.0.1",
      method: "GET",
      path: "https://example.com/prefs?theme=dark",
      headers: EX,
    },
    expect: { status: 200, location: null, hsts: null, cookies: { theme: { secure: false } } },
    needs: ["target"],
  },
];
