/**
 * The deployment recipes do what docs/deployment.md says: each section's policy, fed the
 * request its platform delivers (peer, forwarding headers as that platform writes them, and
 * what a client may have added), decides HTTPS and the client address the text promises,
 * and never believes the client's own forwarding headers.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createCookiePolicy, type PolicyRequest } from "./index.js";

const text = readFileSync(
  fileURLToPath(new URL("../../../docs/deployment.md", import.meta.url)),
  "utf8",
);

/** The policy blocks of one `## ` section (its `###` subsections included), in order. */
function recipes(heading: string): unknown[] {
  const start = text.indexOf(`\n## ${heading}`);
  if (start === -1) throw new Error(`docs/deployment.md has no section "${heading}"`);
  const end = text.indexOf("\n## ", start + 1);
  const section = text.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```json policy[^\n]*\n([\s\S]*?)```/g)].map((m) =>
    JSON.parse(m[1] as string),
  );
}

function transport(policy: unknown, peer: string | undefined, headers: Record<string, string>) {
  const req: PolicyRequest = {
    encrypted: false,
    peer,
    headers: { host: "www.example.com", ...headers },
    method: "GET",
    url: "/",
  };
  return createCookiePolicy(policy, { env: "production", onReport: () => {} }).decideRequest(req)
    .transport;
}

const CLIENT = "203.0.113.9";
/** What a client adds itself, hoping to be believed. */
const FORGED = { forwarded: "for=198.51.100.1;proto=https" };
/** One proxy's HTTPS request for CLIENT, whose own X-Forwarded-For entry and Forwarded are forged. */
const FORGED_BEHIND_ONE_HOP = {
  ...FORGED,
  "x-forwarded-for": `6.6.6.6, ${CLIENT}`,
  "x-forwarded-proto": "https",
};
/** That request as a policy trusting exactly the one proxy sees it. */
const ONE_HOP_BELIEVED = { secure: true, clientAddress: CLIENT, trustedHops: 1 };

describe("docs/deployment.md recipes, fed their platform's requests", () => {
  it("nginx: X-Forwarded-Proto from nginx at 127.0.0.1; a client's Forwarded header is not read", () => {
    const [policy] = recipes("nginx");
    expect(
      transport(policy, "127.0.0.1", {
        "x-forwarded-for": `1.2.3.4, ${CLIENT}`,
        "x-forwarded-proto": "https",
      }),
    ).toMatchObject({
      secure: true,
      clientAddress: CLIENT,
    });
    expect(
      transport(policy, "127.0.0.1", {
        ...FORGED,
        "x-forwarded-for": CLIENT,
        "x-forwarded-proto": "http",
      }),
    ).toMatchObject({
      secure: false,
      source: "x-forwarded-proto",
    });
    // Straight to the app's port, bypassing nginx: nothing is believed.
    expect(transport(policy, CLIENT, { "x-forwarded-proto": "https" })).toMatchObject({
      secure: false,
      source: "socket",
    });
    // Another local process is not the proxy: the exact address, not `loopback`, is trusted.
    expect(
      transport(policy, "127.0.0.2", { "x-forwarded-for": CLIENT, "x-forwarded-proto": "https" }),
    ).toMatchObject({ secure: false, source: "socket", clientAddress: "127.0.0.2" });
  });

  it("nginx as the inner hop appends its own X-Forwarded-Proto: the trusted hop's value is read", () => {
    const [chain] = recipes("A chain");
    const [inner] = recipes("nginx");
    // Behind the balancer (10.0.1.10, trusted): HAProxy's https, then nginx's http.
    expect(
      transport(chain, "127.0.0.1", {
        "x-forwarded-for": `6.6.6.6, ${CLIENT}, 10.0.1.10`,
        "x-forwarded-proto": "https, http",
      }),
    ).toMatchObject({ secure: true, clientAddress: CLIENT, trustedHops: 2 });
    // A client reaching nginx directly, its own X-Forwarded-Proto in front of nginx's record.
    expect(
      transport(inner, "127.0.0.1", {
        "x-forwarded-for": CLIENT,
        "x-forwarded-proto": "https, http",
      }),
    ).toMatchObject({ secure: false, clientAddress: CLIENT, trustedHops: 1 });
  });

  it("Caddy: the same shape from 127.0.0.1; ::1 is another address, not trusted unless listed", () => {
    const [policy] = recipes("Caddy");
    const headers = { "x-forwarded-for": CLIENT, "x-forwarded-proto": "https" };
    expect(transport(policy, "127.0.0.1", headers)).toMatchObject({
      secure: true,
      clientAddress: CLIENT,
    });
    expect(transport(policy, "::1", headers)).toMatchObject({ secure: false, source: "socket" });
  });

  it("HAProxy 2.6: its X-Forwarded-For line after the client's, X-Forwarded-Proto set; Forwarded unread", () => {
    const [policy] = recipes("HAProxy");
    expect(transport(policy, "127.0.0.1", FORGED_BEHIND_ONE_HOP)).toMatchObject(ONE_HOP_BELIEVED);
  });

  it("HAProxy 2.8: its own Forwarded element, IPv6 quoted, is believed; a hand-built unquoted one is not", () => {
    const [, policy] = recipes("HAProxy");
    expect(
      transport(policy, "127.0.0.1", {
        forwarded: 'for=198.51.100.1;proto=https, for="[2001:db8::7]";proto=https',
        "x-forwarded-proto": "https",
      }),
    ).toMatchObject({ secure: true, source: "forwarded", clientAddress: "2001:db8::7" });
    expect(
      transport(policy, "127.0.0.1", {
        forwarded: "for=198.51.100.1;proto=https, for=2001:db8::7;proto=https",
      }),
    ).toMatchObject({ secure: false, source: "socket" });
    // A client's malformed Forwarded: HAProxy adds its own line after it, and the walk never
    // reaches the client's part (SPEC v2: entries beyond the client decide nothing).
    expect(
      transport(policy, "127.0.0.1", {
        forwarded: `for=[junk;proto=http, for=${CLIENT};proto=https`,
      }),
    ).toMatchObject({ secure: true, clientAddress: CLIENT });
    // HAProxy's own record of plain HTTP wins over the client's claim in front of it.
    expect(
      transport(policy, "127.0.0.1", {
        forwarded: `for=198.51.100.1;proto=https, for=${CLIENT};proto=http`,
      }),
    ).toMatchObject({ secure: false, clientAddress: CLIENT });
  });

  it("Apache: X-Forwarded-Proto set on each vhost; the appended X-Forwarded-Host is not believed", () => {
    const [policy] = recipes("Apache httpd");
    const headers = {
      "x-forwarded-for": `6.6.6.6, ${CLIENT}`,
      "x-forwarded-host": "evil.example, www.example.com",
    };
    expect(
      transport(policy, "127.0.0.1", { ...headers, "x-forwarded-proto": "https" }),
    ).toMatchObject({ secure: true, clientAddress: CLIENT, host: "www.example.com" });
    expect(
      transport(policy, "127.0.0.1", { ...headers, "x-forwarded-proto": "http" }),
    ).toMatchObject({ secure: false, source: "x-forwarded-proto" });
  });

  it("ALB: peer from the VPC, client appended to X-Forwarded-For; with CloudFront, two hops", () => {
    const [alb, cloudfront] = recipes("AWS Application Load Balancer");
    const albHeaders = {
      ...FORGED,
      "x-forwarded-for": `10.9.9.9, ${CLIENT}`,
      "x-forwarded-proto": "https",
    };
    expect(transport(alb, "10.0.1.5", albHeaders)).toMatchObject({
      secure: true,
      clientAddress: CLIENT,
    });
    const viaCloudFront = {
      "x-forwarded-for": `${CLIENT}, 130.176.1.1`,
      "x-forwarded-proto": "https",
    };
    expect(transport(alb, "10.0.1.5", viaCloudFront)).toMatchObject({
      secure: true,
      clientAddress: "130.176.1.1",
    });
    expect(transport(cloudfront, "10.0.1.5", viaCloudFront)).toMatchObject({
      secure: true,
      clientAddress: CLIENT,
    });
  });

  it("Cloudflare: an edge address is trusted, X-Forwarded-Proto and CF-Visitor agree; others are not", () => {
    const [policy] = recipes("Cloudflare");
    const edge = {
      "x-forwarded-for": CLIENT,
      "x-forwarded-proto": "https",
      "cf-visitor": '{"scheme":"https"}',
    };
    expect(transport(policy, "162.158.10.1", edge)).toMatchObject({
      secure: true,
      clientAddress: CLIENT,
      trustedHops: 1,
    });
    expect(transport(policy, "2606:4700:10::1", edge)).toMatchObject({ secure: true });
    expect(transport(policy, "198.51.100.7", edge)).toMatchObject({
      secure: false,
      source: "socket",
    });
  });

  it("Heroku: one hop (the router), whatever its address; a forged X-Forwarded-For stays left of the client", () => {
    const [policy] = recipes("Heroku");
    expect(transport(policy, "10.1.45.23", FORGED_BEHIND_ONE_HOP)).toMatchObject(ONE_HOP_BELIEVED);
  });

  it("Fly.io: two hops, the rightmost X-Forwarded-For entry being the app's own address", () => {
    const [policy] = recipes("Fly.io");
    const headers = {
      "x-forwarded-for": `6.6.6.6, ${CLIENT}, 66.241.124.10`,
      "x-forwarded-proto": "https",
      "x-forwarded-ssl": "on",
    };
    expect(transport(policy, "fdaa:0:1::3", headers)).toMatchObject({
      secure: true,
      clientAddress: CLIENT,
    });
  });

  it("Render: two hops (Render's proxy and the Cloudflare edge)", () => {
    const [policy] = recipes("Render");
    const headers = { "x-forwarded-for": `${CLIENT}, 104.22.17.40`, "x-forwarded-proto": "https" };
    expect(transport(policy, "10.21.157.68", headers)).toMatchObject({
      secure: true,
      clientAddress: CLIENT,
    });
  });

  it("Vercel: no peer at all, one hop still applies", () => {
    const [policy] = recipes("Vercel");
    expect(
      transport(policy, undefined, { "x-forwarded-for": CLIENT, "x-forwarded-proto": "https" }),
    ).toMatchObject({
      secure: true,
      clientAddress: CLIENT,
    });
  });
});
