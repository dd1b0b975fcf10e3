// The built-in experiments: each validates, and `lrb-scaleout`, shrunk to a few minutes,
// scales Linear Road out by its policy alone with exactly the answers of the same run
// without scaling. Also what it rests on: a source that makes its key sample itself is
// charged as one that drops the rest, and sources and sinks go to edge VMs.

import { describe, expect, it } from "vitest";
import { parseExperiment } from "../../sim/experiment.js";
import { PRESETS, presetNames } from "../../sim/presets.js";
import { Simulation } from "../../sim/simulation.js";
import { workloadPlan } from "../../workloads/index.js";

/** Run a preset with some top-level keys replaced and workload params merged in. */
function runPreset(name: string, over: Record<string, unknown>, params: Record<string, unknown> = {}) {
  const raw = PRESETS[name] as Record<string, unknown> & { workload: { name: string; params: object } };
  const e = parseExperiment(
    { ...raw, ...over, workload: { ...raw.workload, params: { ...raw.workload.params, ...params } } },
    name,
  );
  const sim = new Simulation(e, workloadPlan(e.workload.name, e.workload.params, e.seed));
  return { sim, summary: sim.run() };
}

/** Total busy time of each operator's instances, ms. */
function busyByOperator(sim: Simulation): Map<string, number> {
  const busy = new Map<string, number>();
  for (const h of sim.runtime.hosts) {
    const name = h.instance.operator.name;
    busy.set(name, (busy.get(name) ?? 0) + h.busyMs);
  }
  return busy;
}

describe("presets", () => {
  it("every preset is a valid experiment", () => {
    for (const name of presetNames()) expect(() => parseExperiment(PRESETS[name], name)).not.toThrow();
  });

  // lrb-scaleout in five minutes: 75 expressways opening every 4 s, on VMs slow enough
  // that the policy must split. Seed printed by the test name.
  const small = {
    xways: 75,
    xwayOpenEveryS: 4,
    durationS: 360,
  };
  const slow = { vms: 3, speed: 0.01, edge: { cores: 4, speed: 0.5 } };

  it("lrb-scaleout, shrunk (seed 1): the policy scales out, and the answers are exactly those without scaling", () => {
    const scaled = runPreset("lrb-scaleout", { cluster: slow }, small);
    const fixed = runPreset(
      "lrb-scaleout",
      { cluster: slow, scaling: { policy: "none", placement: "pool" } },
      small,
    );
    expect(scaled.summary.scaleOuts.length).toBeGreaterThanOrEqual(2);
    // Every scale out that paused its upstreams completed (a late one may still wait for a VM).
    expect(scaled.summary.scaleOuts.filter((r) => r.pausedAtMs !== null && r.completedAtMs === null)).toEqual(
      [],
    );
    expect(new Set(scaled.summary.scaleOuts.map((r) => r.operator)).size).toBeGreaterThanOrEqual(2);
    expect(scaled.summary.vmsMax).toBeGreaterThan(fixed.summary.vmsMax);
    expect(scaled.summary.tuplesOut).toBeGreaterThan(100_000);
    expect(scaled.summary.outputDigest).toBe(fixed.summary.outputDigest);
    expect(scaled.summary.tuplesOut).toBe(fixed.summary.tuplesOut);
    // Scaling out is what keeps the overloaded run near its deadline.
    expect(scaled.summary.latencyMs.p99!).toBeLessThan(fixed.summary.latencyMs.p99!);
  });

  it("a generator sampling 1 car in 10 costs what a full run of the same road costs", () => {
    // Two expressways for 10 minutes: the ratios below come out within 1% of 1 (0.1 for the
    // records made), as they do on four; the bounds are 5% and 15%.
    const road = { xways: 2, durationS: 600, xwayOpenEveryS: 0 };
    const noScaling = { policy: "none", placement: "pool" };
    // Operator work only: no checkpoints.
    const none = { strategy: "none" };
    const full = runPreset(
      "lrb-scaleout",
      { fidelity: { sampleOneIn: 1 }, scaling: noScaling, faultTolerance: none },
      road,
    );
    const sampled = runPreset(
      "lrb-scaleout",
      { fidelity: { sampleOneIn: 10 }, scaling: noScaling, faultTolerance: none },
      road,
    );
    const ratio = sampled.summary.tuplesIn / full.summary.tuplesIn;
    expect(ratio).toBeGreaterThan(0.95);
    expect(ratio).toBeLessThan(1.05);
    const a = busyByOperator(full.sim);
    const b = busyByOperator(sampled.sim);
    for (const op of ["records", "cars", "segments", "accounts"]) {
      const r = b.get(op)! / a.get(op)!;
      expect(r, op).toBeGreaterThan(0.85);
      expect(r, op).toBeLessThan(1.15);
    }
    // Only the kept cars were made: the sampled source produced a tenth of the records.
    const produced = (sim: Simulation) =>
      sim.runtime.hosts.find((h) => h.instance.operator.name === "records")!.instance.emittedTuples;
    expect(produced(sampled.sim) / produced(full.sim)).toBeLessThan(0.12);
  });

  it("puts each source and sink operator on an edge VM of the edge shape, the operators on the others", () => {
    const { sim } = runPreset("lrb-scaleout", { scaling: { policy: "none" }, untilS: 5 }, { durationS: 5 });
    for (const h of sim.runtime.hosts) {
      const edge = h.instance.operator.kind !== "operator";
      expect(h.vm.shape, h.instance.operator.name).toMatchObject(
        edge ? { cores: 4, speed: 0.65 } : { cores: 1, speed: 0.2 },
      );
    }
    const vmOf = (name: string) => sim.runtime.hosts.find((h) => h.instance.operator.name === name)!.vm.id;
    expect(new Set(["records", "answers", "cars"].map(vmOf)).size).toBe(3);
  });
});
