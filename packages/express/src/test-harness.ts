/**
 * Test harness (not shipped): one app served over real HTTP and HTTPS sockets, with a
 * self-signed certificate made at test time, and a client that picks its peer address.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Cookie, parse } from "set-cookie-parser";

export interface Served {
  readonly http: number;
  readonly https: number;
  close(): Promise<void>;
}

let cert: { key: Buffer; cert: Buffer } | undefined;

/** A certificate for localhost / 127.0.0.1 / ::1, made with openssl into a temp dir (removed after). */
function certificate(): { key: Buffer; cert: Buffer } {
  if (cert) return cert;
  const dir = mkdtempSync(join(tmpdir(), "cookie-policy-cert-"));
  try {
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "rsa:2048", "-nodes"],
        ...["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1"],
        ...["-subj", "/CN=localhost"],
        ...["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"],
      ],
      { stdio: "ignore" },
    );
    cert = { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) };
    return cert;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

/** Serves `handler` on 127.0.0.1 over HTTP and HTTPS. */
export async function serve(handler: http.RequestListener): Promise<Served> {
  const plain = http.createServer(handler);
  const tls = https.createServer(certificate(), handler);
  const [httpPort, httpsPort] = await Promise.all([listen(plain), listen(tls)]);
  const close = (s: http.Server) => new Promise<void>((resolve) => s.close(() => resolve()));
  return {
    http: httpPort,
    https: httpsPort,
    close: async () => {
      await Promise.all([close(plain), close(tls)]);
    },
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** Set-Cookie lines, parsed by set-cookie-parser, by name. */
  readonly cookies: Record<string, Cookie>;
  readonly setCookie: readonly string[];
}

export interface Call {
  scheme: "http" | "https";
  path?: string;
  method?: string;
  /** Local address the client binds to, i.e. the peer the server sees (default 127.0.0.1). */
  peer?: string;
  headers?: Record<string, string>;
}

/** One request over a fresh connection (no keep-alive: each call may use another peer). */
export function call(served: Served, c: Call): Promise<Reply> {
  const options: https.RequestOptions = {
    host: "127.0.0.1",
    port: c.scheme === "https" ? served.https : served.http,
    path: c.path ?? "/",
    method: c.method ?? "GET",
    localAddress: c.peer ?? "127.0.0.1",
    headers: c.headers,
    agent: false,
  };
  const client = c.scheme === "https" ? https : http;
  if (c.scheme === "https")
    Object.assign(options, { ca: certificate().cert, servername: "localhost" });
  return new Promise((resolve, reject) => {
    const req = client.request(options, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => {
        const setCookie = res.headers["set-cookie"] ?? [];
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          setCookie,
          cookies: parse(setCookie, { map: true }),
        });
      });
    });
    req.on("error", reject);
    req.end();
  });
}
