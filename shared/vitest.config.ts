import { defineConfig } from "vitest/config";

/** Pure logic of the shared package, run in Node. */
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["test/**/*.test.ts"],
  },
});
