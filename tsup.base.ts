import type { Options } from "tsup";

/** One build shape for every package: ESM + CJS + declarations, Node 20 target. */
export const baseConfig: Options = {
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  splitting: false,
  treeshake: true,
};
