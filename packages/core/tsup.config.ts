import { defineConfig } from "tsup";
import { baseConfig } from "../../tsup.base.js";

export default defineConfig({ ...baseConfig, entry: ["src/index.ts", "src/node.ts", "src/cli.ts", "src/testing.ts"] });
