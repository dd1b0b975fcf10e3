// Which instances can be split: an operator that takes all its input by key, with enough
// key groups.

import { describe, expect, it } from "vitest";
import { whyNotScalable, whyNotSplittable } from "../../../engine/reconfiguration/index.js";
import { countPlan } from "./fakeLink.js";

describe("scalable", () => {
  const plan = countPlan();

  it("an operator fed by key can be split, a source or a sink fed forward cannot", () => {
    expect(whyNotScalable(plan, 1)).toBeNull();
    expect(whyNotScalable(plan, 0)).toBe('operator "src" does not take its input by key');
    expect(whyNotScalable(plan, 2)).toBe('operator "sink" does not take its input by key');
  });

  it("an instance splits into at most as many parts as it has key groups", () => {
    const count = plan.instances[2];
    expect(whyNotSplittable(plan, count, count.range.size)).toBeNull();
    expect(whyNotSplittable(plan, count, count.range.size + 1)).toBe(
      `instance 2 has too few key groups to split in ${count.range.size + 1}`,
    );
  });
});
