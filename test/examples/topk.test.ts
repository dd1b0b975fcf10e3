// The top-k example job (examples/topk/): its output equals a plain top-k computed directly
// over the same generated events, with and without its experiment file's crash; every
// recovering strategy gives exactly the failure-free output under a chaos campaign; its
// state comes back equal through the real runtime's checkpoint encoding; the same seed gives
// the same trace; and its parameters resolve and fail as a job's should.

import { describe, expect, it } from "vitest";
import { JobError, jobParams, jobPlan } from "../../engine/index.js";
import { categoryKey, categoryName, EventDraw, itemName } from "../../examples/topk/events.js";
import { type TopKParams, workload } from "../../examples/topk/job.js";
import {
  exampleExperiment,
  expectCampaignExact,
  itRecoversEncodesAndRepeats,
  simulate,
  valuesByKey,
} from "./exampleRuns.js";

/**
 * The top k of every window and category, by brute force: each window end a multiple of
 * the slide, from the first window holding event time 0 to the last holding the last
 * event; each category's events in [end - size, end) counted in a Map, sorted by count
 * (ties to the lower item), cut at k. Keyed and ordered as the job's sink receives them.
 */
function referenceTopK(p: TopKParams, seed: number): Map<number, unknown[]> {
  const draw = new EventDraw({ seed, ...p });
  const events = Array.from({ length: p.events }, (_, n) => draw.at(n));
  const lastTimeMs = events[events.length - 1].timeMs;
  const byKey = new Map<number, unknown[]>();
  for (let end = p.windowSlideMs; end - p.windowSizeMs <= lastTimeMs; end += p.windowSlideMs) {
    const start = end - p.windowSizeMs;
    for (let c = 0; c < p.categories; c++) {
      const counts = new Map<number, number>();
      for (const e of events) {
        if (e.category === c && e.timeMs >= start && e.timeMs < end)
          counts.set(e.item, (counts.get(e.item) ?? 0) + 1);
      }
      if (counts.size === 0) continue;
      const top = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, p.k);
      const category = categoryName(c);
      const key = categoryKey(category);
      if (!byKey.has(key)) byKey.set(key, []);
      top.forEach(([item, count], r) => {
        byKey.get(key)!.push({
          eventTimeMs: end - 1,
          category,
          windowStartMs: start,
          windowEndMs: end,
          rank: r + 1,
          item: itemName(item),
          count,
        });
      });
    }
  }
  return byKey;
}

const FILE = "topk/experiment.json";

describe("examples/topk", () => {
  const e = exampleExperiment(FILE, workload);
  const params = jobParams(workload, e.workload.params);

  it("gives the top k of every window and category, as a direct computation over the same events does", () => {
    const { summary, records } = simulate(workload, { ...e, faults: [] });
    expect(summary.stalled).toBe(false);
    const expected = referenceTopK(params, e.seed);
    expect(records.length).toBe([...expected.values()].reduce((n, v) => n + v.length, 0));
    expect(valuesByKey(records)).toEqual(expected);
    // Ties happen, and go to the lower item.
    const ranks = records.map((r) => r.value as { rank: number; count: number });
    expect(ranks.some((v, i) => i > 0 && v.rank > 1 && v.count === ranks[i - 1].count)).toBe(true);
  });

  it("gives the same output with its experiment file's crash of a top-k instance's VM, recovered by rsm", () => {
    const { summary, records } = simulate(workload, e);
    expect(e.faultTolerance.strategy).toBe("rsm");
    expect(summary.failures.map((f) => f.instances.map((i) => i.operator))).toEqual([["topk", "rank"]]);
    expect(summary.recoveries.length).toBe(1);
    expect(valuesByKey(records)).toEqual(referenceTopK(params, e.seed));
  });

  it("under rsm, gives every run of a chaos campaign (each kind of fault once) exactly the failure-free output", () => {
    expectCampaignExact(workload, e, 0, 8);
  });

  itRecoversEncodesAndRepeats(workload, e, "topk", 200);

  it("has every parameter's default in its schema, and names a bad parameter in one line", () => {
    const defaults = jobParams(workload, {});
    expect(jobParams(workload, defaults)).toEqual(defaults);
    expect(Object.keys(defaults).sort()).toEqual(
      [
        "categories",
        "eventIntervalMs",
        "events",
        "items",
        "k",
        "parallelism",
        "windowSizeMs",
        "windowSlideMs",
        "zipfExponent",
      ].sort(),
    );
    expect(() => jobPlan(workload, { k: 0 }, 1)).toThrow(
      new JobError('workload "topk": params.k: must be an integer from 1 to 1000, got 0'),
    );
    expect(() => jobPlan(workload, { windowSizeMs: 2500, windowSlideMs: 1000 }, 1)).toThrow(
      new JobError(
        'workload "topk": params.windowSizeMs: must be a multiple of windowSlideMs (1000), got 2500',
      ),
    );
    expect(() => jobPlan(workload, { colour: "red" }, 1)).toThrow(
      /^workload "topk": params: unknown key "colour"$/,
    );
  });
});
