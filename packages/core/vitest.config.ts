import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Property tests run 10^4 cases or more: on a busy 2-core machine vitest's 5 s default
    // fails them for time, not for a counterexample.
    testTimeout: 60_000,
  },
});
