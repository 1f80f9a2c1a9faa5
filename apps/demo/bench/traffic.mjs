/**
 * The traffic the benches send. Realistic: every request from a different client behind one
 * trusted proxy (the peer is 127.0.0.1, the client is in X-Forwarded-For, the proxy
 * terminated TLS: X-Forwarded-Proto https), each with its own cookie values. Repeated: one
 * such request over and over, the case a cache keyed on the request's inputs sees at its best.
 */

/** The policy the benches' adapters run: the demo's rule for sessionId, behind one trusted
 * loopback proxy, no redirect or HSTS (so every variant answers with the same headers). */
export const BENCH_POLICY = {
  proxy: { trust: ["loopback"], headers: ["x-forwarded-for", "x-forwarded-proto"] },
  https: { redirect: false, hsts: false },
  defaults: { secure: "auto", httpOnly: true, sameSite: "lax", path: "/", onInsecure: "drop" },
  sensitive: { secure: "always", httpOnly: true, sameSite: "strict", patterns: ["session"] },
  cookies: { sessionId: { sensitive: true, maxAge: 3600 } },
};
export const BENCH_ENV = "production";

/** How many distinct clients the realistic traffic cycles through. */
export const CLIENTS = 65_536;

/** A small deterministic PRNG (mulberry32), so every run and variant sends the same traffic. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` distinct client addresses: three in four IPv4 (public-looking, first octet
 * 11–222), one in four IPv6 (2001:db8::/32 with random groups), in a fixed shuffled order.
 */
export function clientAddresses(count = CLIENTS, seed = 13) {
  const next = random(seed);
  const byte = () => Math.floor(next() * 256);
  const group = () => Math.floor(next() * 65536).toString(16);
  const seen = new Set();
  while (seen.size < count) {
    seen.add(
      next() < 0.75
        ? `${11 + Math.floor(next() * 212)}.${byte()}.${byte()}.${byte()}`
        : `2001:db8:${group()}:${group()}:${group()}:${group()}:${group()}:${group()}`,
    );
  }
  return [...seen];
}

/** A cookie value of 24 characters, different for each `i` (cheap: the benches time around it). */
export function cookieValue(i) {
  return `${(i >>> 0).toString(36).padStart(8, "0")}Zq3vX9kTm2Lw8RbN`;
}

/** The headers a proxy sends for client `address`, with the browser's own cookies. */
export function proxiedHeaders(address, i) {
  return {
    host: "shop.example",
    "x-forwarded-for": address,
    "x-forwarded-proto": "https",
    cookie: `theme=dark; sessionId=${cookieValue(i)}`,
  };
}

/** Client `i` of up to 2^24 distinct ones, without a table: IPv4, every fourth IPv6. */
export function distinctClient(i) {
  const a = (i >>> 16) & 0xff;
  const b = (i >>> 8) & 0xff;
  const c = i & 0xff;
  return i % 4 === 3
    ? `2001:db8:${a.toString(16)}:${b.toString(16)}::${c.toString(16)}`
    : `${11 + (a % 212)}.${b}.${c}.${(i >>> 2) & 0xff}`;
}
