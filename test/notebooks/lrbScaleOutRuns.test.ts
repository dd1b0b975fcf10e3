// The runs of the Linear Road scale-out report: the static deployment shares its VMs among
// the operators in proportion to their cost per record. (The runs' metrics.csv is read back
// by lab/runMetrics.ts, tested in test/lab/runMetrics.test.ts.)

import { expect, it } from "vitest";
import { elasticExperiment, staticDeployment } from "../../notebooks/lrbScaleOutRuns.js";

it("shares the static deployment's operator VMs by cost per record, the edge VMs apart", () => {
  const d = staticDeployment(elasticExperiment(false, undefined), 50);
  expect(d.edgeVms).toBe(2);
  expect(d.operatorVms).toBe(48);
  const { cars, segments, accounts } = d.parallelism;
  expect(cars + segments + accounts).toBe(48);
  // Costs per record 0.48, 0.64 and 1.2 us (sim/presets.ts): the shares follow them.
  expect(cars).toBeLessThan(segments);
  expect(segments).toBeLessThan(accounts);
  expect(Math.abs(accounts / 48 - 1.2 / 2.32)).toBeLessThan(0.05);
  expect(() => staticDeployment(elasticExperiment(false, undefined), 4)).toThrow(RangeError);
});
