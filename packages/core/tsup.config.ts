import { defineConfig } from "tsup";
import { baseConfig } from "../../tsup.base.js";

// splitting: the entries share one copy of the engine, so `instanceof PolicyLoadError`
// holds whichever entry (index, node, testing, cli) threw it.
export default defineConfig({
  ...baseConfig,
  splitting: true,
  entry: ["src/index.ts", "src/node.ts", "src/cli.ts", "src/testing.ts"],
});
