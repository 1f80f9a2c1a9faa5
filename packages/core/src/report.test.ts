import { afterEach, describe, expect, it, vi } from "vitest";
import { defaultReporter, describeReason, reportEvent } from "./report.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("defaultReporter()", () => {
  it("warns once per distinct code + cookie", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const report = defaultReporter();
    for (let i = 0; i < 3; i++)
      report(reportEvent("MAXAGE_CAPPED", "capped", "production", "theme"));
    report(reportEvent("MAXAGE_CAPPED", "capped", "production", "other"));
    report(reportEvent("COOKIE_TOO_LARGE", "big", "production", "theme"));
    report(reportEvent("ENV_UNKNOWN", "no such env", "production"));
    report(reportEvent("ENV_UNKNOWN", "no such env", "production"));
    expect(warn).toHaveBeenCalledTimes(4);
    expect(String(warn.mock.calls[0]?.[0])).toContain("MAXAGE_CAPPED");
    expect(String(warn.mock.calls[0]?.[0])).toContain("theme");
  });

  it("stays bounded: a flood of distinct cookie names stops warning", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const report = defaultReporter();
    for (let i = 0; i < 5000; i++)
      report(reportEvent("COOKIE_NAME_INVALID", "bad", "production", `n${i}`));
    expect(warn.mock.calls.length).toBeLessThanOrEqual(1000);
  });
});

describe("reportEvent", () => {
  it("drops and misconfiguration are warn, corrections info", () => {
    expect(reportEvent("INSECURE_TRANSPORT_DROPPED", "m", "production", "sid").level).toBe("warn");
    expect(reportEvent("TRANSPORT_UNTRUSTED_PEER", "m", "production").level).toBe("warn");
    expect(reportEvent("MAXAGE_CAPPED", "m", "production", "t").level).toBe("info");
    expect("cookie" in reportEvent("ENV_UNKNOWN", "m", "production")).toBe(false);
  });

  it("every code has a description", () => {
    expect(describeReason("CALLSITE_WEAKENING_IGNORED")).toMatch(/weaken/);
  });
});
