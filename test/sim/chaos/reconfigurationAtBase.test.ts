// Reconfigurations under global-snapshot and source-replay (issue 17): each begins at a
// quiescent base of the whole plan (engine/reconfiguration/quiescentBase.ts), which every
// later restart begins from. A failure before the reconfiguration's cut gives it up (the
// sources resume, the strategy goes on as before); after it, the reconfiguration completes
// and the recovery restarts from the base. Every run is compared with the failure-free run
// of the same seed, itself compared with a run that never scales. Seed 7 on four VMs:
// lines#0 and count#4 on VM 0, split#1 and the sink on VM 1, split#2 on VM 2, count#3 on
// VM 3. The split of count#3 at 60 s gets its VM at 65 s: the base is taken from 65,000 to
// 65,002.5 ms, the cut at 65,003, the restore until 65,004.3, the resume at 65,004.8.

import { describe, it } from "vitest";
import { loadExperiment } from "../../../cli/experimentFile.js";
import { parseSetting } from "../../../cli/settings.js";
import { expectCrashEndsExact, expectSameOutputAs } from "./againstFailureFree.js";

const SEED = 7;
const SCALE_OUT = 'scaling.scaleOuts=[{"operator":"count","index":0,"atMs":60000,"factor":2}]';
const SCALE_IN = 'scaling.scaleIns=[{"operator":"count","index":0,"atMs":60000}]';

const experimentOf = (strategy: string, scaling: string) =>
  loadExperiment("wordcount", {
    settings: [`faultTolerance.strategy=${strategy}`, scaling].map(parseSetting),
    seed: SEED,
  }).experiment;

for (const strategy of ["global-snapshot", "source-replay"]) {
  describe(`reconfigurations under ${strategy} (seed 7)`, () => {
    const scaleOut = experimentOf(strategy, SCALE_OUT);
    const scaleIn = experimentOf(strategy, SCALE_IN);

    it("without failures give the output of a run that never scales", () => {
      const plain = { ...scaleOut, scaling: { ...scaleOut.scaling, scaleOuts: [] } };
      for (const e of [scaleOut, scaleIn]) expectSameOutputAs(plain, e);
    });

    // [what, experiment, VM, crash time, how the reconfiguration ends]
    const cases: [string, typeof scaleOut, number, number, RegExp | null][] = [
      ["the source, while the base is taken", scaleOut, 0, 65_000.3, /^given up while basing/],
      ["the instance split, while the base is taken", scaleOut, 3, 65_001.2, /^given up while basing/],
      ["the instance split, while it is restored from its part", scaleOut, 3, 65_003.7, null],
      ["an upstream and the sink, as the upstreams resume", scaleOut, 1, 65_004.5, null],
      ["an upstream, after the scale out", scaleOut, 2, 66_000, null],
      ["an instance the scale out made, later", scaleOut, 3, 70_000, null],
      [
        "the merged-away instance and the source, while the base is taken",
        scaleIn,
        0,
        60_001,
        /^given up while basing/,
      ],
      ["the instance that stays, after the scale in", scaleIn, 3, 61_000, null],
      ["the source with the merged-away instance's VM, after the scale in", scaleIn, 0, 62_000, null],
    ];
    for (const [what, e, vm, atMs, givenUp] of cases) {
      it(`${what}: crash of VM ${vm} at ${atMs} ms ends exact`, () => {
        expectCrashEndsExact(e, vm, atMs, givenUp);
      });
    }
  });
}
