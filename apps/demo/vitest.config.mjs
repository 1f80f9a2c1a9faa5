import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.mjs", "bin/**/*.test.mjs", "test/**/*.test.mjs"],
    // The conformance suite starts its own servers: one test file at a time on 2 cores.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 300_000,
  },
});
