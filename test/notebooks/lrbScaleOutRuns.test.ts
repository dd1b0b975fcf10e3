// The runs of the Linear Road scale-out report: its metrics.csv reader gives back the rows
// the simulation measured (a small Linear Road run, its rows in memory against the same
// rows written and read), and the static deployment shares its VMs among the operators in
// proportion to their cost per record.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { elasticExperiment, readRunSeconds, staticDeployment } from "../../notebooks/lrbScaleOutRuns.js";
import { parseExperiment, Simulation } from "../../sim/index.js";
import { workloadPlan } from "../../workloads/index.js";

it("reads a run's metrics.csv back into the rows the run measured", () => {
  const e = parseExperiment(
    {
      name: "lrb-small",
      workload: { name: "lrb", params: { xways: 1, durationS: 40 } },
      cluster: { vms: 3 },
    },
    "test",
  );
  const sim = new Simulation(e, workloadPlan("lrb", e.workload.params, e.seed));
  sim.run();
  const dir = mkdtempSync(join(tmpdir(), "lrb-metrics-"));
  try {
    const path = join(dir, "metrics.csv");
    writeFileSync(path, sim.metrics.toCsv());
    const read = readRunSeconds(path);
    const rows = sim.metrics.rows();
    expect(read.length).toBe(rows.length);
    const six = (v: number) => (Number.isNaN(v) ? v : Number(v.toPrecision(6)));
    for (const [i, r] of rows.entries()) {
      expect(read[i]).toEqual({
        timeS: six(r.timeS),
        tuplesIn: r.tuplesIn,
        latencyP50Ms: six(r.latencyP50Ms),
        latencyP99Ms: six(r.latencyP99Ms),
        latencyMaxMs: six(r.latencyMaxMs),
        vmsInUse: r.vmsInUse,
      });
    }
    expect(read.some((r) => r.tuplesIn > 0 && Number.isFinite(r.latencyMaxMs))).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("refuses a file that is not a metrics.csv", () => {
  const dir = mkdtempSync(join(tmpdir(), "lrb-metrics-"));
  try {
    writeFileSync(join(dir, "x.csv"), "a,b\n1,2\n");
    expect(() => readRunSeconds(join(dir, "x.csv"))).toThrow(/not a metrics.csv/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

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
