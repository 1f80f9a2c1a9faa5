import { once } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCookiePolicy } from "../engine.js";
import { nodeRequest } from "./node-view.js";

describe("nodeRequest(req)", () => {
  it("reads socket, headers, method and url from an IncomingMessage-shaped object", () => {
    const headers = { host: "example.com", "x-forwarded-for": ["1.2.3.4", "5.6.7.8"] };
    const view = nodeRequest({
      socket: { remoteAddress: "::ffff:10.0.0.1", encrypted: true },
      headers,
      method: "post",
      url: "/a?b",
    });
    expect(view).toEqual({
      encrypted: true,
      peer: "::ffff:10.0.0.1",
      headers,
      method: "POST",
      url: "/a?b",
    });
  });

  it("a plain socket is not encrypted; a missing peer is unknown; defaults for method and url", () => {
    expect(nodeRequest({ socket: { remoteAddress: "" }, headers: {} })).toEqual({
      encrypted: false,
      peer: undefined,
      headers: {},
      method: "GET",
      url: "/",
    });
    expect(nodeRequest({ headers: {} }).peer).toBeUndefined();
    expect(nodeRequest({ socket: null, headers: {} }).encrypted).toBe(false);
  });
});

describe("nodeRequest on a real Node server (SPEC §2.2 step 6)", () => {
  const policy = createCookiePolicy(
    { proxy: { trust: false }, https: { redirect: false, hsts: false } },
    { env: "production", onReport: () => {} },
  );
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    res.end();
  });
  let port = 0;
  beforeAll(async () => {
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server.close());

  /** Send raw request bytes over plain TCP; the IncomingMessage the server saw. */
  async function receive(head: string): Promise<IncomingMessage> {
    const before = seen.length;
    const socket = connect(port, "127.0.0.1");
    socket.end(`${head}\r\nConnection: close\r\n\r\n`);
    socket.resume();
    await once(socket, "close");
    expect(seen.length).toBe(before + 1);
    return seen[before] as IncomingMessage;
  }

  it("an absolute-form https:// target over plain TCP is plain HTTP", async () => {
    const req = await receive("GET https://example.com/account HTTP/1.1\r\nHost: example.com");
    const ctx = policy.decideRequest(nodeRequest(req));
    expect(ctx.transport).toMatchObject({ protocol: "http", secure: false, host: "example.com" });
  });

  it("more than one Host header is an invalid host, in any spelling and even when they agree", async () => {
    for (const head of [
      "GET / HTTP/1.1\r\nHost: example.com\r\nHost: evil.example",
      "GET / HTTP/1.1\r\nHost: example.com\r\nhOST: example.com",
    ]) {
      const req = await receive(head);
      // Node keeps only the first one in req.headers; rawHeaders has both.
      expect(req.headers.host).toBe("example.com");
      const t = policy.decideRequest(nodeRequest(req)).transport;
      expect(t.host, head).toBeNull();
      expect(t.diagnostics.map((d) => d.code)).toEqual(["TRANSPORT_HOST_INVALID"]);
    }
  });

  it("one Host header stands, and the view keeps Node's own headers object", async () => {
    const req = await receive("GET / HTTP/1.1\r\nHost: Example.com:8080");
    const view = nodeRequest(req);
    expect(view.headers).toBe(req.headers);
    expect(policy.decideRequest(view).transport).toMatchObject({ host: "example.com", port: 8080 });
  });
});
