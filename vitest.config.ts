// Test runner settings: every test under test/, in forked processes (the engine's tests
// are CPU-bound and the CLI tests spawn `node`), two at a time to match a 2-core machine.
// No test may depend on the machine's speed: the suite must pass on a laptop kept busy by
// other work (scripts/test-under-load.sh), where everything takes several times longer. A
// test's timeout is therefore not a bound on its speed, only a guard against a hang: 10
// minutes, far past what any test takes on a loaded machine. Tests set none of their own.

import { defineConfig } from "vitest/config";

/** Vitest configuration of the project. */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
