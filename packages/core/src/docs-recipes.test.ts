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

/** The policy blocks of one `## ` section, in order. */
function recipes(heading: string): unknown[] {
  const start = text.indexOf(`\n## ${heading}`);
  if (start === -1) throw new Error(`docs/deployment.md has no section "${heading}"`);
  const end = text.indexOf("\n## ", start + 1);
  const section = text.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```json policy\n([\s\S]*?)```/g)].map((m) =>
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
  return createCookiePolicy(policy, { env: "production", onReport: () => {} }).begin(req).transport;
}

const CLIENT = "203.0.113.9";
/** What a client adds itself, hoping to be believed. */
const FORGED = { forwarded: "for=198.51.100.1;proto=https" };

describe("docs/deployment.md recipes, fed their platform's requests", () => {
  it("nginx: X-Forwarded-Proto from nginx on loopback; a client's Forwarded header is not read", () => {
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
  });

  it("Caddy: the same shape on loopback", () => {
    const [policy] = recipes("Caddy");
    expect(
      transport(policy, "::1", { "x-forwarded-for": CLIENT, "x-forwarded-proto": "https" }),
    ).toMatchObject({
      secure: true,
      clientAddress: CLIENT,
    });
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
    expect(
      transport(policy, "10.1.45.23", {
        ...FORGED,
        "x-forwarded-for": `6.6.6.6, ${CLIENT}`,
        "x-forwarded-proto": "https",
      }),
    ).toMatchObject({
      secure: true,
      clientAddress: CLIENT,
      trustedHops: 1,
    });
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
