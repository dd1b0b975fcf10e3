// Fault tolerance in the simulator: for every strategy but `none`, a crash in the middle of
// a word count and of a Linear Road run gives exactly the failure-free output (the same
// output digest, which is order-sensitive within each (sink, key) stream), and `none`
// loses output. Every run prints its seed on failure through the test name.

import { describe, expect, it } from "vitest";
import { parseExperiment } from "../../sim/experiment.js";
import type { FaultSpec } from "../../sim/faults.js";
import { PRESETS } from "../../sim/presets.js";
import { Simulation } from "../../sim/simulation.js";
import { workloadPlan } from "../../workloads/index.js";
import { runLinearRoad, runWordCount } from "./fixtures.js";

function wordCount(strategy: string, faults: FaultSpec[], over: Record<string, unknown> = {}) {
  return runWordCount({ faultTolerance: { strategy, checkpointIntervalMs: 2000, ...over }, faults });
}

function linearRoad(strategy: string, faults: FaultSpec[]) {
  return runLinearRoad({ faultTolerance: { strategy, checkpointIntervalMs: 5000 }, faults });
}

describe("fault tolerance in the simulator (seed 7 word count, seed 3 Linear Road)", () => {
  const base = wordCount("none", []).summary;

  it("a failure-free run gives the same output under every strategy", () => {
    for (const s of ["rsm", "upstream-backup", "source-replay", "global-snapshot"]) {
      const r = wordCount(s, []).summary;
      expect(r.outputDigest, s).toBe(base.outputDigest);
      expect(r.recoveries).toEqual([]);
    }
  });

  it("none loses output when a VM crashes", () => {
    const r = wordCount("none", [{ type: "crash", vm: 3, atMs: 14_321 }]).summary;
    expect(r.failures).toHaveLength(1);
    expect(r.tuplesOut).toBeLessThan(base.tuplesOut);
    expect(r.outputDigest).not.toBe(base.outputDigest);
  });

  for (const strategy of ["rsm", "upstream-backup", "source-replay", "global-snapshot"]) {
    for (const vm of [0, 1, 2, 3]) {
      it(`${strategy}: a crash of VM ${vm} mid-run gives exactly the failure-free output`, () => {
        const { summary } = wordCount(strategy, [{ type: "crash", vm, atMs: 14_321 }]);
        expect(summary.failures).toHaveLength(1);
        expect(summary.outputDigest).toBe(base.outputDigest);
        expect(summary.tuplesOut).toBe(base.tuplesOut);
        const [rec] = summary.recoveries;
        expect(rec.failedAtMs).toBe(14_321);
        expect(rec.detectedAtMs).toBe(14_321 + 1500);
        expect(rec.restoredAtMs).toBeGreaterThan(rec.detectedAtMs);
        expect(rec.caughtUpAtMs).not.toBeNull();
        expect(rec.caughtUpAtMs!).toBeGreaterThan(rec.restoredAtMs!);
        // An output's time, to the microsecond as summaries round it (no longer a whole
        // metrics interval, so the difference is rounded as the summary rounds it).
        expect(rec.recoveryMs).toBe(Math.round((rec.caughtUpAtMs! - rec.failedAtMs) * 1000) / 1000);
        if (strategy === "source-replay") expect(rec.rolledBack.length).toBeGreaterThan(rec.instances.length);
      });
    }
  }

  for (const strategy of ["rsm", "upstream-backup"]) {
    it(`${strategy}: two VMs failing at once (an rsm backup dies with its holder) still give the failure-free output`, () => {
      for (const [a, b] of [
        [1, 3],
        [0, 2],
        [2, 3],
      ]) {
        const faults: FaultSpec[] = [
          { type: "crash", vm: a, atMs: 9_876 },
          { type: "crash", vm: b, atMs: 9_876 },
        ];
        const { summary } = wordCount(strategy, faults);
        expect(summary.outputDigest, `VMs ${a} and ${b}`).toBe(base.outputDigest);
      }
    });
  }

  it("rsm: a crash of the replacement VM during the recovery, and a crash during a checkpoint", () => {
    // VMs 0-3 are the cluster; the pool's first VM (4) is handed out to replace VM 1 once
    // the failure is detected (1.5 s) and crashes in turn just after the handout (5 s).
    const during = wordCount("rsm", [
      { type: "crash", vm: 1, atMs: 8_000 },
      { type: "crash", vm: 4, atMs: 8_000 + 1500 + 5000 + 2 },
    ]);
    expect(during.summary.failures.map((f) => f.vm)).toEqual([1, 4]);
    expect(during.summary.recoveries.length).toBeGreaterThanOrEqual(2);
    expect(during.summary.outputDigest).toBe(base.outputDigest);
    const checkpoint = wordCount("rsm", [{ type: "crash", vm: 3, atMs: 10_000 + 0.2 }]);
    expect(checkpoint.summary.outputDigest).toBe(base.outputDigest);
  });

  it("rsm: a crash while a partition holds one split's output (seed 735 of the chaos campaign)", () => {
    // The count's checkpoint is taken while the merge holds tuples of the partitioned
    // split; its channel watermark must not pass them, or the restored count closes a
    // window without them (found by `seep chaos wordcount --runs 1 --seed 735`).
    const run = (faults: FaultSpec[]) => {
      const e = parseExperiment(
        { ...PRESETS.wordcount, seed: 735, faultTolerance: { strategy: "rsm" }, faults },
        "t",
      );
      return new Simulation(e, workloadPlan("wordcount", e.workload.params, e.seed)).run();
    };
    const faulty = run([
      { type: "partition", atMs: 165_158, untilMs: 179_103, between: [[1], [0, 2, 3]] },
      { type: "crash", vm: 3, atMs: 178_694 },
    ]);
    expect(faulty.recoveries).toHaveLength(1);
    expect(faulty.outputDigest).toBe(run([]).outputDigest);
  });

  it("rsm with backups in the store recovers too", () => {
    const { summary } = wordCount("rsm", [{ type: "crash", vm: 2, atMs: 14_321 }], {
      backupPlacement: "store",
    });
    expect(summary.outputDigest).toBe(base.outputDigest);
  });

  it("rsm keeps output buffers bounded by the checkpoint interval; none keeps none", () => {
    const rsm = wordCount("rsm", []);
    const none = wordCount("none", []);
    const held = (sim: Simulation) => sim.runtime.hosts.reduce((n, h) => n + h.instance.bufferedTuples, 0);
    const sent = (sim: Simulation) => sim.runtime.hosts.reduce((n, h) => n + h.instance.emittedTuples, 0);
    expect(held(none.sim)).toBe(0);
    // Two intervals' worth at most, of a stream ten times longer.
    expect(held(rsm.sim)).toBeGreaterThan(0);
    expect(held(rsm.sim)).toBeLessThan(sent(rsm.sim) / 5);
    expect(rsm.sim.faultTolerance!.counts.acks).toBeGreaterThan(0);
  });

  it("upstream-backup trims buffers as far as the windows allow, and rebuilds from its marks", () => {
    const { sim } = wordCount("upstream-backup", []);
    const ft = sim.faultTolerance!;
    expect(ft.counts.backups).toBeGreaterThan(10);
    const held = sim.runtime.hosts.reduce((n, h) => n + h.instance.bufferedTuples, 0);
    const sent = sim.runtime.hosts.reduce((n, h) => n + h.instance.emittedTuples, 0);
    // The counts' windows are 4 s of a 30 s stream: their upstreams keep about that much.
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(sent / 3);
    const crashed = wordCount("upstream-backup", [{ type: "crash", vm: 2, atMs: 14_321 }]);
    expect(crashed.sim.faultTolerance!.counts.rebuilds).toBe(1);
    expect(crashed.summary.recoveries[0].rolledBack).toEqual([]);
    expect(crashed.summary.outputDigest).toBe(base.outputDigest);
  });

  it("upstream-backup: a crash of the replacement during the rebuild", () => {
    const during = wordCount("upstream-backup", [
      { type: "crash", vm: 1, atMs: 8_000 },
      { type: "crash", vm: 4, atMs: 8_000 + 1500 + 5000 + 2 },
    ]);
    expect(during.summary.recoveries.length).toBeGreaterThanOrEqual(2);
    expect(during.summary.outputDigest).toBe(base.outputDigest);
  });

  it("global-snapshot completes snapshots, trims buffers to them, and rolls back everything downstream", () => {
    const { sim } = wordCount("global-snapshot", []);
    const ft = sim.faultTolerance!;
    expect(ft.counts.snapshots).toBeGreaterThan(5);
    const held = sim.runtime.hosts.reduce((n, h) => n + h.instance.bufferedTuples, 0);
    const sent = sim.runtime.hosts.reduce((n, h) => n + h.instance.emittedTuples, 0);
    expect(held).toBeLessThan(sent / 5);
    const { summary } = wordCount("global-snapshot", [{ type: "crash", vm: 2, atMs: 14_321 }]);
    // VM 2 holds a split: both counts and the sink downstream of it roll back too.
    expect(summary.recoveries[0].instances).toEqual(["split#2"]);
    expect(summary.recoveries[0].rolledBack).toEqual(["split#2", "count#3", "count#4", "sink#5"]);
  });

  const lrbBase = linearRoad("none", []).summary;
  for (const strategy of ["rsm", "upstream-backup", "source-replay", "global-snapshot"]) {
    it(`${strategy}: a crash in the middle of a Linear Road run gives exactly the failure-free answers`, () => {
      for (const vm of [0, 1, 2]) {
        const { summary } = linearRoad(strategy, [{ type: "crash", vm, atMs: 75_000 }]);
        expect(summary.outputDigest, `VM ${vm}`).toBe(lrbBase.outputDigest);
        expect(summary.tuplesOut).toBe(lrbBase.tuplesOut);
      }
    });
  }

  it("none loses Linear Road answers when a VM crashes", () => {
    const { summary } = linearRoad("none", [{ type: "crash", vm: 1, atMs: 75_000 }]);
    expect(summary.tuplesOut).toBeLessThan(lrbBase.tuplesOut);
  });
});
