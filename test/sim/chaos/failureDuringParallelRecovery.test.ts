// A failure during a parallel recovery under rsm (issue 17) folds into the recovery: while
// the failed instance's receivers are probed it is given up (they take its channel again)
// and the instance is recovered as one with the others; from the deploy on it completes
// without the failed instances, which are recovered afterwards in the plan it made (a part
// from its share of the checkpoint, with the receivers' cuts it suppresses; when the
// instance's backup holder failed, the parts come from the coordinator's copy). Every run
// is compared with the failure-free run of the same seed. Seed 7: count#3 (VM 3) crashes
// at 50 s, is detected at 51.5 s and probed at once; its two parts' VMs come 5 s later.

import { describe, expect, it } from "vitest";
import { loadBuiltinExperiment } from "../../../cli/experimentFile.js";
import { parseSetting } from "../../../cli/settings.js";
import { runChaos } from "../../../sim/chaos/campaign.js";
import { itEveryRunOrLong } from "../../support/longTests.js";
import { planOf, withFaultsAgainstFailureFree } from "./againstFailureFree.js";

const experiment = (seed: number) =>
  loadBuiltinExperiment("wordcount", {
    settings: ["faultTolerance.strategy=rsm", "faultTolerance.parallelRecovery=2"].map(parseSetting),
    seed,
  }).experiment;

const SEED = 7;
const SWEPT = experiment(SEED);

function crashes(second: { vm: number; atMs: number }) {
  const faults = [
    { type: "crash", vm: 3, atMs: 50_000 },
    { type: "crash", ...second },
  ];
  const { diff, completed, sim } = withFaultsAgainstFailureFree(SWEPT, faults);
  return { exact: { ...diff, completed }, counts: sim.faultTolerance!.counts };
}

const EXACT = { lost: 0, duplicated: 0, spurious: 0, reordered: 0, completed: true };

describe("a crash during a parallel recovery under rsm ends exact (seed 7)", () => {
  // [what, second VM, its crash time, parallel recoveries completed, given up]
  const cases: [string, number, number, number, number][] = [
    [
      "an upstream and the sink, while the receivers are probed: given up, recovered as one",
      1,
      50_000.3,
      0,
      1,
    ],
    [
      "the backup's holder, while the parts' VMs come: the parts from the coordinator's copy",
      2,
      53_000,
      1,
      0,
    ],
    ["an upstream and the sink, while the upstreams pause to re-slice", 1, 56_500, 1, 0],
    ["a part, as it starts: recovered in parallel in turn, still suppressing X's cut", 5, 56_501, 2, 0],
  ];
  for (const [what, vm, atMs, parallel, givenUp] of cases) {
    it(`${what}: VM ${vm} at ${atMs} ms`, () => {
      const r = crashes({ vm, atMs });
      expect(r.exact, `seed ${SEED}, VM ${vm} at ${atMs}`).toEqual(EXACT);
      expect([r.counts.parallelRecoveries, r.counts.parallelFallbacks]).toEqual([parallel, givenUp]);
    });
  }
});

describe("chaos seeds with parallelRecovery 2 under rsm", () => {
  for (const [seed, what] of [
    [20261274, "a crash during the recovery of a first one"],
    [20261287, "a crash behind a partition, whose last backup never reached its holder"],
  ] as const) {
    // Seed 20261287 in every run; the other with the long tests.
    itEveryRunOrLong(seed === 20261287, `seed ${seed}: ${what}`, () => {
      const run = runChaos(experiment(seed), planOf, seed);
      const detail = `seed ${seed} (${run.faults}): ${run.error ?? run.hang ?? ""}`;
      expect(
        { lost: run.lost, duplicated: run.duplicated, hang: run.hang, error: run.error },
        detail,
      ).toEqual({
        lost: 0,
        duplicated: 0,
        hang: null,
        error: null,
      });
      expect(run.passed, detail).toBe(true);
    });
  }
});
