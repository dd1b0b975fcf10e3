// Tests of the per-interval metrics: rows, CSV, totals and the whole-run latency summary.

import { describe, expect, it } from "vitest";
import { Metrics } from "../../../engine/metrics/metrics.js";

/** Three intervals: VM 1 throughout, VM 2 from the second, an empty third interval. */
function smallRun(): Metrics {
  const m = new Metrics();
  m.addTuplesIn(100);
  m.addTuplesOut(80);
  m.addLatency(10, 40);
  m.addLatency(20, 40);
  m.closeInterval(1000, { queueLength: 20, vmsInUse: 1, cpuByVm: new Map([[1, 0.5]]) });
  m.addTuplesIn(50);
  m.addTuplesOut(70);
  m.addLatency(30, 70);
  const cpuByVm = new Map([
    [2, 0.25],
    [1, 0.75],
  ]);
  m.closeInterval(2000, { queueLength: 0, vmsInUse: 2, cpuByVm });
  m.closeInterval(3000, { queueLength: 0, vmsInUse: 0, cpuByVm: new Map() });
  return m;
}

describe("Metrics", () => {
  it("closes an interval into one row and starts the next from zero", () => {
    const [first, second, third] = smallRun().rows();
    expect(first).toMatchObject({
      timeS: 1,
      tuplesIn: 100,
      tuplesOut: 80,
      latencyMaxMs: 20,
      queueLength: 20,
      vmsInUse: 1,
      cpuMean: 0.5,
      cpuMax: 0.5,
    });
    expect(first.latencyP50Ms).toBeCloseTo(10, 1);
    expect(first.latencyP99Ms).toBeCloseTo(20, 1);
    expect(second).toMatchObject({ timeS: 2, tuplesIn: 50, tuplesOut: 70, latencyMaxMs: 30, cpuMax: 0.75 });
    expect(second.latencyP50Ms).toBeCloseTo(30, 1);
    expect(second.cpuMean).toBe(0.5);
    expect(third).toMatchObject({ timeS: 3, tuplesIn: 0, tuplesOut: 0, vmsInUse: 0 });
    expect(third.latencyP50Ms).toBeNaN();
    expect(third.cpuMean).toBeNaN();
  });

  it("writes CSV with one column per VM ever seen and empty cells for missing figures", () => {
    const lines = smallRun().toCsv().trimEnd().split("\n");
    expect(lines[0]).toBe(
      "timeS,tuplesIn,tuplesOut,latencyP50Ms,latencyP99Ms,latencyMaxMs,queueLength,vmsInUse,cpuMean,cpuMax,cpuVm1,cpuVm2",
    );
    const cells = lines.map((l) => l.split(","));
    expect(cells[1].slice(0, 3)).toEqual(["1", "100", "80"]);
    expect(cells[1].slice(5)).toEqual(["20", "20", "1", "0.5", "0.5", "0.5", ""]);
    expect(cells[2].slice(5)).toEqual(["30", "0", "2", "0.5", "0.75", "0.75", "0.25"]);
    expect(lines[3]).toBe("3,0,0,,,,0,0,,,,");
    expect(lines).toHaveLength(4);
  });

  it("keeps totals and a whole-run latency summary across intervals", () => {
    const m = smallRun();
    m.addTuplesIn(5);
    expect(m.tuplesInTotal).toBe(155);
    expect(m.tuplesOutTotal).toBe(150);
    const s = m.latencySummary();
    expect(s.count).toBe(150);
    expect(s.max).toBe(30);
    expect(s.mean).toBeCloseTo((10 * 40 + 20 * 40 + 30 * 70) / 150, 9);
    expect(Math.abs(s.p50 - 20)).toBeLessThan(0.2);
    expect(Math.abs(s.p99 - 30)).toBeLessThan(0.3);
  });

  it("falls back on vmCount when the gauges leave out the VMs in use", () => {
    const m = new Metrics({ intervalMs: 500, vmCount: () => 7 });
    expect(m.intervalMs).toBe(500);
    expect(m.closeInterval(500, { queueLength: 0, cpuByVm: new Map() }).vmsInUse).toBe(7);
  });

  it("refuses interval ends that do not move forward and negative counts", () => {
    const m = new Metrics();
    m.closeInterval(1000, { queueLength: 0, vmsInUse: 0, cpuByVm: new Map() });
    expect(() => m.closeInterval(1000, { queueLength: 0, vmsInUse: 0, cpuByVm: new Map() })).toThrow(
      RangeError,
    );
    expect(() => m.addTuplesIn(-1)).toThrow(RangeError);
    expect(() => new Metrics({ intervalMs: 0 })).toThrow(RangeError);
  });
});
