/**
 * What the testing helpers read from a response, whatever produced it: a Fetch `Response`
 * (or its `Headers`), a supertest / superagent / light-my-request / Node `IncomingMessage`
 * response (`headers['set-cookie']` as a string or a list), or raw Set-Cookie lines.
 */

/** Anything the helpers accept as "the response". */
export type ResponseLike =
  | string
  | readonly string[]
  | { readonly headers: unknown; readonly status?: number; readonly statusCode?: number }
  | { get(name: string): string | null; getSetCookie?: () => string[] };

interface FetchHeaders {
  get(name: string): string | null;
  getSetCookie?: () => string[];
}

function isFetchHeaders(value: unknown): value is FetchHeaders {
  return typeof (value as { get?: unknown } | null)?.get === "function";
}

/** The header container of a response, or the value itself when it already is one. */
function headersOf(response: ResponseLike): unknown {
  if (typeof response === "string" || Array.isArray(response)) return undefined;
  if (isFetchHeaders(response)) return response;
  return (response as { headers?: unknown }).headers;
}

/** A record's header by case-insensitive name (Node lower-cases, hand-made records may not). */
function recordHeader(record: Record<string, unknown>, name: string): unknown {
  if (name in record) return record[name];
  for (const key of Object.keys(record)) if (key.toLowerCase() === name) return record[key];
  return undefined;
}

/**
 * Every Set-Cookie line of the response, in order. A Fetch `Headers` without
 * `getSetCookie()` only has the comma-joined value, which cannot be split safely
 * (Expires contains a comma), so it is read as one line.
 */
export function setCookieLines(response: ResponseLike): string[] {
  if (typeof response === "string") return [response];
  if (Array.isArray(response)) return response.filter((l): l is string => typeof l === "string");
  const headers = headersOf(response);
  if (isFetchHeaders(headers)) {
    if (typeof headers.getSetCookie === "function") return headers.getSetCookie();
    const joined = headers.get("set-cookie");
    return joined === null ? [] : [joined];
  }
  if (headers !== null && typeof headers === "object") {
    const value = recordHeader(headers as Record<string, unknown>, "set-cookie");
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.filter((l): l is string => typeof l === "string");
  }
  return [];
}

/** One response header (repeated values comma-joined), or undefined. Raw lines have none. */
export function responseHeader(response: ResponseLike, name: string): string | undefined {
  const headers = headersOf(response);
  if (isFetchHeaders(headers)) return headers.get(name) ?? undefined;
  if (headers !== null && typeof headers === "object") {
    const value = recordHeader(headers as Record<string, unknown>, name);
    if (typeof value === "string") return value;
    if (Array.isArray(value)) return value.join(", ");
    if (typeof value === "number") return String(value);
  }
  return undefined;
}

/** The status code (`status` for Fetch and supertest, `statusCode` for Node and light-my-request). */
export function responseStatus(response: ResponseLike): number | undefined {
  if (typeof response !== "object" || response === null || Array.isArray(response))
    return undefined;
  const r = response as { status?: unknown; statusCode?: unknown };
  if (typeof r.status === "number") return r.status;
  if (typeof r.statusCode === "number") return r.statusCode;
  return undefined;
}
