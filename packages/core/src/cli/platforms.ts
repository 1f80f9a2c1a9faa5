/**
 * What each proxy or platform in front of an app needs in `proxy` (SPEC §2.2), for
 * `cookie-policy init --platform NAME`. One table: docs/deployment.md gives the same values
 * in its recipes, and platforms.test.ts holds the two together.
 */
import type { ProxyHeader, TrustSetting } from "../types.js";

export interface Platform {
  /** The `## ` heading of its recipe in docs/deployment.md. */
  readonly docs: string;
  /** One line for `init`'s output: where the values come from. */
  readonly note: string;
  readonly trust: TrustSetting;
  readonly headers: readonly ProxyHeader[];
}

/** nginx, Caddy, HAProxy and Apache all overwrite X-Forwarded-Proto and append to X-Forwarded-For. */
const X_FORWARDED: readonly ProxyHeader[] = ["x-forwarded-for", "x-forwarded-proto"];

/** A proxy on the app's own host, connecting from 127.0.0.1 (point it at 127.0.0.1:PORT). */
const LOCAL_PROXY = ["127.0.0.1"];

/** Cloudflare's published ranges, https://www.cloudflare.com/ips/ (update when they change). */
const CLOUDFLARE_RANGES = [
  "173.245.48.0/20",
  "103.21.244.0/22",
  "103.22.200.0/22",
  "103.31.4.0/22",
  "141.101.64.0/18",
  "108.162.192.0/18",
  "190.93.240.0/20",
  "188.114.96.0/20",
  "197.234.240.0/22",
  "198.41.128.0/17",
  "162.158.0.0/15",
  "104.16.0.0/13",
  "104.24.0.0/14",
  "172.64.0.0/13",
  "131.0.72.0/22",
  "2400:cb00::/32",
  "2606:4700::/32",
  "2803:f800::/32",
  "2405:b500::/32",
  "2405:8100::/32",
  "2a06:98c0::/29",
  "2c0f:f248::/32",
];

export const PLATFORMS: Readonly<Record<string, Platform>> = {
  nginx: {
    docs: "nginx",
    note: "nginx on this host, proxying to 127.0.0.1:PORT; on another host, trust its address",
    trust: LOCAL_PROXY,
    headers: X_FORWARDED,
  },
  caddy: {
    docs: "Caddy",
    note: "Caddy on this host (reverse_proxy 127.0.0.1:PORT)",
    trust: LOCAL_PROXY,
    headers: X_FORWARDED,
  },
  haproxy: {
    docs: "HAProxy",
    note: "HAProxy on this host with X-Forwarded-For and X-Forwarded-Proto",
    trust: LOCAL_PROXY,
    headers: X_FORWARDED,
  },
  apache: {
    docs: "Apache httpd",
    note: "Apache httpd on this host (mod_proxy, X-Forwarded-Proto set on every vhost)",
    trust: LOCAL_PROXY,
    headers: X_FORWARDED,
  },
  vercel: {
    docs: "Vercel",
    note: "Vercel: the app sees no peer address, so one hop is trusted by count",
    trust: 1,
    headers: X_FORWARDED,
  },
  cloudflare: {
    docs: "Cloudflare",
    note: "Cloudflare's edge connecting to the origin from Cloudflare's published ranges",
    trust: CLOUDFLARE_RANGES,
    headers: ["x-forwarded-for", "x-forwarded-proto", "cf-visitor"],
  },
  heroku: {
    docs: "Heroku",
    note: "Heroku's router: one hop, whatever its address",
    trust: 1,
    headers: X_FORWARDED,
  },
  fly: {
    docs: "Fly.io",
    note: "Fly.io's proxy: two hops (the edge and the app's own address)",
    trust: 2,
    headers: X_FORWARDED,
  },
  render: {
    docs: "Render",
    note: "Render: two hops (Render's proxy and the Cloudflare edge)",
    trust: 2,
    headers: X_FORWARDED,
  },
};

/**
 * Next.js gives the app no peer address (SPEC §2.2 step 5): an address list can never
 * match there, so Next gets a hop count. `next start` behind one proxy (nginx, Vercel)
 * is one hop.
 */
export const NEXT_PLATFORM: Platform = {
  docs: "Vercel",
  note: "Next.js (Vercel, or `next start` behind one proxy): Next gives no peer address, so one hop is trusted by count",
  trust: 1,
  headers: X_FORWARDED,
};

/** `--platform` names: the table's, plus `next` (and aliases users type). */
export function platformNamed(name: string): Platform | undefined {
  const key = name.toLowerCase();
  if (key === "next" || key === "nextjs" || key === "next.js") return NEXT_PLATFORM;
  if (key === "fly.io") return PLATFORMS.fly;
  if (key === "apache2" || key === "httpd") return PLATFORMS.apache;
  return Object.hasOwn(PLATFORMS, key) ? PLATFORMS[key] : undefined;
}

export const PLATFORM_NAMES: readonly string[] = [...Object.keys(PLATFORMS), "next"];
