// Where the parts of a split go, and deploying them.

import { describe, expect, it } from "vitest";
import { deployEach, deploymentsOf, RunPlan } from "../../../engine/reconfiguration/index.js";
import { countPlan, fakeLink } from "./fakeLink.js";

describe("deployment", () => {
  const plan = countPlan();
  const x = plan.instances[2];
  const specs = [x, { ...x, id: 10 }, { ...x, id: 11 }];

  it("keeps the first parts in place and puts the others on the reserved VMs, or new ones", () => {
    expect(deploymentsOf(specs, 1, [8, 9]).map((d) => [d.spec.id, d.spec.vm, d.newVm])).toEqual([
      [2, x.vm, false],
      [10, 8, false],
      [11, 9, false],
    ]);
    expect(deploymentsOf(specs, 1, []).map((d) => [d.spec.id, d.newVm])).toEqual([
      [2, false],
      [10, true],
      [11, true],
    ]);
    expect(deploymentsOf([x], 0, [5]).map((d) => [d.spec.vm, d.newVm])).toEqual([[5, false]]);
  });

  it("places each deployed instance in the plan, and goes on once all are deployed", () => {
    const { link } = fakeLink();
    const plans: number[] = [];
    const run = new RunPlan(plan, (p) => plans.push(p.instances.length));
    let done = 0;
    deployEach(link, run, deploymentsOf(specs, 1, [8, 9]), () => done++);
    expect(done).toBe(1);
    expect(plans).toEqual([5, 6, 7]);
    expect(run.spec(11).vm).toBe(9);
  });
});
