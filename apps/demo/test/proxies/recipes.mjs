/**
 * The proxy recipes of docs/deployment.md, as the suite runs them: each marked block
 * (```nginx proxy-recipe=nginx-edge) is read from the file and filled in with this run's
 * ports, the app's address and the certificate paths, nothing else, so a recipe that
 * rots in the docs fails the build.
 */
import { readFileSync } from "node:fs";

const DOCS = new URL("../../../../docs/deployment.md", import.meta.url);

/** A fenced block whose info string carries `proxy-recipe=NAME`. */
const BLOCK = /^```([\w-]+)[ \t]+([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm;

/** Every marked block of the docs: `{ name, lang, text }`, the policy blocks as `lang: "json"`. */
export function readRecipes() {
  const found = [];
  for (const [, lang, info, text] of readFileSync(DOCS, "utf8").matchAll(BLOCK)) {
    const name = /(?:^|\s)proxy-recipe=([\w-]+)/.exec(info)?.[1];
    if (name) found.push({ name, lang, text });
  }
  return found;
}

/** The proxy configuration named `name` (written for `lang`) and the policy beside it. */
export function recipe(all, name, lang) {
  const config = all.find((r) => r.name === name && r.lang === lang);
  if (!config) throw new Error(`docs/deployment.md has no \`\`\`${lang} proxy-recipe=${name}`);
  const policy = all.find((r) => r.name === name && r.lang === "json");
  return { name, config: config.text, policy: policy ? JSON.parse(policy.text) : undefined };
}

/** The app's address as every recipe writes it; the suite puts the real upstream there. */
const RECIPE_UPSTREAM = "127.0.0.1:3000";
const UPSTREAM_PATTERN = /127\.0\.0\.1:3000(?!\d)/g;
/** The certificate paths the recipes write, by what the suite puts there. */
const RECIPE_CERTIFICATES = {
  cert: "/etc/ssl/example.com/fullchain.pem",
  key: "/etc/ssl/example.com/privkey.pem",
  combined: "/etc/haproxy/certs/example.com.pem",
};

/**
 * A recipe's configuration for this run: `listen` ([a global pattern, a replacer], in the
 * proxy's own syntax; none for a proxy whose ports are global settings) puts the run's addresses and ports where the recipe listens,
 * the recipe's app address becomes `upstream`, and its certificate paths the run's. A part
 * the suite cannot find means the recipe changed shape: the error says which.
 */
export function fill({ name, config }, { listen, upstream, certificates }) {
  const unfillable = (what) =>
    new Error(
      `recipe ${name}: found no ${what} to fill in (the suite fills in only ports, the app's address and certificate paths)`,
    );
  // The app's address first, and only where it stands whole: a listen port filled in
  // first (30009) would otherwise read as the recipe's 127.0.0.1:3000 followed by a 9.
  if (config.search(UPSTREAM_PATTERN) === -1) throw unfillable(RECIPE_UPSTREAM);
  let out = config.replace(UPSTREAM_PATTERN, () => upstream);
  if (listen) {
    const [pattern, replacer] = listen;
    const filled = out.replace(pattern, replacer);
    if (filled === out) throw unfillable(String(pattern));
    out = filled;
  }
  for (const [kind, path] of Object.entries(RECIPE_CERTIFICATES)) {
    if (!out.includes(path)) continue;
    if (!certificates[kind]) throw new Error(`recipe ${name}: no ${kind} certificate for ${path}`);
    out = out.replaceAll(path, certificates[kind]);
  }
  return out;
}
