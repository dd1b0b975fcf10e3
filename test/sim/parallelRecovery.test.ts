// Parallel recovery in the simulator (engine/faultTolerance/parallelRecovery.ts): a failed
// count (or Linear Road) instance recovered onto k new instances gives exactly the output
// of the failure-free run of the same seed, wherever the crash falls between checkpoints,
// with its backup upstream or in the store; when output sent before the checkpoint is
// still in flight at the crash, it is recovered as one instance instead, still exactly.

import { describe, expect, it } from "vitest";
import { parseExperiment } from "../../sim/experiment.js";
import { Simulation } from "../../sim/simulation.js";
import { workloadPlan } from "../../workloads/index.js";
import { runLinearRoad } from "./fixtures.js";

/** A word count with much output (windows of 1 s sliding by 0.1 s), seed 1; count#3 alone on VM 3. */
function wordCount(over: Record<string, unknown>, network: Record<string, unknown> = {}) {
  const e = parseExperiment(
    {
      name: "wc",
      seed: 1,
      workload: {
        name: "wordcount",
        params: {
          lines: 12_000,
          lineIntervalMs: 1,
          windowSizeMs: 1000,
          windowSlideMs: 100,
          parallelism: 2,
          vocabularySize: 500,
        },
      },
      cluster: { vms: 4 },
      network,
      fidelity: { batchSize: 256, sourcePollMs: 20 },
      pool: { handoutMs: 300 },
      ...over,
    },
    "test",
  );
  const sim = new Simulation(e, workloadPlan("wordcount", e.workload.params, e.seed));
  const summary = sim.run();
  return { summary, counts: sim.faultTolerance?.counts, plan: sim.physicalPlan! };
}

describe("parallel recovery (word count seed 1, Linear Road seed 3)", () => {
  const base = wordCount({}).summary;

  for (const [backupPlacement, k] of [
    ["upstream", 2],
    ["store", 3],
  ] as const) {
    it(`k=${k}, backup ${backupPlacement}: crashes anywhere between checkpoints give the failure-free output`, () => {
      for (const atMs of [5_003, 5_418, 5_871]) {
        const { summary, counts, plan } = wordCount({
          faultTolerance: {
            strategy: "rsm",
            checkpointIntervalMs: 1000,
            parallelRecovery: k,
            backupPlacement,
            detectionMs: 0,
          },
          faults: [{ type: "crash", vm: 3, atMs }],
        });
        expect(counts!.parallelRecoveries, `crash at ${atMs}`).toBe(1);
        expect(summary.outputDigest, `crash at ${atMs}`).toBe(base.outputDigest);
        expect(summary.tuplesOut).toBe(base.tuplesOut);
        // The failed instance is gone from the plan; its k parts took its key groups.
        const count = plan.logical.operators.findIndex((o) => o.name === "count");
        expect(plan.instances.filter((s) => s.operator === count)).toHaveLength(1 + k);
        expect(summary.recoveries[0].restoredAtMs).not.toBeNull();
      }
    });
  }

  it("output still in flight from before the checkpoint: recovered as one instance, exactly", () => {
    // 40 ms links, a checkpoint at 5 s, the crash 3 ms later: the count's last output before
    // its checkpoint has not reached the sink, so the parts could not regenerate it.
    const slow = { latencyMs: 40 };
    const slowBase = wordCount({}, slow).summary;
    const { summary, counts } = wordCount(
      {
        faultTolerance: {
          strategy: "rsm",
          checkpointIntervalMs: 1000,
          parallelRecovery: 2,
          backupPlacement: "store",
          detectionMs: 0,
        },
        faults: [{ type: "crash", vm: 3, atMs: 5_003 }],
      },
      slow,
    );
    expect(counts!.parallelFallbacks).toBe(1);
    expect(counts!.parallelRecoveries).toBe(0);
    expect(summary.outputDigest).toBe(slowBase.outputDigest);
  });

  it("Linear Road: a cars, segments or accounts instance recovered onto 2 gives the failure-free output", () => {
    // One instance a VM: records 0, cars 1-2, segments 3-4, accounts 5-6, answers 7.
    const run = (over: Record<string, unknown>) => {
      const { sim, summary } = runLinearRoad({ cluster: { vms: 8 }, pool: { handoutMs: 500 }, ...over });
      return { summary, counts: sim.faultTolerance?.counts };
    };
    const lrBase = run({}).summary;
    for (const vm of [2, 6]) {
      const { summary, counts } = run({
        faultTolerance: { strategy: "rsm", checkpointIntervalMs: 5000, parallelRecovery: 2 },
        faults: [{ type: "crash", vm, atMs: 61_234 }],
      });
      expect(counts!.parallelRecoveries, `VM ${vm}`).toBe(1);
      expect(summary.outputDigest, `VM ${vm}`).toBe(lrBase.outputDigest);
    }
  });

  it("a VM that hosted several instances: each keyed one whose receivers survived goes onto 2, after the others run again", () => {
    // On four VMs: records 0 and segments 4 on VM 0, cars 1 and accounts 5 on VM 1,
    // segments 3 and answers 7 on VM 3. Segments 3 lost its receiver with it: recovered as
    // one (its parts' output would reach the restored answers again); so is cars 1, which
    // sends to accounts 5 too.
    const run = (over: Record<string, unknown>) => {
      const { sim, summary } = runLinearRoad({
        cluster: { vms: 4 },
        pool: { handoutMs: 500, prewarmed: 6 },
        ...over,
      });
      return { summary, counts: sim.faultTolerance?.counts, plan: sim.physicalPlan! };
    };
    const lrBase = run({}).summary;
    for (const [vm, parallel, gone] of [
      [0, 1, "segments#4"],
      [1, 1, "accounts#5"],
      [3, 0, null],
    ] as const) {
      const { summary, counts, plan } = run({
        faultTolerance: { strategy: "rsm", checkpointIntervalMs: 5000, parallelRecovery: 2 },
        faults: [{ type: "crash", vm, atMs: 61_234 }],
      });
      expect(summary.outputDigest, `VM ${vm}`).toBe(lrBase.outputDigest);
      expect(counts!.parallelRecoveries, `VM ${vm}`).toBe(parallel);
      expect(counts!.parallelFallbacks, `VM ${vm}`).toBe(0);
      const names = plan.instances.map((s) => `${plan.logical.operators[s.operator].name}#${s.id}`);
      if (gone !== null) expect(names, `VM ${vm}`).not.toContain(gone);
      expect(summary.recoveries[0].restoredAtMs, `VM ${vm}`).not.toBeNull();
    }
  });
});
