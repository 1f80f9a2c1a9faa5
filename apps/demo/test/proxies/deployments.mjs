/**
 * The deployments the suite runs, each from docs/deployment.md: which recipes make it,
 * which recipe's policy the apps behind it load, and what the app must then see (written
 * from SPEC §2.2 and the recipe's text: who writes which header, how many hops).
 */
import { join } from "node:path";
import { startApache, startCaddy, startHaproxy, startNginx } from "./launchers.mjs";
import { freePort } from "./processes.mjs";
import { recipe } from "./recipes.mjs";

/** Two free ports for one site. */
async function sitePorts() {
  return { http: await freePort(), https: await freePort() };
}

/** One site per framework in front of its app; `apps` maps framework → app port. */
async function sitesFor(apps) {
  const sites = [];
  for (const [id, port] of apps) {
    sites.push({ id, upstream: `127.0.0.1:${port}`, ports: await sitePorts() });
  }
  return sites;
}

const byId = (sites) => new Map(sites.map((site) => [site.id, site.ports]));

/** One `launch` process (nginx, HAProxy, Apache) serving the recipe `name` for every app. */
function oneProcess(launch, name, lang) {
  return async ({ recipes, dir, apps, certificates, ready }) => {
    const sites = await sitesFor(apps);
    const proxy = await launch({
      dir: join(dir, name),
      recipe: recipe(recipes, name, lang),
      sites,
      certificates,
      ready: () => ready(byId(sites)),
    });
    return { ports: byId(sites), stop: proxy.stop };
  };
}

/**
 * `start({ recipes, dir, apps, certificates, ready })` starts the proxies and resolves
 * with `{ ports: Map framework → { http, https }, stop }`.
 * `policy` names the recipe whose policy the apps load; `hops` and `source` are what
 * `/explain` must report for a client at an untrusted address; `ipv4Only` why a
 * deployment listens on 127.0.0.1 only (its IPv6 check is then listed as not run).
 */
export const DEPLOYMENTS = [
  {
    name: "nginx",
    policy: "nginx-edge",
    hops: 1,
    source: "x-forwarded-proto",
    start: oneProcess(startNginx, "nginx-edge", "nginx"),
  },
  {
    name: "caddy",
    policy: "caddy",
    hops: 1,
    source: "x-forwarded-proto",
    ipv4Only: "given two addresses, Caddy 2.6 binds its HTTP-to-HTTPS redirect to one",
    async start({ recipes, dir, apps, ready }) {
      const sites = await sitesFor(apps);
      const started = await Promise.allSettled(
        sites.map((site) =>
          startCaddy({
            dir: join(dir, `caddy-${site.id}`),
            recipe: recipe(recipes, "caddy", "caddyfile"),
            site,
            ready: () => ready(new Map([[site.id, site.ports]])),
          }),
        ),
      );
      const caddies = started.filter((s) => s.status === "fulfilled").map((s) => s.value);
      const stop = () => Promise.all(caddies.map((caddy) => caddy.stop()));
      const failed = started.find((s) => s.status === "rejected");
      if (failed) {
        await stop();
        throw failed.reason;
      }
      return { ports: byId(sites), stop };
    },
  },
  {
    name: "haproxy",
    policy: "haproxy",
    hops: 1,
    source: "x-forwarded-proto",
    start: oneProcess(startHaproxy, "haproxy", "haproxy"),
  },
  {
    name: "haproxy-forwarded",
    policy: "haproxy-forwarded",
    needsHaproxy: [2, 8],
    hops: 1,
    source: "forwarded",
    start: oneProcess(startHaproxy, "haproxy-forwarded", "haproxy"),
  },
  {
    name: "apache",
    policy: "apache",
    hops: 1,
    source: "x-forwarded-proto",
    start: oneProcess(startApache, "apache", "apache"),
  },
  {
    // HAProxy terminates TLS and forwards to nginx (the inner-hop recipe), which forwards
    // to the app: two trusted hops.
    name: "chain",
    policy: "chain",
    hops: 2,
    source: "x-forwarded-proto",
    async start({ recipes, dir, apps, certificates, ready }) {
      const inner = await sitesFor(apps);
      const nginx = await startNginx({
        dir: join(dir, "chain-nginx"),
        recipe: recipe(recipes, "nginx-inner", "nginx"),
        sites: inner,
        certificates,
        // nginx's inner hop takes plain HTTP only; the app answers through it.
        ready: () => ready(new Map(inner.map((s) => [s.id, { http: s.ports.http }]))),
      });
      const edge = [];
      for (const site of inner) {
        edge.push({
          id: site.id,
          upstream: `127.0.0.1:${site.ports.http}`,
          ports: await sitePorts(),
        });
      }
      try {
        const haproxy = await startHaproxy({
          dir: join(dir, "chain-haproxy"),
          recipe: recipe(recipes, "haproxy", "haproxy"),
          sites: edge,
          certificates,
          ready: () => ready(byId(edge)),
        });
        return {
          ports: byId(edge),
          stop: () => Promise.all([haproxy.stop(), nginx.stop()]),
        };
      } catch (err) {
        await nginx.stop();
        throw err;
      }
    },
  },
];
