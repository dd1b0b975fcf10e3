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
//
// Order: within each project, the files known to take longest start first (SLOWEST_FIRST),
// so that the two workers finish close together instead of one running a long file alone at
// the end. Vitest orders by the durations of its last run, which a fresh clone (CI) has not
// got; there it would order by file size, which says little about time.

import { relative } from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Tests that touch the process: spawned programs, stubbed streams, environment, browser. */
const PROCESS = [
  "test/cli/**/*.test.ts",
  "test/cloud/**/*.test.ts",
  "test/notebooks/**/*.test.ts",
  "test/lab/**/*.test.ts",
  "test/package/**/*.test.ts",
];

/**
 * The slowest test files, slowest first (measured: `vitest run --reporter=json` on 2 cores).
 * A hint for the order only: a file missing here, or in the wrong place, costs time, never a result.
 */
const SLOWEST_FIRST = [
  // process
  "test/cli/haTakeover.test.ts",
  "test/cloud/failureDuringReconfiguration.test.ts",
  "test/cloud/scaleOut.test.ts",
  "test/cloud/runScaling.test.ts",
  "test/cli/report.test.ts",
  "test/cli/run.test.ts",
  "test/cli/validateOnly.test.ts",
  "test/cloud/recovery.test.ts",
  "test/cli/chaos.test.ts",
  "test/cli/sim.test.ts",
  "test/cloud/reconfigurationAtBase.test.ts",
  "test/package/tarball.test.ts",
  "test/cli/sweep.test.ts",
  "test/cli/jobModule.test.ts",
  "test/cloud/localProcessPool.test.ts",
  // pure
  "test/sim/chaos/liveScaleOutAtBase.test.ts",
  "test/sim/chaos/integration.test.ts",
  "test/sim/chaos/reconfigurationAtBase.test.ts",
  "test/sim/chaos/failureDuringLiveScaleOut.test.ts",
  "test/sim/chaos/failureDuringScaleIn.test.ts",
  "test/workloads/linearRoad/generator.test.ts",
  "test/sim/chaos/failureDuringScaleOut.test.ts",
  "test/sim/chaos/failureDuringParallelRecovery.test.ts",
  "test/sim/coordinatorProcess.test.ts",
  "test/sim/faultTolerance.test.ts",
  "test/golden/reconfigurations.test.ts",
  "test/sim/scaleOut.test.ts",
  "test/sim/presets.test.ts",
  "test/workloads/linearRoad/runs.test.ts",
];

/** Vitest's order (project by project), with each project's SLOWEST_FIRST files moved to its front. */
class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOWEST_FIRST.indexOf(relative(f.project.config.root, f.moduleId));
      return i === -1 ? SLOWEST_FIRST.length : i;
    };
    const at = new Map(sorted.map((f, i) => [f, i]));
    // Projects stay in vitest's order, each in one run (the pure project's files share forks).
    const projectAt = new Map<string, number>();
    for (const f of sorted) if (!projectAt.has(f.project.name)) projectAt.set(f.project.name, projectAt.size);
    return [...sorted].sort(
      (a, b) =>
        projectAt.get(a.project.name)! - projectAt.get(b.project.name)! ||
        rank(a) - rank(b) ||
        at.get(a)! - at.get(b)!,
    );
  }
}

/** Vitest configuration of the project. */
export default defineConfig({
  ssr: { resolve: { conditions: ["seep-source"] } },
  test: {
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: "forks",
    maxWorkers: 2,
    sequence: { sequencer: SlowestFirst },
    projects: [
      { extends: true, test: { name: "process", include: PROCESS } },
      {
        extends: true,
        test: { name: "pure", include: ["test/**/*.test.ts"], exclude: PROCESS, isolate: false },
      },
    ],
  },
});
