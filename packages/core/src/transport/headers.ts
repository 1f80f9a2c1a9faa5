/**
 * The one header reader of the project. Adapters hand the engine whatever header object
 * their framework has: a Node record (lower-case keys, arrays for repeated headers) or a
 * Fetch-style object with `get()`. Repeated headers read as one comma-joined list.
 */
import type { HeadersView } from "../types.js";

/** Read a header by its lower-case name; undefined when absent. Never throws. */
export function readHeader(headers: HeadersView, name: string): string | undefined {
  return readHeaderOf(headers, name, isFetchHeaders(headers));
}

/** Whether the view is Fetch-style (`get()`), so a request reading several headers asks once. */
export function isFetchHeaders(headers: HeadersView): boolean {
  return typeof (headers as { get?: unknown }).get === "function";
}

/** `readHeader` for a view whose style `isFetchHeaders` has told. */
export function readHeaderOf(
  headers: HeadersView,
  name: string,
  fetchStyle: boolean,
): string | undefined {
  if (fetchStyle) {
    let value: unknown;
    try {
      // Fetch `Headers.get` throws on names it considers invalid (e.g. `:authority`).
      value = (headers as { get: (n: string) => unknown }).get(name);
    } catch {
      return undefined;
    }
    return typeof value === "string" ? value : undefined;
  }
  const value = (headers as Readonly<Record<string, unknown>>)[name];
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return joinValues(value);
  return undefined;
}

function joinValues(values: readonly unknown[]): string | undefined {
  let joined: string | undefined;
  for (const v of values) {
    if (typeof v !== "string") continue;
    joined = joined === undefined ? v : `${joined}, ${v}`;
  }
  return joined;
}
