/**
 * What a run needs besides the proxies: a throwaway certificate on disk (made now, removed
 * with the run's temp dir), the app's policy for a recipe, and the readiness probe.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { send } from "./client.mjs";
import { recipe } from "./recipes.mjs";

const DEMO_POLICY = new URL("../../cookie-policy.json", import.meta.url);

/** The certificate and key as the recipes want them: apart (nginx, Apache) and in one file (HAProxy). */
export { writeCertificate as writeCertificates } from "@scope/test-support";

/**
 * The demo's policy file with the recipe's `production` profile in place of its own (the
 * docs' snippets are whole policy files: "keep your own defaults, sensitive and cookies
 * next to them"), written into `dir` for `--config`.
 */
export function writeRecipePolicy(dir, recipes, name) {
  const demo = JSON.parse(readFileSync(DEMO_POLICY, "utf8"));
  const { policy } = recipe(recipes, name, "json");
  if (!policy?.profiles?.production) throw new Error(`recipe ${name} has no production policy`);
  demo.profiles.production = policy.profiles.production;
  const path = join(dir, `policy-${name}.json`);
  writeFileSync(path, JSON.stringify(demo, null, 2));
  return path;
}

/**
 * Ready when every app answers through the deployment's ports (plain HTTP from 127.0.0.1,
 * HTTPS from 127.0.0.1 and, unless the deployment is IPv4 only, ::1) with less than 500.
 */
export const readyThrough = (deployment) => async (portsById) => {
  const probes = [];
  for (const ports of portsById.values()) {
    for (const address of deployment.ipv4Only ? ["127.0.0.1"] : ["127.0.0.1", "::1"]) {
      if (ports.http && address === "127.0.0.1") {
        probes.push(send({ scheme: "http", address, port: ports.http }, "GET", "/healthz"));
      }
      if (ports.https) {
        probes.push(send({ scheme: "https", address, port: ports.https }, "GET", "/healthz"));
      }
    }
  }
  const bad = (await Promise.all(probes)).find((answer) => answer.status >= 500);
  if (bad) throw new Error(`answered ${bad.status}: ${bad.body}`);
};
