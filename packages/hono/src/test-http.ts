/** Test support (not shipped): a throw-away TLS certificate and a real HTTP(S) client. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import setCookieParser, { type Cookie } from "set-cookie-parser";

/** A self-signed certificate for localhost/127.0.0.1, made now; the key never leaves memory. */
export function makeCert(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), "cookie-policy-tls-"));
  try {
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem")],
        ...["-out", join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=localhost"],
        ...["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"],
      ],
      { stdio: "ignore" },
    );
    return {
      key: readFileSync(join(dir, "key.pem"), "utf8"),
      cert: readFileSync(join(dir, "cert.pem"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Set-Cookie lines as received. */
  setCookie: string[];
  /** Parsed Set-Cookie, by cookie name. */
  cookies: Record<string, Cookie>;
}

export interface Send {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Client source address: varies the peer the server sees (127.0.0.N). */
  localAddress?: string;
  /** The request target as sent, when it is not the URL's path (e.g. absolute-form). */
  target?: string;
}

/** One request over a real socket (self-signed TLS accepted), bound to `localAddress`. */
export function send(url: string, options: Send = {}): Promise<Reply> {
  const client = url.startsWith("https:") ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        ...(options.target === undefined ? {} : { path: options.target }),
        method: options.method ?? "GET",
        headers: options.headers,
        localAddress: options.localAddress ?? "127.0.0.1",
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => {
          const setCookie = res.headers["set-cookie"] ?? [];
          const cookies = setCookieParser.parse(setCookie, { decodeValues: false, map: true });
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, setCookie, cookies });
        });
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}
