/**
 * One launcher per proxy: it writes the proxy's configuration into its own temp dir (the
 * docs' recipe, filled in once per site, inside the few lines a private, foreground,
 * unprivileged-port instance needs) and starts it with startChild.
 *
 * A site is `{ id, upstream, ports }`: the app (or next hop) at `upstream`, served on
 * `ports` (`{ http, https }`) on 127.0.0.1 and ::1.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARIES, startChild } from "./processes.mjs";
import { fill } from "./recipes.mjs";

/** The recipe's port (80, 443, or 8080 for a hop that only takes plain HTTP) for a site. */
function portFor(recipeName, ports, written) {
  const port = { 80: ports.http, 443: ports.https, 8080: ports.http }[written];
  if (port === undefined) throw new Error(`recipe ${recipeName}: no port to put for ${written}`);
  return port;
}

function write(dir, name, text) {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** nginx: the recipe is a server block; one per site inside one `http {}`. */
export function startNginx({ dir, recipe, sites, certificates, ready }) {
  const servers = sites.map(({ upstream, ports }) =>
    fill(recipe, {
      listen: [
        /listen (\[::\]:)?(\d+)( ssl)?;/g,
        (_, v6, port, ssl = "") =>
          `listen ${v6 ? "[::1]" : "127.0.0.1"}:${portFor(recipe.name, ports, port)}${ssl};`,
      ],
      upstream,
      certificates,
    }),
  );
  const conf = write(
    dir,
    "nginx.conf",
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${servers.join("\n")}
}
`,
  );
  return startChild("nginx", BINARIES.nginx, ["-e", `${dir}/error.log`, "-p", dir, "-c", conf], {
    ready,
  });
}

/**
 * HAProxy's configuration: the recipe is a frontend and a backend; one copy per site, their
 * section names suffixed with the site's id so five copies can share a process.
 */
export function writeHaproxyConfig({ dir, recipe, sites, certificates }) {
  const sections = sites.map(({ id, upstream, ports }) =>
    fill(recipe, {
      listen: [
        /bind (:::|:)(\d+)/g,
        (_, host, port) =>
          `bind ${host === ":::" ? "::1" : "127.0.0.1"}:${portFor(recipe.name, ports, port)}`,
      ],
      upstream,
      certificates,
    }).replace(/^(\s*(?:frontend|backend|default_backend)\s+)([\w.-]+)/gm, `$1$2-${id}`),
  );
  return write(
    dir,
    "haproxy.cfg",
    `global
  maxconn 512

defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s

${sections.join("\n")}
`,
  );
}

/** HAProxy in the foreground (`-db`). */
export function startHaproxy({ ready, ...config }) {
  return startChild("haproxy", BINARIES.haproxy, ["-db", "-f", writeHaproxyConfig(config)], {
    ready,
  });
}

const APACHE_MODULES = ["mpm_event", "authz_core", "headers", "proxy", "proxy_http", "ssl"];

/** Apache httpd (`-DFOREGROUND`): the recipe is its virtual hosts; one set per site. */
export function startApache({ dir, recipe, sites, certificates, ready }) {
  const listens = new Set();
  const vhosts = sites.map(({ upstream, ports }) =>
    fill(recipe, {
      listen: [
        /<VirtualHost \*:(\d+)>/g,
        (_, written) => {
          const port = portFor(recipe.name, ports, written);
          listens.add(port);
          return `<VirtualHost 127.0.0.1:${port} [::1]:${port}>`;
        },
      ],
      upstream,
      certificates,
    }),
  );
  const modules = APACHE_MODULES.map(
    (m) => `LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so`,
  );
  const conf = write(
    dir,
    "httpd.conf",
    `ServerRoot ${dir}
DefaultRuntimeDir ${dir}
PidFile ${dir}/httpd.pid
ErrorLog ${dir}/error.log
LogLevel warn
ServerName localhost
${modules.join("\n")}
StartServers 1
ServerLimit 2
ThreadsPerChild 16
MaxRequestWorkers 32
MinSpareThreads 4
MaxSpareThreads 32
${[...listens].flatMap((port) => [`Listen 127.0.0.1:${port}`, `Listen [::1]:${port}`]).join("\n")}
${vhosts.join("\n")}
`,
  );
  return startChild("apache2", BINARIES.apache2, ["-DFOREGROUND", "-f", conf], { ready });
}

/**
 * Caddy, one process per site: its HTTP-to-HTTPS redirect and its ports are process-wide
 * settings (http_port, https_port). The recipe is the site block; the global options keep
 * the instance private (no admin endpoint, 127.0.0.1 only, its own data dir) and let
 * Caddy's local CA stand in for ACME, so no certificate path is needed. IPv4 only: given
 * `default_bind 127.0.0.1 [::1]`, Caddy 2.6 binds its HTTP-to-HTTPS redirect to ::1 alone.
 */
export function startCaddy({ dir, recipe, site, ready }) {
  const { upstream, ports } = site;
  const siteBlock = fill(recipe, { upstream, certificates: {} });
  const caddyfile = write(
    dir,
    "Caddyfile",
    `{
  admin off
  http_port ${ports.http}
  https_port ${ports.https}
  default_bind 127.0.0.1
  local_certs
  skip_install_trust
  storage file_system ${dir}/data
}

${siteBlock}
`,
  );
  return startChild(
    "caddy",
    BINARIES.caddy,
    ["run", "--config", caddyfile, "--adapter", "caddyfile"],
    {
      env: { HOME: dir, XDG_DATA_HOME: join(dir, "xdg-data"), XDG_CONFIG_HOME: join(dir, "xdg") },
      ready,
    },
  );
}
