import { defineConfig } from "vitest/config";

/** The browser host and the simulator: pure logic, plus tests that drive real Chromium. */
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
