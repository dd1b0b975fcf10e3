// Reconfigurations under upstream-backup, global-snapshot and source-replay (issue 17): each begins at a
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

import { describe, expect, it } from "vitest";
import { loadBuiltinExperiment } from "../../../cli/experimentFile.js";
import { parseSetting } from "../../../cli/settings.js";
import { runChaos } from "../../../sim/chaos/campaign.js";
import { ALL_FAULT_KINDS } from "../../../sim/chaos/faultKinds.js";
import { parseExperiment } from "../../../sim/experiment.js";
import { itLong } from "../../support/longTests.js";
import {
  expectChaosRunPassed,
  expectCrashEndsExact,
  expectSameOutputAs,
  planOf,
  withFaultsAgainstFailureFree,
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

for (const strategy of ["upstream-backup", "global-snapshot", "source-replay"]) {
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

// With 8 s windows the counts' marks after the base (every 2 s) have a horizon of 8 s,
// before the base at 9 s: a rebuild from the initial state would miss what the upstreams
// trimmed at the base (15 counts lost and 15 wrong when VM 3 crashes at 12 s, 24 and 24
// for VM 0 at 12.5 s).
describe("under upstream-backup the base takes the initial state's place (seed 7, 8 s windows, the split of count#3 at 8 s)", () => {
  const base = experimentOf("upstream-backup", SCALE_OUT);
  const e = parseExperiment(
    {
      ...base,
      workload: { ...base.workload, params: { ...base.workload.params, windowSizeMs: 8000 } },
    },
    "test",
  );
  const crash = (vm: number, atMs: number) => {
    const { diff, completed, sim } = withFaultsAgainstFailureFree(e, [{ type: "crash", vm, atMs }]);
    expect({ ...diff, completed }, `VM ${vm} at ${atMs} ms`).toEqual({
      lost: 0,
      duplicated: 0,
      spurious: 0,
      reordered: 0,
      completed: true,
    });
    return sim.faultTolerance!.counts;
  };

  // count#3, and count#4 (on VM 0 with the source), took marks after the base: each is rebuilt to its mark, from the base.
  it("an instance with a mark after the base is rebuilt to it from the base", () => {
    expect(crash(3, 12_000).rebuilds).toBe(1);
    expect(crash(0, 12_500).rebuilds).toBe(1);
  });

  // VM 0 (the source and count#4) crashes at 7 s, before the split (2 s windows): both are
  // rebuilt to their marks, and the source, whose mark has no inputs, reports `rebuilt` at
  // once. (It did not at first, and the split, and every reconfiguration after it, waited
  // for the end of the run.)
  it("a rebuilt source does not hold back the reconfigurations after it", () => {
    const { diff, sim } = withFaultsAgainstFailureFree(base, [{ type: "crash", vm: 0, atMs: 7_000 }]);
    expect(diff).toEqual({ lost: 0, duplicated: 0, spurious: 0, reordered: 0 });
    expect(sim.faultTolerance!.counts.rebuilds).toBe(2);
    expect(sim.scaleOuts[0].completedAtMs).not.toBeNull();
  });

  // split#2 has no mark past the base that its receivers have trimmed for yet: it is restored from the base.
  it("an instance without a mark after the base is restored from the base", () => {
    expect(crash(2, 12_000).rebuilds).toBe(0);
  });
});

describe("reconfigurations drawn from the seed under upstream-backup, with crashes (chaos seeds, --draw-scaling --kinds all)", () => {
  const upstreamBackup = () =>
    loadBuiltinExperiment("wordcount", {
      settings: [parseSetting("faultTolerance.strategy=upstream-backup")],
      seed: 1,
    }).experiment;

  // VM 2 crashes at 115.3 s and VM 0 (the source with it) at 119.3 s; the recovery waits
  // 100 s for a cold VM and rebuilds split#2 and count#4 to their marks from the base of
  // the split at 78.6 s. The scale in due at 119.8 s came just after the restore, while the
  // two were still rebuilding: its base paused the source they needed to reach their marks,
  // and waited for their checkpoints, which wait for the marks (hung, 900 lost). A
  // reconfiguration now waits until every rebuilt instance has reported `rebuilt`.
  itLong("seed 20270142: a scale in while instances are rebuilt to their marks", () => {
    expectChaosRunPassed(runChaos(upstreamBackup(), planOf, 20270142, ALL_FAULT_KINDS, true));
  });

  // count#6, made by a split at 45.2 s and merged back 15 ms later, lingers on the sink's VM,
  // which crashes at 55.1 s; the sink is rebuilt (restored at 156.6 s, after a cold start)
  // and asks count#6 for what it keeps while count#6 is still down; count#6 comes back at
  // 160.8 s from its checkpoint at the cut. Nobody asked it again, and the sink's channel
  // from it held its event time at -Infinity (stalled, 1,500 lost). A redeployed lingering
  // instance now re-sends every receiver what it keeps, with the end of its streams.
  it("seed 20270779: a lingering instance back from a crash re-sends a rebuilding receiver what it keeps", () => {
    expectChaosRunPassed(runChaos(upstreamBackup(), planOf, 20270779, ALL_FAULT_KINDS, true));
  });
});

describe("Linear Road's scale ins drawn from the seed under upstream-backup, with crashes (chaos seeds, xways 2)", () => {
  const lrb = () =>
    loadBuiltinExperiment("lrb", {
      settings: ["faultTolerance.strategy=upstream-backup", "workload.params.xways=2"].map(parseSetting),
      seed: 1,
    }).experiment;

  // cars#2 merges into cars#1 at 205.0 s; the base before it found segments#3 with tuples
  // of both held back by its merge (received, not processed): its checkpoint is at 15,605
  // and 15,711, cars#1 and cars#2 had sent it 15,755 and 15,829. VM 0 (the source,
  // segments#3, accounts#6) crashes 837 ms into the scale in; restored from the base,
  // segments#3 asks cars#2, retired for good, for what follows 15,711: nobody has it (1,082
  // answers lost, 1,028 wrong; source-replay lost 1,634 the same way). The merged-away
  // instance now lingers under a base too, until a base covers the end of its streams.
  itLong(
    "seed 20270318: a receiver restored from a base asks the merged-away instance for what its merge held",
    () => {
      expectChaosRunPassed(runChaos(lrb(), planOf, 20270318, ALL_FAULT_KINDS, true));
    },
  );

  // VMs 1 and 3 crash at 408 s and 415 s, long after the scale in of cars at 289 s;
  // segments#4 is rebuilt from the base and asks the lingering cars#2 for what it keeps. Its
  // answer carried cars#2's event time, not the end of its streams, and held segments#4's
  // event time back for ever (stalled, 84,484 lost). A lingering instance's replay of what
  // it keeps now ends its streams again.
  it("seed 20270312: a rebuild from the base hears the end of a lingering sender's streams", () => {
    expectChaosRunPassed(runChaos(lrb(), planOf, 20270312, ALL_FAULT_KINDS, true));
  });
});

describe("reconfigurations drawn from the seed under source-replay, with crashes (chaos seeds, --draw-scaling --kinds all)", () => {
  const sourceReplay = () =>
    loadBuiltinExperiment("wordcount", {
      settings: [parseSetting("faultTolerance.strategy=source-replay")],
      seed: 1,
    }).experiment;

  // Two VMs crash at 36.9 s and the whole plan restarts from the start of the stream; the
  // recovery waits 100 s for a cold VM. The migration and the scale in, due at 50.4 s and
  // 55.9 s, came once the replacements were restored, while the sink re-made output that
  // had already left: the merged count numbered it anew and the sinks' ledger let it out
  // again (168 duplicated). A reconfiguration now waits until no sink is ahead of itself.
  itLong("seed 20264393: a scale in and a migration while the sink re-makes what already left", () => {
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
