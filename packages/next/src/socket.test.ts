import { once } from "node:events";
import { createServer, type IncomingMessage, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ExplainResult } from "@scope/cookie-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attestSocket } from "./custom-server.js";
import { cookiePolicy, SOCKET_HEADER } from "./index.js";

/**
 * A custom Node server as a user writes one: attestSocket(req, res) before the app sees the
 * request. The "app" here turns the Node request into a Fetch Request (what Next.js does)
 * and answers the policy's explanation of it.
 */
const cp = cookiePolicy({
  config: { proxy: { trust: ["127.0.0.1"] } },
  env: "production",
  onReport: () => {},
});
/** The same app with `trust: false` (the development profile), served at /no-trust. */
const cpNoTrust = cookiePolicy({
  config: {
    proxy: {
      trust: false,
      headers: ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto"],
    },
  },
  env: "production",
  onReport: () => {},
});
let attest = true;

function toFetchRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  // Next.js fills in forwarding headers the request arrived without (base-server `??=`).
  if (!headers.has("x-forwarded-for"))
    headers.set("x-forwarded-for", req.socket.remoteAddress ?? "");
  if (!headers.has("x-forwarded-proto")) headers.set("x-forwarded-proto", "http");
  if (!headers.has("x-forwarded-host")) headers.set("x-forwarded-host", req.headers.host ?? "");
  if (!headers.has("x-forwarded-port")) headers.set("x-forwarded-port", String(port));
  return new Request(`http://internal${req.url}`, { method: req.method, headers });
}

let server: Server;
let port = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (attest) attestSocket(req, res);
    const policy = req.url === "/no-trust" ? cpNoTrust : cp;
    const explain = policy.decideRequest(toFetchRequest(req)).explain();
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(explain));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

function explainFrom(
  localAddress: string,
  headers: Record<string, string> = {},
  path = "/",
): Promise<ExplainResult> {
  return new Promise((resolve, reject) => {
    const r = request(
      { host: "127.0.0.1", port, path, localAddress, headers, agent: false },
      (res) => {
        let body = "";
        res.on("data", (c) => {
          body += c;
        });
        res.on("end", () => resolve(JSON.parse(body)));
      },
    );
    r.on("error", reject);
    r.end();
  });
}

describe("attestSocket(req, res): a custom server passes the socket's facts", () => {
  it("a trusted peer's X-Forwarded-Proto is believed (address-list trust works)", async () => {
    attest = true;
    const e = await explainFrom("127.0.0.1", {
      "x-forwarded-proto": "https",
      "x-forwarded-for": "203.0.113.7",
    });
    expect(e.transport).toMatchObject({
      protocol: "https",
      source: "x-forwarded-proto",
      clientAddress: "203.0.113.7",
    });
  });

  it("an untrusted peer's X-Forwarded-Proto is ignored and its address is the client", async () => {
    attest = true;
    const e = await explainFrom("127.0.0.2", { "x-forwarded-proto": "https" });
    expect(e.transport).toMatchObject({
      protocol: "http",
      source: "socket",
      clientAddress: "127.0.0.2",
    });
    expect(e.diagnostics.map((d) => d.code)).toContain("TRANSPORT_UNTRUSTED_PEER");
  });

  it("forwarding headers Next.js fills in itself are not mistaken for a proxy's", async () => {
    attest = true;
    const e = await explainFrom("127.0.0.2");
    expect(e.transport.clientAddress).toBe("127.0.0.2");
    expect(e.diagnostics).toEqual([]);
  });

  it("a client cannot forge the attestation header", async () => {
    attest = true;
    const e = await explainFrom("127.0.0.2", {
      [SOCKET_HEADER]: "forged",
      "x-forwarded-proto": "https",
    });
    expect(e.transport.protocol).toBe("http");
    expect(e.transport.clientAddress).toBe("127.0.0.2");
  });

  it("without the custom server, a sent header finds nothing: the peer stays unknown", async () => {
    attest = false;
    const e = await explainFrom("127.0.0.2", { [SOCKET_HEADER]: crypto.randomUUID() });
    expect(e.transport.clientAddress).toBeNull();
    expect(e.diagnostics.map((d) => d.code)).toContain("TRANSPORT_PEER_UNKNOWN");
  });
});

describe("trust false: TRANSPORT_HEADERS_WITHOUT_TRUST is about what a client sent", () => {
  const codes = (e: ExplainResult) => e.diagnostics.map((d) => d.code);
  const WITHOUT_TRUST = "TRANSPORT_HEADERS_WITHOUT_TRUST";

  it("with attestSocket: exact – nothing when the client sent nothing, its own header when it did", async () => {
    attest = true;
    expect(codes(await explainFrom("127.0.0.2", {}, "/no-trust"))).toEqual([]);
    const sent = await explainFrom("127.0.0.2", { "x-forwarded-proto": "https" }, "/no-trust");
    expect(codes(sent)).toEqual([WITHOUT_TRUST]);
    expect(sent.diagnostics[0]?.message).toMatch(
      /^X-Forwarded-Proto arrived from peer 127\.0\.0\.2/,
    );
    expect(sent.transport).toMatchObject({ protocol: "http", source: "socket" });
  });

  it("without it (plain next start): the headers Next.js fills in are not reported", async () => {
    attest = false;
    expect(codes(await explainFrom("127.0.0.2", {}, "/no-trust"))).toEqual([]);
  });

  it("without it: what Next.js never writes is still reported (a list, Forwarded, another host)", async () => {
    attest = false;
    const sent: Record<string, string>[] = [
      { "x-forwarded-for": "198.51.100.1, 203.0.113.7" },
      { forwarded: "for=203.0.113.7;proto=https" },
      { "x-forwarded-host": "evil.example" },
    ];
    for (const headers of sent)
      expect(codes(await explainFrom("127.0.0.2", headers, "/no-trust"))).toEqual([WITHOUT_TRUST]);
  });

  it("without it, known limit: a client's single X-Forwarded-Proto looks like Next's own and is not reported", async () => {
    attest = false;
    const e = await explainFrom("127.0.0.2", { "x-forwarded-proto": "https" }, "/no-trust");
    expect(codes(e)).toEqual([]);
  });
});
