/**
 * fill(): a recipe's app address and ports are replaced where they stand, whatever ports
 * the run draws (a listen port that begins like the recipe's own app port included).
 */
import { describe, expect, it } from "vitest";
import { fill } from "./recipes.mjs";

const NGINX_LISTEN = [
  /listen (\d+);/g,
  (_, port) => `listen 127.0.0.1:${port === "80" ? "30009" : "?"};`,
];
const recipe = {
  name: "nginx-sample",
  config: "server {\n  listen 80;\n  location / { proxy_pass http://127.0.0.1:3000; }\n}\n",
};

describe("fill(recipe, run)", () => {
  it("puts the app's address and the run's port in, without mistaking one for the other", () => {
    const out = fill(recipe, {
      listen: NGINX_LISTEN,
      upstream: "127.0.0.1:45277",
      certificates: {},
    });
    expect(out).toContain("listen 127.0.0.1:30009;");
    expect(out).toContain("proxy_pass http://127.0.0.1:45277;");
  });

  it("names what it could not find when a recipe changed shape", () => {
    const moved = { ...recipe, config: recipe.config.replace("127.0.0.1:3000", "app:3000") };
    expect(() =>
      fill(moved, { listen: NGINX_LISTEN, upstream: "127.0.0.1:1", certificates: {} }),
    ).toThrow(/found no 127\.0\.0\.1:3000/);
  });
});
