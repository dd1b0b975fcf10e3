// Test runner settings: every test under test/, in forked processes (the engine's tests
// are CPU-bound and the CLI tests spawn `node`), two at a time to match a 2-core machine.

import { defineConfig } from "vitest/config";

/** Vitest configuration of the project. */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
