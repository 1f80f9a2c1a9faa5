import type { IncomingHttpHeaders, RequestListener } from "node:http";
import type { Cookie } from "set-cookie-parser";

export interface Certificate {
  readonly key: Buffer;
  readonly cert: Buffer;
}

/** A self-signed certificate for localhost, 127.0.0.1 and ::1, made once per process. */
export function certificate(): Certificate;

/** The certificate written into `dir`; returns the file paths. */
export function writeCertificate(dir: string): {
  readonly cert: string;
  readonly key: string;
  /** cert then key in one file (HAProxy). */
  readonly combined: string;
};

export interface Served {
  /** Base URL over HTTP, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly http: string;
  /** Base URL over HTTPS with the test certificate. */
  readonly https: string;
  close(): Promise<void>;
}

/** Serves `handler` on 127.0.0.1 over HTTP and HTTPS. */
export function serve(handler: RequestListener): Promise<Served>;

export interface Send {
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: string;
  /**
   * Client source address, i.e. the peer the server sees (default 127.0.0.1, or ::1 toward an
   * IPv6 address; any 127.0.0.N).
   */
  localAddress?: string;
  /** The TLS server name, which the certificate must carry (default localhost). */
  servername?: string;
  /** false: accept any certificate (a proxy's own local CA); default: only the test certificate. */
  verify?: boolean;
  /** The request target as sent, when it is not the URL's path (e.g. absolute-form). */
  target?: string;
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Header names and values as received, in order. */
  readonly rawHeaders: readonly string[];
  readonly body: string;
  /** The Location header, or null. */
  readonly location: string | null;
  /** The Strict-Transport-Security header, or null. */
  readonly hsts: string | null;
  /** Set-Cookie lines as received. */
  readonly setCookie: readonly string[];
  /** Set-Cookie parsed by set-cookie-parser (values not decoded), in the order received. */
  readonly cookieList: readonly Cookie[];
  /** Set-Cookie parsed by set-cookie-parser (values not decoded), by cookie name. */
  readonly cookies: Record<string, Cookie>;
}

/** One request over a fresh real socket. */
export function send(url: string, options?: Send): Promise<Reply>;
