// Recovery time's caught-up rule: back within max(50%, 100 ms) of the p99 level before the
// failure, in the first interval with output after the restore.

import { describe, expect, it } from "vitest";
import { caughtUpAtMs, latencyLevelMs, type MetricsRow } from "../../../engine/index.js";

function row(timeS: number, p99: number, tuplesOut = 10): MetricsRow {
  return {
    timeS,
    tuplesIn: 10,
    tuplesOut,
    latencyP50Ms: p99 / 2,
    latencyP99Ms: p99,
    latencyMaxMs: p99,
    queueLength: 0,
    vmsInUse: 1,
    cpuMean: 0.5,
    cpuMax: 0.5,
    cpuByVm: new Map(),
  };
}

describe("recovery time", () => {
  const rows = [row(1, 200), row(2, 220), row(3, 210), row(4, 5000), row(5, 900), row(6, 300), row(7, 200)];

  it("takes the median p99 of the intervals before the failure as the level", () => {
    expect(latencyLevelMs(rows, 3000)).toBe(210);
    expect(latencyLevelMs(rows, 500)).toBeNaN();
  });

  it("is caught up at the end of the first interval after the restore within the margin", () => {
    // level 210: bound max(315, 310) = 315; 900 at 5 s is not, 300 at 6 s is.
    expect(caughtUpAtMs(rows, 3500, 4200)).toBe(6000);
    // an interval ending before the restore does not count
    expect(caughtUpAtMs(rows, 3500, 6500)).toBe(7000);
    expect(caughtUpAtMs(rows, 3500, 7000)).toBeNull();
  });

  it("needs output in the interval", () => {
    const quiet = [row(1, 100), row(2, 100), row(3, Number.NaN, 0), row(4, 120)];
    expect(caughtUpAtMs(quiet, 2000, 2500)).toBe(4000);
  });
});
