import { defineConfig } from "tsup";
import { baseConfig } from "../../tsup.base.js";

export default defineConfig({
  ...baseConfig,
  entry: ["src/index.ts", "src/node.ts", "src/custom-server.ts"],
  // The framework stays the app's own copy (peer dependency).
  external: ["next", /^next\//],
});
