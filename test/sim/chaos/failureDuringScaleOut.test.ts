// A failure during a stopping scale out or a migration under rsm (issue 17): before the
// cut the reconfiguration is given up and the upstreams resume as they were; from the cut
// on it is completed without the failed instances, which are recovered in the new plan.
// Each run is compared with the failure-free run of the same seed. The scale out below
// pauses at 65 s (its VM is handed out after 5 s) and resumes about 2 ms later; failures
// are detected 1.5 s after the crash, so crashes near 63.5 s are detected mid-protocol.

import { describe, expect, it } from "vitest";
import { loadBuiltinExperiment } from "../../../cli/experimentFile.js";
import { parseSetting } from "../../../cli/settings.js";
import type { Experiment } from "../../../sim/experiment.js";
import { withFaultsAgainstFailureFree } from "./againstFailureFree.js";

const SEED = 7;

const experiments = new Map<string, Experiment>();

function experiment(factor: number, index: number): Experiment {
  const key = `${factor}/${index}`;
  const known = experiments.get(key);
  if (known !== undefined) return known;
  const scale = `scaling.scaleOuts=[{"operator":"count","index":${index},"atMs":60000,"factor":${factor}}]`;
  const sets = ["faultTolerance.strategy=rsm", scale].map(parseSetting);
  const e = loadBuiltinExperiment("wordcount", { settings: sets, seed: SEED }).experiment;
  experiments.set(key, e);
  return e;
}

function crashRun(e: Experiment, vm: number, atMs: number) {
  const { diff, completed, sim } = withFaultsAgainstFailureFree(e, [{ type: "crash", vm, atMs }]);
  return { ...diff, completed, scaleOut: sim.scaleOuts[0], recoveries: sim.failures.length };
}

const EXACT = { lost: 0, duplicated: 0, spurious: 0, reordered: 0, completed: true };

describe("a crash during a stopping scale out under rsm ends exact (seed 7)", () => {
  // VM 3 hosts count#3 (the instance split), VM 1 an upstream and the sink, VM 4 is the new part's.
  const cases: [string, number, number][] = [
    ["the instance split, detected while its upstreams pause", 3, 63_500],
    ["the instance split, detected while it checkpoints", 3, 63_500.6],
    ["an upstream and the sink, detected while the receivers add the new sender", 1, 65_001.5],
    ["the new part's VM, before the part is deployed on it", 4, 65_000.5],
    ["the new part, after it was restored", 4, 65_002],
    ["an upstream, after the scale out", 1, 66_000],
  ];
  for (const [what, vm, atMs] of cases) {
    it(`${what}: crash of VM ${vm} at ${atMs} ms`, () => {
      const r = crashRun(experiment(2, 0), vm, atMs);
      expect(
        { ...r, scaleOut: undefined, recoveries: undefined },
        `seed ${SEED}, VM ${vm} at ${atMs}`,
      ).toEqual({
        ...EXACT,
        scaleOut: undefined,
        recoveries: undefined,
      });
    });
  }

  it("a scale out given up before its cut says why, and never completes", () => {
    const r = crashRun(experiment(2, 0), 3, 63_500.6);
    expect(r.scaleOut.refused).toMatch(/^given up while (pausing|checkpointing)/);
    expect(r.scaleOut.completedAtMs).toBeNull();
  });

  it("a scale out past its cut completes without the failed instances", () => {
    const r = crashRun(experiment(2, 0), 1, 65_001.5);
    expect(r.scaleOut.refused).toBeNull();
    expect(r.scaleOut.completedAtMs).not.toBeNull();
  });
});

describe("a crash during a migration under rsm ends exact (seed 7)", () => {
  for (const [vm, atMs] of [
    [4, 65_000.5],
    [0, 65_001],
    [1, 63_500.5],
  ] as const) {
    it(`crash of VM ${vm} at ${atMs} ms`, () => {
      const r = crashRun(experiment(1, 1), vm, atMs);
      expect(
        { lost: r.lost, duplicated: r.duplicated, completed: r.completed },
        `seed ${SEED}, VM ${vm}`,
      ).toEqual({
        lost: 0,
        duplicated: 0,
        completed: true,
      });
    });
  }
});

describe("a crash aimed at a reconfiguration (fault reconfigurationCrash) under rsm (seed 7)", () => {
  // The scale out of count#3 (VM 3) begins at 60 s; its new part's VM is handed out 5 s later.
  const aimed = (role: string, afterMs: number) => {
    const r = withFaultsAgainstFailureFree(experiment(2, 0), [
      { type: "reconfigurationCrash", nth: 1, role, afterMs },
    ]);
    return { diff: r.diff, completed: r.completed, failures: r.sim.failures };
  };

  for (const [role, afterMs, vm, instance] of [
    ["split", 3_000, 3, "count#3"],
    ["new", 5_004, 4, "count#6"],
  ] as const) {
    it(`crashes the ${role} instance's VM ${afterMs} ms after the scale out begins, and ends exact`, () => {
      const r = aimed(role, afterMs);
      expect(r.failures.map((f) => [f.vm, f.failedAtMs])).toEqual([[vm, 60_000 + afterMs]]);
      expect(r.failures[0].instances.map((i) => `${i.operator}#${i.id}`)).toContain(instance);
      expect({ ...r.diff, completed: r.completed }, `seed ${SEED}, ${role}`).toEqual({ ...EXACT });
    });
  }
});
