// Reconfigurations under global-snapshot and source-replay (issue 17): each begins at a
// quiescent base of the whole plan (engine/reconfiguration/quiescentBase.ts), which every
// later restart begins from. A failure before the reconfiguration's cut gives it up (the
// sources resume, the strategy goes on as before); after it, the reconfiguration completes
// and the recovery restarts from the base. Every run is compared with the failure-free run
// of the same seed, itself compared with a run that never scales. The chaos tests' small
// word count (20 s), seed 7, on four VMs: lines#0 and count#4 on VM 0, split#1 and the
// sink on VM 1, split#2 on VM 2, count#3 on VM 3. The split of count#3 at 8 s gets its VM
// at 9 s: the base is taken from 9,000 to 9,002.5 ms, the cut at 9,003, the restore until
// 9,004.3, the resume at 9,004.8; the scale in of count#3 and count#4 at 8 s is over at
// 8,004.8 ms. Failures are detected 0.5 s after the crash.

import { describe, it } from "vitest";
import { loadExperiment } from "../../../cli/experimentFile.js";
import { parseSetting } from "../../../cli/settings.js";
import { runChaos } from "../../../sim/chaos/campaign.js";
import { ALL_FAULT_KINDS } from "../../../sim/chaos/faultKinds.js";
import { parseExperiment } from "../../../sim/experiment.js";
import {
  expectChaosRunPassed,
  expectCrashEndsExact,
  expectSameOutputAs,
  planOf,
} from "./againstFailureFree.js";
import { SMALL_WORD_COUNT } from "./smallWordCount.js";

const SEED = 7;
const SCALE_OUT = { scaleOuts: [{ operator: "count", index: 0, atMs: 8000, factor: 2 }] };
const SCALE_IN = { scaleIns: [{ operator: "count", index: 0, atMs: 8000 }] };

const experimentOf = (strategy: string, scaling: object) =>
  parseExperiment(
    {
      name: "reconfiguration-at-base",
      seed: SEED,
      ...SMALL_WORD_COUNT,
      cluster: { vms: 4 },
      faultTolerance: { strategy, checkpointIntervalMs: 2000, detectionMs: 500 },
      scaling,
    },
    "test",
  );

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
      ["the source, while the base is taken", scaleOut, 0, 9_000.3, /^given up while basing/],
      ["the instance split, while the base is taken", scaleOut, 3, 9_001.2, /^given up while basing/],
      ["the instance split, while it is restored from its part", scaleOut, 3, 9_003.7, null],
      ["an upstream and the sink, as the upstreams resume", scaleOut, 1, 9_004.5, null],
      ["an upstream, after the scale out", scaleOut, 2, 10_000, null],
      ["an instance the scale out made, later", scaleOut, 3, 12_000, null],
      [
        "the merged-away instance and the source, while the base is taken",
        scaleIn,
        0,
        8_001,
        /^given up while basing/,
      ],
      ["the instance that stays, after the scale in", scaleIn, 3, 9_000, null],
      ["the source with the merged-away instance's VM, after the scale in", scaleIn, 0, 10_000, null],
    ];
    for (const [what, e, vm, atMs, givenUp] of cases) {
      it(`${what}: crash of VM ${vm} at ${atMs} ms ends exact`, () => {
        expectCrashEndsExact(e, vm, atMs, givenUp);
      });
    }
  });
}

describe("reconfigurations drawn from the seed under source-replay, with crashes (chaos seeds, --draw-scaling --kinds all)", () => {
  const sourceReplay = () =>
    loadExperiment("wordcount", {
      settings: [parseSetting("faultTolerance.strategy=source-replay")],
      seed: 1,
    }).experiment;

  // Two VMs crash at 36.9 s and the whole plan restarts from the start of the stream; the
  // recovery waits 100 s for a cold VM. The migration and the scale in, due at 50.4 s and
  // 55.9 s, came once the replacements were restored, while the sink re-made output that
  // had already left: the merged count numbered it anew and the sinks' ledger let it out
  // again (168 duplicated). A reconfiguration now waits until no sink is ahead of itself.
  it("seed 20264393: a scale in and a migration while the sink re-makes what already left", () => {
    const run = runChaos(sourceReplay(), planOf, 20264393, ALL_FAULT_KINDS, true);
    expectChaosRunPassed(run);
  });

  // The same two VMs crash at 12.2 s; the sink survives, and the scale in due at 84.1 s
  // comes as the counts, restarted from the start of the stream, re-send what the sink
  // already has: merged, one count would number the other's output anew (48 duplicated).
  // The base sees a sender behind its receiver and gives the scale in up.
  it("seed 20264503: a scale in while the restarted counts re-send what the sink has", () => {
    const run = runChaos(sourceReplay(), planOf, 20264503, ALL_FAULT_KINDS, true);
    expectChaosRunPassed(run);
  });
});
