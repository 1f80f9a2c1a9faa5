import { readFileSync } from "node:fs";

/**
 * The server's CPU time so far in ms (Linux /proc, user + system), or null elsewhere.
 * CPU per request is reported beside the throughput, and A/N per CPU second paired by
 * round: on a shared machine it tells a server that was slow from one that was starved.
 * (Both move by ±10% between runs here; the in-process bench is the steady figure.)
 */
const TICK_MS = 10; // USER_HZ is 100 on Linux
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}
