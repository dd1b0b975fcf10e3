// Issue 17's reproductions, each from its seed (seeds chosen outside the project): crashes
// after scale outs under rsm, a restore from a backup taken before its receivers were
// re-sliced, repeated crashes folding recoveries, a second failure after a parallel
// recovery. Each run is compared with the failure-free run of the same seed.

import { describe, expect, it } from "vitest";
import { loadBuiltinExperiment } from "../../../cli/experimentFile.js";
import { parseSetting } from "../../../cli/settings.js";
import { type ChaosRun, runChaos } from "../../../sim/chaos/campaign.js";
import { compareOutputs, OutputLog } from "../../../sim/chaos/outputComparison.js";
import type { Experiment } from "../../../sim/experiment.js";
import { Simulation } from "../../../sim/simulation.js";
import { workloadPlan } from "../../../workloads/index.js";
import { itEveryRunOrLong, itLong } from "../../support/longTests.js";

const planOf = (e: Experiment) => workloadPlan(e.workload.name, e.workload.params, e.seed);

function preset(name: string, seed: number, strategy: string, settings: readonly string[]): Experiment {
  const sets = [`faultTolerance.strategy=${strategy}`, ...settings].map(parseSetting);
  return loadBuiltinExperiment(name, { settings: sets, seed }).experiment;
}

function expectExact(run: ChaosRun): void {
  const detail = `seed ${run.seed} (${run.faults}): ${run.error ?? run.hang ?? ""}`;
  expect({ lost: run.lost, duplicated: run.duplicated, spurious: run.spurious }, detail).toEqual({
    lost: 0,
    duplicated: 0,
    spurious: 0,
  });
  expect(run.hang, detail).toBeNull();
  expect(run.error, detail).toBeNull();
  expect(run.passed, detail).toBe(true);
}

const SCHED =
  'scaling.scaleOuts=[{"operator":"count","index":0,"atMs":60000,"factor":2},{"operator":"count","index":1,"atMs":120000,"factor":1}]';
const POLICY = ["scaling.policy=threshold", "cost.operators.count.tupleUs=400"];

describe("crashes after scale outs under rsm end exact", () => {
  it("seed 424243: two VMs crash after both scheduled scale outs (a backup lost with its holder)", () => {
    expectExact(runChaos(preset("wordcount", 424243, "rsm", [SCHED]), planOf, 424243));
  });

  // Seed 8675314 in every run; the other two with the long tests.
  for (const seed of [8675314, 8675323, 8675338]) {
    itEveryRunOrLong(
      seed === 8675314,
      `seed ${seed}: crashes under the threshold policy's scale outs`,
      () => {
        expectExact(runChaos(preset("wordcount", seed, "rsm", POLICY), planOf, seed));
      },
    );
  }

  it("seed 8675327: an upstream restored from a backup taken before its receiver was split routes by the plan", () => {
    expectExact(runChaos(preset("wordcount", 8675327, "rsm", POLICY), planOf, 8675327));
  });

  itLong("seed 20261211: Linear Road, two scale outs, then two VMs crash", () => {
    const lrb = preset("lrb", 20261211, "rsm", [
      "workload.params.xways=2",
      'scaling.scaleOuts=[{"operator":"segments","index":0,"atMs":200000,"factor":2},{"operator":"accounts","index":1,"atMs":300000,"factor":2}]',
    ]);
    expectExact(runChaos(lrb, planOf, 20261211));
  });
});

/** The seeded run with `faults`, against its failure-free run: what differs, and whether it completed. */
function withFaults(e: Experiment, faults: unknown[]) {
  const baseLog = new OutputLog();
  const base = new Simulation({ ...e, faults: [] }, planOf(e), baseLog.add).run();
  const log = new OutputLog();
  const faulty = { ...e, faults, untilS: 3 * base.simulatedSeconds + 120 } as Experiment;
  const sim = new Simulation(faulty, planOf(faulty), log.add);
  const summary = sim.run();
  return { diff: compareOutputs(baseLog, log), completed: sim.completed, stalled: summary.stalled };
}

/** `withFaults`'s run completed with exactly the failure-free output (`what` names it on failure). */
function expectCompletedExact(r: ReturnType<typeof withFaults>, what: string): void {
  expect({ ...r.diff, completed: r.completed }, what).toEqual({
    lost: 0,
    duplicated: 0,
    spurious: 0,
    reordered: 0,
    completed: true,
  });
}

describe("repeated crashes fold recoveries and end exact", () => {
  const crashes = [{ type: "randomCrashes", perVmPerHour: 20 }];
  // rsm and upstream-backup in every run; source-replay and global-snapshot with the long tests.
  for (const strategy of ["rsm", "upstream-backup", "source-replay", "global-snapshot"]) {
    itEveryRunOrLong(
      strategy === "rsm" || strategy === "upstream-backup",
      `seed 8675309 under ${strategy}: randomCrashes at 20 per VM-hour`,
      () => {
        expectCompletedExact(
          withFaults(preset("wordcount", 8675309, strategy, []), crashes),
          `seed 8675309, ${strategy}`,
        );
      },
    );
  }

  // Two VMs crash, then random crashes and a straggler: the rolled-back split's backup
  // (taken before its receiver rolled back) was restored later, trimmed for the
  // receiver's old position, and the receiver asked it for seq 1 onward forever.
  const mixed = [
    { type: "crash", vm: 1, atMs: 40000 },
    { type: "crash", vm: 2, atMs: 41000 },
    ...crashes,
    { type: "straggler", vm: 3, atMs: 50000, untilMs: 70000, speedFactor: 0.3 },
  ];
  it("seed 8675309 under rsm: a rolled-back instance forgets its backup (crashes, random crashes, a straggler)", () => {
    expectCompletedExact(withFaults(preset("wordcount", 8675309, "rsm", []), mixed), "seed 8675309, rsm");
  });

  it("seed 20261206 under rsm with parallelRecovery 2: a restored receiver forgets the replaced sender", () => {
    const e = preset("wordcount", 20261206, "rsm", ["faultTolerance.parallelRecovery=2"]);
    expectCompletedExact(withFaults(e, crashes), "seed 20261206");
  });
});
