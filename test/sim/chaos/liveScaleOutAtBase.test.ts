// A live scale out under the strategies that restart from a state of the whole plan
// (global-snapshot, upstream-backup, source-replay): the state moves while the plan runs,
// and the quiescent base those strategies need for any reconfiguration is taken only at
// the hand-over (engine/elasticity/liveScaleOut.ts). A failure before the split instance
// retires gives the scale out up, base and all, and the recovery works on the plan as it
// was; after it, the new instances' entries in the base are their parts with the retired
// instance's cut, and its receivers' entries are sealed once the end of its streams is in. Every run is
// compared with the failure-free run of the same seed, itself compared with a run that
// never scales. Seed 7: the first count instance (id 3, VM 3) is split at 60 s; its new
// instances' VMs come after 5 s; the base is taken at 65,002 ms and the hand-over is over
// 5 ms later; failures are detected 1.5 s after the crash. VM 1 hosts a split and the sink.

import { describe, expect, it } from "vitest";
import { loadBuiltinExperiment } from "../../../cli/experimentFile.js";
import { parseSetting } from "../../../cli/settings.js";
import { runChaos } from "../../../sim/chaos/campaign.js";
import { RECONFIGURATION_KINDS } from "../../../sim/chaos/faultKinds.js";
import { compareOutputs, OutputLog } from "../../../sim/chaos/outputComparison.js";
import { Simulation } from "../../../sim/simulation.js";
import { itEveryRunOrLong } from "../../support/longTests.js";
import {
  expectChaosRunPassed,
  failureFreeRun,
  liveThresholdWordCount,
  planOf,
  withFaultsAgainstFailureFree,
} from "./againstFailureFree.js";

const SEED = 7;
const SCALE = 'scaling.scaleOuts=[{"operator":"count","index":0,"atMs":60000,"factor":2}]';
const BASED = ["global-snapshot", "upstream-backup", "source-replay"] as const;

for (const strategy of BASED) {
  const experiment = loadBuiltinExperiment("wordcount", {
    settings: [`faultTolerance.strategy=${strategy}`, "scaling.stateTransfer=live", SCALE].map(parseSetting),
    seed: SEED,
  }).experiment;

  describe(`a live scale out under ${strategy} (seed ${SEED})`, () => {
    it("without failures gives the output of a run that never scales, pausing the plan only at the hand-over", () => {
      const plainExperiment = { ...experiment, scaling: { ...experiment.scaling, scaleOuts: [] } };
      const plain = new OutputLog();
      new Simulation(plainExperiment, planOf(plainExperiment), plain.add).run();
      const base = failureFreeRun(experiment);
      expect(compareOutputs(plain, base.log)).toEqual({ lost: 0, duplicated: 0, spurious: 0, reordered: 0 });
      const [so] = base.summary.scaleOuts;
      // The new instances are current before anything pauses: the base comes 5 s after the
      // request (their VMs), and the plan is paused for milliseconds.
      expect(so.pausedAtMs! - so.requestedAtMs).toBeGreaterThanOrEqual(5000);
      expect(so.completedAtMs! - so.pausedAtMs!).toBeLessThan(50);
    });

    // [what, VM, crash time, how the scale out ends]
    const cases: [string, number, number, RegExp | null][] = [
      ["the instance split, while it snapshots", 3, 64_000, /^given up while snapshotting/],
      ["an upstream (and the sink), while the base is taken", 1, 65_003, /^given up while basing/],
      // The split instance has retired and lingers; the sink is recovered in the new plan.
      ["an upstream and the sink, after the hand-over", 1, 66_000, null],
      ["a new instance, after the hand-over", 4, 70_000, null],
    ];
    for (const [what, vm, atMs, givenUp] of cases) {
      it(`${what}: crash of VM ${vm} at ${atMs} ms ends exact`, () => {
        const r = withFaultsAgainstFailureFree(experiment, [{ type: "crash", vm, atMs }]);
        expect(
          { ...r.diff, completed: r.completed },
          `${strategy}, seed ${SEED}, VM ${vm} at ${atMs}`,
        ).toEqual({
          lost: 0,
          duplicated: 0,
          spurious: 0,
          reordered: 0,
          completed: true,
        });
        const [so] = r.sim.scaleOuts;
        if (givenUp === null) {
          expect(so.refused).toBeNull();
          expect(so.completedAtMs).not.toBeNull();
        } else {
          expect(so.refused).toMatch(givenUp);
          expect(so.completedAtMs).toBeNull();
        }
      });
    }
  });
}

describe("live scale outs by the threshold policy, with crashes (chaos seeds)", () => {
  // [strategy, seed, crashes aimed at reconfigurations]
  const cases: [string, number, boolean, string][] = [
    ["global-snapshot", 7, true, "crashes aimed at the scale outs"],
    ["source-replay", 11, true, "crashes aimed at the scale outs"],
    // The sink, rebuilt from its entry in the base of the third scale out, waited forever for
    // the end of the retired instance's stream, which that entry preceded, before the
    // instance lingered and the receivers' entries were sealed.
    ["upstream-backup", 6, true, "a split, the sink and a new instance crash after a hand-over"],
    // The retired instance lingered until the next base (none came) and was lost with its
    // VM: the rebuilt sink waited for it, before the receivers' entries were sealed (and a
    // lingering instance was redeployed only from a cut it did not have).
    ["upstream-backup", 11, false, "the sink's VM and the retired instance's VM crash together"],
  ];
  // upstream-backup seed 11 in every run (the seal's regression); the others with the long tests.
  for (const [strategy, seed, aimed, what] of cases) {
    itEveryRunOrLong(
      strategy === "upstream-backup" && seed === 11,
      `${strategy}, seed ${seed}: ${what}`,
      () => {
        const experiment = liveThresholdWordCount(strategy, seed);
        expectChaosRunPassed(runChaos(experiment, planOf, seed, aimed ? RECONFIGURATION_KINDS : undefined));
      },
    );
  }
});
