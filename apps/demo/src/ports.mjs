/**
 * Ports for `pnpm demo`: each server's default port when it is free, else one the
 * system picks, decided before the servers start so every page can list every URL.
 */
import { createServer } from "node:net";

/** Resolves with the port once `host:port` could be bound (and released), else null. */
function tryPort(port, host) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(null));
    probe.listen(port, host, () => {
      const bound = probe.address().port;
      probe.close(() => resolve(bound));
    });
  });
}

/**
 * One port per wanted one: the wanted port when it is free on `host`, else a free port
 * the system chooses. A port is free when probed; another program may still take it
 * before the server binds, and that server then says so when it fails to start.
 */
export async function freePorts(wanted, host = "127.0.0.1") {
  const ports = [];
  for (const port of wanted) {
    let chosen = (await tryPort(port, host)) ?? (await tryPort(0, host));
    // a later default may be a port the system chose for an earlier server
    while (chosen !== null && ports.includes(chosen)) chosen = await tryPort(0, host);
    if (chosen === null) throw new Error(`no free port on ${host}`);
    ports.push(chosen);
  }
  return ports;
}
