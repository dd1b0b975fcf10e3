// The elasticity controller, as both runtimes run it: it carries out the detector's
// unblocked scale outs and scale ins through the scale-out protocol, tells the runtime
// before and after, records a decision past the VM budget as blocked and sheds instead
// (never above the acceptable rate, halved once cool), decides nothing while a scale out
// is under way, and places new instances on the least loaded VM in use that has room.

import { describe, expect, it } from "vitest";
import {
  ElasticityController,
  type ElasticityHost,
  type InstanceLoad,
  type LoadReport,
  physicalPlan,
  type ScaleOut,
  type ScalingDecision,
  type ScalingRule,
} from "../../../engine/index.js";
import { workloadPlan } from "../../../workloads/index.js";

// lines#0 (VM 0), split#1 (1), split#2 (2), count#3 (0), count#4 (1), sink#5 (2).
const plan = physicalPlan(workloadPlan("wordcount", { lines: 10 }, 1), { vms: 3 });

/** A scale-out protocol that records what it is asked. */
function protocol() {
  const calls: string[] = [];
  const scaling = {
    busy: false,
    scaleOut: (id: number, factor: number) => {
      calls.push(`split ${id} in ${factor}`);
      return null;
    },
    scaleIn: (x: number, y: number) => {
      calls.push(`merge ${y} into ${x}`);
      return null;
    },
  };
  return { calls, scaling };
}

function rule(over: Partial<ScalingRule> = {}): ScalingRule {
  return {
    operator: "count",
    metric: "cpu",
    action: "scaleOut",
    threshold: 0.7,
    forMs: 5_000,
    factor: 2,
    maxVms: 10,
    ...over,
  };
}

/** A controller over `plan` with one rule; what the runtime heard. */
function controller(
  r: ScalingRule,
  o: { vmsInUse?: number; maxRate?: number; placement?: "loadAware" | "pool" } = {},
) {
  const { calls, scaling } = protocol();
  const heard: string[] = [];
  const sheds: number[] = [];
  const host: ElasticityHost = {
    vmsInUse: () => o.vmsInUse ?? 3,
    vms: () => [0, 1, 2].map((vm) => ({ vm, cores: 1 })),
    shed: (rate) => sheds.push(rate),
    decided: (d: ScalingDecision) => heard.push(`decided ${d.action} ${d.instances.join(",")}`),
    started: (d: ScalingDecision) => heard.push(`started ${d.action} ${d.instances.join(",")}`),
  };
  const c = new ElasticityController(
    { plan, scaling: scaling as unknown as ScaleOut },
    {
      policy: { reportIntervalMs: 5_000, cooldownMs: 30_000, rules: [r] },
      placement: o.placement ?? "loadAware",
      sheddingMaxRate: o.maxRate ?? 0,
    },
    host,
  );
  return { c, calls, heard, sheds, scaling };
}

function load(instance: number, vm: number, cpu: number): InstanceLoad {
  return {
    instance,
    operator: plan.instances[instance].operator,
    vm,
    cpu,
    queuedTuples: 0,
    processedTuples: 1,
    busyMs: cpu * 5_000,
  };
}

/** A report at `atMs`: count#3 and count#4 at `cpus`, the others at 0.1. */
function report(atMs: number, cpus: readonly [number, number]): LoadReport {
  return {
    atMs,
    intervalMs: 5_000,
    instances: [load(0, 0, 0.1), load(1, 1, 0.1), load(2, 2, 0.1), load(3, 0, cpus[0]), load(4, 1, cpus[1])],
  };
}

describe("ElasticityController", () => {
  it("splits the hottest instance through the scale-out protocol, telling the runtime before and after", () => {
    const { c, calls, heard } = controller(rule());
    const [d] = c.observe(report(5_000, [0.9, 0.8]));
    expect(d).toMatchObject({ action: "scaleOut", instances: [3], factor: 2, blockedBy: null });
    expect(calls).toEqual(["split 3 in 2"]);
    expect(heard).toEqual(["decided scaleOut 3", "started scaleOut 3"]);
    expect(c.decisions).toEqual([d]);
  });

  it("merges two cold neighbours through the scale-out protocol", () => {
    const { c, calls } = controller(rule({ action: "scaleIn", threshold: 0.2 }));
    c.observe(report(5_000, [0.05, 0.1]));
    expect(calls).toEqual(["merge 4 into 3"]);
  });

  it("decides nothing while a scale out is under way", () => {
    const { c, calls, scaling } = controller(rule());
    scaling.busy = true;
    expect(c.observe(report(5_000, [0.9, 0.9]))).toEqual([]);
    expect(calls).toEqual([]);
  });

  it("carries out nothing past the VM budget, and sheds instead: up to the acceptable rate, halved once cool", () => {
    const { c, calls, heard, sheds } = controller(rule({ maxVms: 3 }), { maxRate: 0.3 });
    const [d] = c.observe(report(5_000, [1.4, 0.5]));
    expect(d.blockedBy).toBe("maxVms");
    expect(calls).toEqual([]);
    expect(heard).toEqual(["decided scaleOut 3"]);
    // Keeping 0.7 / 1.4 of the tuples would do, but no more than 30% may go.
    expect(sheds).toEqual([0.3]);
    c.observe(report(10_000, [0.9, 0.5]));
    expect(sheds).toEqual([0.3]); // still blocked, still at the most it may shed
    c.observe(report(15_000, [0.2, 0.2]));
    expect(c.shedRate).toBeCloseTo(0.15);
    expect(sheds).toEqual([0.3, 0.15]);
  });

  it("never sheds when the acceptable rate is 0", () => {
    const { c, sheds } = controller(rule({ maxVms: 3 }));
    c.observe(report(5_000, [1.4, 0.5]));
    expect(sheds).toEqual([]);
    expect(c.shedRate).toBe(0);
  });

  it("places new instances on the least loaded VM in use under half its cores, each once per scale out", () => {
    const { c, scaling } = controller(rule({ threshold: 5 }));
    expect(c.placeNewInstance()).toBeNull(); // no report yet: take a VM from the pool
    // VM 0: 0.1 + 0.3; VM 1: 0.1 + 0.5 (no room); VM 2: 0.1.
    c.observe(report(5_000, [0.3, 0.5]));
    scaling.busy = true;
    expect([c.placeNewInstance(), c.placeNewInstance(), c.placeNewInstance()]).toEqual([2, 0, null]);
    c.observe(report(10_000, [0.3, 0.5]));
    expect(c.placeNewInstance()).toBeNull(); // still the same scale out
    scaling.busy = false;
    c.observe(report(15_000, [0.3, 0.5]));
    expect(c.placeNewInstance()).toBe(2); // a new one may use VM 2 again
    const pool = controller(rule({ threshold: 5 }), { placement: "pool" }).c;
    pool.observe(report(5_000, [0.3, 0.5]));
    expect(pool.placeNewInstance()).toBeNull();
  });
});
