import { describe, expect, it } from "vitest";
import type { MetricsRow } from "../../engine/index.js";
import {
  backlogDrainedAtMs,
  type ProcessedSample,
  processingDrainedAtMs,
  queueLevelBefore,
} from "../../measure/backlogDrained.js";

/** Metrics rows every 100 ms from 0, with these queue lengths. */
function rows(queues: readonly number[]): MetricsRow[] {
  return queues.map((queueLength, i) => ({
    timeS: (i + 1) / 10,
    tuplesIn: 0,
    tuplesOut: 0,
    latencyP50Ms: Number.NaN,
    latencyP99Ms: Number.NaN,
    latencyMaxMs: Number.NaN,
    queueLength,
    vmsInUse: 1,
    cpuMean: 0,
    cpuMax: 0,
    cpuByVm: new Map(),
  }));
}

describe("backlogDrainedAtMs", () => {
  // Failed at 1,000 ms (level before: 40), restored at 1,500 ms.
  const before = [10, 40, 20, 0, 30, 10, 0, 20, 10, 0];

  it("the level is the most queued in the 10 s before the failure", () => {
    expect(queueLevelBefore(rows(before), 1000)).toBe(40);
  });

  it("waits for the replay to show before it counts the drain: short queues right after the restore are not caught up", () => {
    // 1,100-1,500: nothing yet; 1,600: still short; 1,700-1,900: the replay; 2,000: drained.
    const r = rows([...before, 0, 0, 0, 0, 0, 5, 900, 500, 100, 40, 0]);
    expect(backlogDrainedAtMs(r, 1000, 1500)).toBe(2000);
  });

  it("is the restore itself when the queues never rise above the level, and NaN when they never come back", () => {
    expect(backlogDrainedAtMs(rows([...before, 0, 0, 0, 0, 0, 5, 30, 0]), 1000, 1500)).toBe(1500);
    expect(backlogDrainedAtMs(rows([...before, 0, 0, 0, 0, 0, 900, 800]), 1000, 1500)).toBeNaN();
  });
});

/** Running totals every 100 ms from `fromMs`, processing `perInterval[i]` tuples in interval i. */
function totals(fromMs: number, perInterval: readonly number[], start = 0): ProcessedSample[] {
  const out: ProcessedSample[] = [{ atMs: fromMs, processed: start }];
  for (const n of perInterval)
    out.push({ atMs: out.at(-1)!.atMs + 100, processed: out.at(-1)!.processed + n });
  return out;
}

describe("processingDrainedAtMs", () => {
  // 40 tuples a ms before a failure at 10,000 ms; restored at 10,400 ms.
  const before = totals(4_000, Array(60).fill(4_000));

  it("is the end of the first interval back at the input's rate after the replay raised it", () => {
    // The replay arrives 100 ms after the restore; 3 intervals at 10 times the rate, then the input's.
    const after = totals(10_300, [0, 0, 1_000, 40_000, 40_000, 30_000, 4_000, 4_000]);
    expect(processingDrainedAtMs(before, after, 10_000, 10_400)).toBe(10_300 + 700);
  });

  it("does not count a drain over before the replay came: slow intervals right after the restore are not caught up", () => {
    const after = totals(10_300, [0, 0, 0, 0, 1_000, 40_000, 4_000]);
    expect(processingDrainedAtMs(before, after, 10_000, 10_400)).toBe(10_300 + 700);
  });

  it("reads rates over whole intervals: two answers close together, or a stale total, do not end the drain", () => {
    const after = totals(10_300, [0, 0, 1_000, 40_000]);
    // An answer 10 ms after the last, with the same total; then one that crossed it, with less.
    after.push({ atMs: 10_710, processed: after.at(-1)!.processed });
    after.push({ atMs: 10_800, processed: after.at(-1)!.processed - 5_000 });
    after.push({ atMs: 10_900, processed: after.at(-1)!.processed + 45_000 });
    after.push({ atMs: 11_000, processed: after.at(-1)!.processed + 4_000 });
    expect(processingDrainedAtMs(before, after, 10_000, 10_400)).toBe(11_000);
  });

  it("is the restore when there was no backlog to drain, NaN when the drain never ends or there is no rate before", () => {
    expect(processingDrainedAtMs(before, totals(10_300, [4_000, 4_000, 4_000]), 10_000, 10_400)).toBe(10_400);
    expect(processingDrainedAtMs(before, totals(10_300, [0, 40_000, 40_000]), 10_000, 10_400)).toBeNaN();
    expect(processingDrainedAtMs([], totals(10_300, [40_000, 4_000]), 10_000, 10_400)).toBeNaN();
  });
});
