// The resolved experiment a run's experiment.json records: every preset, resolved, has the
// pool, network and cost model filled in, parses back to itself, resolves to itself again,
// and simulates to the same trace as the experiment it came from.

import { describe, expect, it } from "vitest";
import { parseExperiment } from "../../sim/experiment.js";
import { PRESETS, presetNames } from "../../sim/presets.js";
import { resolvedExperiment } from "../../sim/resolvedExperiment.js";
import { Simulation } from "../../sim/simulation.js";
import { workloadPlan } from "../../workloads/index.js";

describe("resolvedExperiment", () => {
  for (const name of presetNames()) {
    it(`${name}: filled in, parses back to itself and resolves to itself`, () => {
      const e = parseExperiment(PRESETS[name], name);
      const r = resolvedExperiment(e);
      expect(Object.keys(r.pool).sort()).toEqual([
        "coldStartMs",
        "handoutMs",
        "maxVms",
        "minimum",
        "prewarmed",
      ]);
      expect(Object.keys(r.network)).toHaveLength(6);
      expect(Object.keys(r.cost.defaults ?? {})).toHaveLength(6);
      // What the preset sets stays as set.
      for (const [k, v] of Object.entries(e.pool)) expect(r.pool[k as keyof typeof r.pool]).toEqual(v);
      const again = parseExperiment(JSON.parse(JSON.stringify(r)), `${name} resolved`);
      expect(again).toEqual(r);
      expect(resolvedExperiment(again)).toEqual(r);
    });
  }

  it("simulates to the same trace as the experiment it resolves (word count, 20 s, a crash under rsm)", () => {
    const e = parseExperiment(
      {
        workload: { name: "wordcount", params: { lines: 5000 } },
        untilS: 20,
        faultTolerance: { strategy: "rsm" },
        faults: [{ type: "crash", vm: 1, atMs: 8000 }],
      },
      "test",
    );
    const run = (x: typeof e) =>
      new Simulation(x, workloadPlan("wordcount", x.workload.params, x.seed)).run();
    const a = run(e);
    const b = run(parseExperiment(JSON.parse(JSON.stringify(resolvedExperiment(e))), "resolved"));
    expect(a.failures).toHaveLength(1);
    expect(b.traceHash).toBe(a.traceHash);
    expect(b.outputDigest).toBe(a.outputDigest);
  });
});
