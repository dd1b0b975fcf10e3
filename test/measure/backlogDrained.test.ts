import { describe, expect, it } from "vitest";
import type { MetricsRow } from "../../engine/index.js";
import { backlogDrainedAtMs, queueLevelBefore } from "../../measure/backlogDrained.js";

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
