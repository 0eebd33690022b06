import { defineConfig } from "vitest/config";

/**
 * The browser host and the simulator: pure logic, plus tests that drive real Chromium. The
 * timeouts are the outer bound for a slow, loaded 2-core machine running several Chromiums at
 * once; the waits inside a test have their own, shorter deadlines, so a failure names the wait.
 */
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
