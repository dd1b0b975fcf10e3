// Where the Linear Road report's runs missed the deadline, and why: spans of seconds over
// it, each with the scale out that was under way (and what it waited for), or the cap.

import { expect, it } from "vitest";
import { deadlineMisses } from "../../notebooks/lrbScaleOutMisses.js";
import type { RunSecond } from "../../notebooks/lrbScaleOutRuns.js";
import type { ScaleOutRecord } from "../../sim/index.js";

const second = (timeS: number, latencyMaxMs: number, vmsInUse = 10): RunSecond => ({
  timeS,
  tuplesIn: 1,
  latencyP50Ms: latencyMaxMs / 2,
  latencyP99Ms: latencyMaxMs,
  latencyMaxMs,
  vmsInUse,
});

const rows = [
  second(1, 1000),
  second(2, 6000),
  second(3, 7000),
  second(8, 5500),
  second(9, 100),
  second(100, 9000, 50),
  second(101, Number.NaN),
];

const waited: ScaleOutRecord = {
  kind: "scaleOut",
  operator: "cars",
  instance: "cars#1",
  instances: ["cars#4", "cars#5"],
  requestedAtMs: 0,
  pausedAtMs: 45_000,
  completedAtMs: 45_900,
  refused: null,
};

it("finds the spans over the deadline and names the scale out under way", () => {
  const misses = deadlineMisses("elastic", rows, [waited], 5_000, (t) => Math.floor(t / 10) + 1, 50);
  expect(
    misses.map(({ fromS, toS, xways, worstMs, vmsInUse }) => [fromS, toS, xways, worstMs, vmsInUse]),
  ).toEqual([
    [2, 8, 1, 7000, 10],
    [100, 100, 11, 9000, 50],
  ]);
  expect(misses[0].why).toBe(
    "the split of cars#1 asked at 0 s, waited 45 s for its VMs (the pool was empty), handed over at 46 s after a 900 ms pause",
  );
  expect(misses[1].why).toMatch(/no scale out under way: the 50 VMs in use were the cap/);
});

it("finds nothing when every answer is within the deadline", () => {
  expect(deadlineMisses("static", rows.slice(0, 1), [], 5_000, () => 1, 50)).toEqual([]);
});
