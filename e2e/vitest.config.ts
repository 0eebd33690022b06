import { defineConfig } from "vitest/config";

/** End-to-end tests: real processes (wrangler dev, hosts) on loopback, driven by real clients. */
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One file at a time: each starts its own wrangler dev, and two cores are all there is.
    fileParallelism: false,
  },
});
