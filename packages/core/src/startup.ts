import { readEnv } from "./policy/resolve.js";
import { reportEvent } from "./report.js";
import type { CookiePolicy, OnReport } from "./types.js";

/**
 * Settings elsewhere in the process that undo transport security, reported once at
 * start-up in a production profile (SPEC §3). Edge-safe (reads `process.env` only where
 * there is one), so every adapter runs it on every entry path.
 */
export function reportStartup(policy: CookiePolicy, onReport: OnReport): void {
  if (policy.env !== "production") return;
  if (readEnv("NODE_TLS_REJECT_UNAUTHORIZED") === "0") {
    onReport(
      reportEvent(
        "STARTUP_TLS_VERIFICATION_DISABLED",
        "NODE_TLS_REJECT_UNAUTHORIZED=0 turns off TLS certificate verification for every outgoing HTTPS request of this process: remove it in production",
        policy.env,
      ),
    );
  }
}
