import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certificate, send, serve, writeCertificate } from "./index.mjs";

describe("certificate()", () => {
  it("names localhost, 127.0.0.1 and ::1, and is made once per process", () => {
    const made = certificate();
    expect(new X509Certificate(made.cert).subjectAltName).toBe(
      "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1",
    );
    expect(certificate()).toBe(made);
  });

  it("writeCertificate(dir) writes that certificate, the key readable by its owner only", () => {
    const dir = mkdtempSync(join(tmpdir(), "test-support-"));
    try {
      const paths = writeCertificate(dir);
      const { key, cert } = certificate();
      expect(readFileSync(paths.cert)).toEqual(cert);
      expect(readFileSync(paths.key)).toEqual(key);
      expect(readFileSync(paths.combined)).toEqual(Buffer.concat([cert, key]));
      expect(statSync(paths.key).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("serve(handler) and send(url, options)", () => {
  let served;
  beforeAll(async () => {
    served = await serve((req, res) => {
      res.setHeader("Set-Cookie", ["a=1; Path=/", "b=%20; Secure", "a=2"]);
      res.setHeader("Location", "/next");
      res.setHeader("Strict-Transport-Security", "max-age=60");
      res.end(
        JSON.stringify({
          peer: req.socket.remoteAddress,
          encrypted: Boolean(req.socket.encrypted),
          host: req.headers.host,
          target: req.url,
        }),
      );
    });
  });
  afterAll(() => served.close());

  it("reaches the handler over HTTP from the chosen peer address", async () => {
    const r = await send(`${served.http}/x?y=1`, { localAddress: "127.0.0.3" });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({
      peer: "127.0.0.3",
      encrypted: false,
      target: "/x?y=1",
    });
  });

  it("reaches it over HTTPS, verified under the name localhost whatever the Host header", async () => {
    const r = await send(`${served.https}/`, { headers: { host: "example.com" } });
    expect(JSON.parse(r.body)).toMatchObject({ encrypted: true, host: "example.com" });
  });

  it("hands back the Set-Cookie lines as sent, and parsed without decoding", async () => {
    const r = await send(`${served.http}/`);
    expect(r.setCookie).toEqual(["a=1; Path=/", "b=%20; Secure", "a=2"]);
    expect(r.rawHeaders.filter((h) => h.toLowerCase() === "set-cookie")).toHaveLength(3);
    expect(r.cookies.b).toMatchObject({ value: "%20", secure: true });
    expect(r.cookieList.map((c) => [c.name, c.value])).toEqual([
      ["a", "1"],
      ["b", "%20"],
      ["a", "2"],
    ]);
  });

  it("hands back Location and Strict-Transport-Security, null when absent", async () => {
    const r = await send(`${served.http}/`);
    expect(r).toMatchObject({ location: "/next", hsts: "max-age=60" });
    const plain = await serve((_req, res) => res.end());
    try {
      expect(await send(`${plain.http}/`)).toMatchObject({ location: null, hsts: null });
    } finally {
      await plain.close();
    }
  });

  it("verifies HTTPS under `servername`, and accepts any certificate with verify: false", async () => {
    const other = { servername: "www.example.com" }; // a name the test certificate does not carry
    await expect(send(`${served.https}/`, other)).rejects.toThrow(/www\.example\.com/);
    const r = await send(`${served.https}/`, { ...other, verify: false });
    expect(JSON.parse(r.body)).toMatchObject({ encrypted: true });
  });

  it("sends from ::1 toward an IPv6 address unless told otherwise", async () => {
    const server = createServer((req, res) => res.end(req.socket.remoteAddress));
    await new Promise((resolve) => server.listen(0, "::1", resolve));
    try {
      const r = await send(`http://[::1]:${server.address().port}/`);
      expect(r.body).toBe("::1");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("sends a request target as given (absolute-form)", async () => {
    const r = await send(`${served.http}/`, { target: "http://example.com/abs" });
    expect(JSON.parse(r.body).target).toBe("http://example.com/abs");
  });
});
