/**
 * Judging a Strict-Transport-Security header the response sent against the one the policy
 * decides for the request, and against what browsers accept (RFC 6797).
 */
import { isIpLiteral } from "../transport/index.js";
import type { Transport } from "../types.js";
import type { Finding } from "./findings.js";

interface Hsts {
  readonly maxAge: number;
  readonly includeSubDomains: boolean;
  readonly preload: boolean;
}

/** RFC 6797 §6.1 directives; null when max-age is missing or not a number. */
function parseHsts(value: string): Hsts | null {
  let maxAge: number | null = null;
  let includeSubDomains = false;
  let preload = false;
  for (const part of value.split(";")) {
    const [rawName = "", ...rest] = part.split("=");
    const name = rawName.trim().toLowerCase();
    const arg = rest
      .join("=")
      .trim()
      .replace(/^"(.*)"$/, "$1");
    if (name === "max-age") maxAge = /^\d+$/.test(arg) ? Number(arg) : Number.NaN;
    else if (name === "includesubdomains") includeSubDomains = true;
    else if (name === "preload") preload = true;
  }
  return maxAge === null || Number.isNaN(maxAge) ? null : { maxAge, includeSubDomains, preload };
}

function finding(code: Finding["code"], expected: string, rule: string, actual: string): Finding {
  return {
    code,
    cookie: null,
    attribute: "Strict-Transport-Security",
    expected,
    actual,
    rule,
    reason: null,
    message: `Strict-Transport-Security: expected ${expected} (${rule}), got ${actual}`,
  };
}

/**
 * `expected` is the engine's decision for the request (null: none is due). A header sent
 * where none is due is a finding only where browsers ignore it or it does harm (HTTP,
 * localhost, IP literals); elsewhere the policy is a floor and an app may add HSTS itself.
 */
export function judgeHsts(
  expected: string | null,
  actual: string | undefined,
  transport: Transport,
): Finding[] {
  if (actual !== undefined) {
    if (!transport.secure)
      return [
        finding(
          "HSTS_ON_HTTP",
          "none on an http response",
          "invariant: browsers ignore HSTS sent over HTTP",
          actual,
        ),
      ];
    if (transport.localhost || (transport.host !== null && isIpLiteral(transport.host)))
      return [
        finding(
          "HSTS_ON_LOCALHOST",
          "none for localhost or an IP address",
          "invariant: HSTS is never sent for localhost or IP-literal hosts",
          actual,
        ),
      ];
  }
  if (expected === null) return [];
  const rule = "policy https.hsts";
  if (actual === undefined) return [finding("HSTS_MISSING", expected, rule, "none")];
  const got = parseHsts(actual);
  if (got === null)
    return [finding("HSTS_INVALID", expected, rule, `${actual} (no valid max-age)`)];
  const want = parseHsts(expected) as Hsts;
  if (
    got.maxAge < want.maxAge ||
    (want.includeSubDomains && !got.includeSubDomains) ||
    (want.preload && !got.preload)
  )
    return [finding("HSTS_WEAK", expected, rule, actual)];
  return [];
}
