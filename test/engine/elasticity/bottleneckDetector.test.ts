// The bottleneck detector: fires after k reports above the threshold and not before,
// respects the cooldown between two scalings of an operator, scales in only when every
// instance of an operator is cold, and reports a scale out past the VM budget as blocked.

import { describe, expect, it } from "vitest";
import {
  BottleneckDetector,
  DEFAULT_SCALING_POLICY,
  type InstanceLoad,
  type LoadReport,
  type PlanView,
  type ScalingPolicy,
} from "../../../engine/elasticity/index.js";

/** Operator 0 is a source, 1 "count" (instances 10, 11), 2 "sink". */
function view(vms = 3, live: readonly number[] = [10, 11]): PlanView {
  return {
    operatorName: (op) => ["source", "count", "sink"][op],
    scalable: (op) => op === 1,
    instancesOf: (op) => (op === 1 ? live : []),
    vmsInUse: () => vms,
  };
}

function load(instance: number, operator: number, cpu: number): InstanceLoad {
  return { instance, operator, vm: instance, cpu, queuedTuples: 0, processedTuples: 100, busyMs: cpu * 5000 };
}

/** A report at `atMs` with the count's instances at `cpus` (and a hot source, never scaled). */
function report(atMs: number, cpus: readonly number[], ids: readonly number[] = [10, 11]): LoadReport {
  return {
    atMs,
    intervalMs: 5_000,
    instances: [load(1, 0, 0.99), ...ids.map((id, i) => load(id, 1, cpus[i])), load(20, 2, 0.99)],
  };
}

describe("BottleneckDetector", () => {
  it("splits an instance after two reports above 70% CPU, not after one", () => {
    const d = new BottleneckDetector(DEFAULT_SCALING_POLICY);
    expect(d.observe(report(5_000, [0.9, 0.5]), view())).toEqual([]);
    const [decision] = d.observe(report(10_000, [0.95, 0.5]), view());
    expect(decision).toMatchObject({
      action: "scaleOut",
      operator: 1,
      instances: [10],
      factor: 2,
      value: 0.95,
      blockedBy: null,
    });
  });

  it("starts counting again when a report falls below the threshold or misses the instance", () => {
    const d = new BottleneckDetector(DEFAULT_SCALING_POLICY);
    d.observe(report(5_000, [0.9, 0.1]), view());
    expect(d.observe(report(10_000, [0.6, 0.1]), view())).toEqual([]);
    expect(d.observe(report(15_000, [0.9, 0.1]), view())).toEqual([]);
    expect(d.observe(report(20_000, [0.1], [11]), view())).toEqual([]);
    expect(d.observe(report(25_000, [0.9, 0.1]), view())).toEqual([]);
    expect(d.observe(report(30_000, [0.9, 0.1]), view())).toHaveLength(1);
  });

  it("leaves an operator alone for the cooldown after scaling it", () => {
    const fresh = new BottleneckDetector(DEFAULT_SCALING_POLICY);
    fresh.observe(report(5_000, [0.9, 0.9]), view());
    fresh.scaled(1, 6_000); // scaled by someone else: the count starts again
    expect(fresh.observe(report(10_000, [0.9, 0.9]), view())).toEqual([]);
    const d = new BottleneckDetector(DEFAULT_SCALING_POLICY);
    const fired: number[] = [];
    for (let t = 5_000; t <= 80_000; t += 5_000) {
      for (const x of d.observe(report(t, [0.9, 0.9]), view())) fired.push(x.atMs);
    }
    // 10 s (two reports); then not before the 30 s of cooldown are over, counting only
    // reports after the scaling (15 s on): 40 s, 70 s.
    expect(fired).toEqual([10_000, 40_000, 70_000]);
  });

  it("picks the hottest instance and reports a split past the VM budget as blocked", () => {
    const policy: ScalingPolicy = {
      ...DEFAULT_SCALING_POLICY,
      rules: [{ ...DEFAULT_SCALING_POLICY.rules[0], maxVms: 3 }],
    };
    const d = new BottleneckDetector(policy);
    d.observe(report(5_000, [0.8, 0.9]), view(3));
    const [blocked] = d.observe(report(10_000, [0.8, 0.9]), view(3));
    expect(blocked).toMatchObject({ instances: [11], blockedBy: "maxVms" });
    // A blocked decision starts no cooldown: it is reported again while the load lasts.
    expect(d.observe(report(15_000, [0.8, 0.9]), view(3))[0]).toMatchObject({ blockedBy: "maxVms" });
  });

  it("merges two neighbours only once every instance of the operator has been cold for a minute", () => {
    const d = new BottleneckDetector(DEFAULT_SCALING_POLICY);
    const ids = [10, 11, 12];
    const live = view(4, ids);
    const decisions = [];
    for (let t = 5_000; t <= 60_000; t += 5_000) {
      decisions.push(...d.observe(report(t, [0.1, 0.05, t === 30_000 ? 0.5 : 0.02], ids), live));
    }
    // 12 was warm at 30 s: twelve cold reports are complete only at 90 s.
    expect(decisions).toEqual([]);
    for (let t = 65_000; t <= 90_000; t += 5_000)
      decisions.push(...d.observe(report(t, [0.1, 0.05, 0.02], ids), live));
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ atMs: 90_000, action: "scaleIn", instances: [11, 12], factor: 1 });
  });

  it("watches only the operator a rule names, and Typhoon's capacity when asked", () => {
    const policy: ScalingPolicy = {
      reportIntervalMs: 5_000,
      cooldownMs: 0,
      rules: [
        {
          operator: "count",
          metric: "capacity",
          action: "scaleOut",
          threshold: 0.5,
          forMs: 5_000,
          factor: 3,
          maxVms: 10,
        },
      ],
    };
    const d = new BottleneckDetector(policy);
    const [x] = d.observe(report(5_000, [0.2, 0.6]), view());
    expect(x).toMatchObject({ instances: [11], factor: 3 });
    expect(x.value).toBeCloseTo(0.6);
  });

  it("asks for the most urgent scale out only; the others keep their streaks and come next", () => {
    // Operators 1 ("count", instances 10, 11) and 3 ("join", instance 30) both hot.
    const two: PlanView = {
      operatorName: (op) => ["source", "count", "sink", "join"][op],
      scalable: (op) => op === 1 || op === 3,
      instancesOf: (op) => (op === 1 ? [10, 11] : op === 3 ? [30] : []),
      vmsInUse: () => 3,
    };
    const at = (atMs: number, join: number): LoadReport => ({
      atMs,
      intervalMs: 5_000,
      instances: [load(10, 1, 0.8), load(11, 1, 0.75), load(30, 3, join)],
    });
    const d = new BottleneckDetector({ ...DEFAULT_SCALING_POLICY, cooldownMs: 30_000 });
    expect(d.observe(at(5_000, 0.95), two)).toEqual([]);
    const [first, ...rest] = d.observe(at(10_000, 0.95), two);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ operator: 3, instances: [30] });
    // The count was not scaled: it needs no new streak, and no cooldown holds it back.
    const [second] = d.observe(at(15_000, 0.95), two);
    expect(second).toMatchObject({ operator: 1, instances: [10] });
  });
});
