// Test runner settings: every test under test/, in forked processes (the engine's tests
// are CPU-bound and the CLI tests spawn `node`), two at a time to match a 2-core machine.
// No test may depend on the machine's speed: the suite must pass on a laptop kept busy by
// other work (scripts/test-under-load.sh), where everything takes several times longer. A
// test's timeout is therefore not a bound on its speed, only a guard against a hang: 10
// minutes, far past what any test takes on a loaded machine. Tests set none of their own.
//
// Two projects. "process" holds the tests that touch the process itself (spawn `seep`,
// workers or a sweep's pool, stub stdout or the environment, drive a browser: cli/, cloud/,
// notebooks/, lab/): each file in a fresh fork. "pure" holds the engine's, the simulator's and the workloads' tests,
// which are handed their clock, randomness and transport and keep no state between files:
// their files share a fork one after another (isolate: false), so that the engine is loaded
// once per fork rather than once per file (about half a second per file on 2 cores).

import { defineConfig } from "vitest/config";

/** Tests that touch the process: spawned programs, stubbed streams, environment, browser. */
const PROCESS = [
  "test/cli/**/*.test.ts",
  "test/cloud/**/*.test.ts",
  "test/notebooks/**/*.test.ts",
  "test/lab/**/*.test.ts",
  "test/package/**/*.test.ts",
];

/** Vitest configuration of the project. */
export default defineConfig({
  ssr: { resolve: { conditions: ["seep-source"] } },
  test: {
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: "forks",
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: "process", include: PROCESS } },
      {
        extends: true,
        test: { name: "pure", include: ["test/**/*.test.ts"], exclude: PROCESS, isolate: false },
      },
    ],
  },
});
