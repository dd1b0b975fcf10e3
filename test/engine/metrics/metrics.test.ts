// Tests of the per-interval metrics: rows, metrics.csv (long form), totals and the whole-run latency summary,
// and their snapshot: restored mid-run and fed the rest, the same rows, CSV and summary figures.

import { describe, expect, it } from "vitest";
import { Metrics } from "../../../engine/metrics/metrics.js";
import { metricsCalls, metricsFigures, recordRun, sameBytes } from "./outputEvents.js";

/** Three intervals: VM 1 throughout, VM 2 from the second, an empty third interval. */
function smallRun(): Metrics {
  const m = new Metrics();
  m.addTuplesIn(100, 900);
  m.addTuplesOut(80);
  m.addLatency(10, 40);
  m.addLatency(20, 40);
  m.closeInterval(1000, { queueLength: 20, vmsInUse: 1, cpuByVm: new Map([[1, 0.5]]) });
  m.addTuplesIn(50, 1900);
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

  it("writes metrics.csv in long form: the run's figures, then each VM's, and no line for a figure not measured", () => {
    const lines = smallRun().toCsv().trimEnd().split("\n");
    expect(lines[0]).toBe("timeS,metric,scope,value");
    const first = lines.filter((l) => l.startsWith("1,"));
    expect(first.map((l) => l.split(",").slice(1, 3).join(" "))).toEqual([
      "tuplesIn run",
      "tuplesOut run",
      "latencyP50Ms run",
      "latencyP99Ms run",
      "latencyMaxMs run",
      "queueLength run",
      "vmsInUse run",
      "cpuMean run",
      "cpuMax run",
      "cpu vm:1",
    ]);
    expect(first[0]).toBe("1,tuplesIn,run,100");
    expect(first.at(-1)).toBe("1,cpu,vm:1,0.5");
    // VMs by id, whatever the order the gauges gave them in.
    expect(lines.filter((l) => l.startsWith("2,cpu,"))).toEqual(["2,cpu,vm:1,0.75", "2,cpu,vm:2,0.25"]);
    // The third interval had no output (no latency) and no VM (no CPU figure).
    expect(lines.filter((l) => l.startsWith("3,"))).toEqual([
      "3,tuplesIn,run,0",
      "3,tuplesOut,run,0",
      "3,queueLength,run,0",
      "3,vmsInUse,run,0",
    ]);
    expect(lines).toHaveLength(1 + 10 + 11 + 4);
  });

  it("writes counts whole and other figures to six significant digits", () => {
    const m = new Metrics();
    m.addTuplesIn(12_345_678, 999);
    m.closeInterval(1000, { queueLength: 0, cpuByVm: new Map([[0, 1 / 3]]) });
    const lines = m.toCsv().split("\n");
    expect(lines).toContain("1,tuplesIn,run,12345678");
    expect(lines).toContain("1,cpu,vm:0,0.333333");
  });

  it("keeps totals and a whole-run latency summary across intervals", () => {
    const m = smallRun();
    m.addTuplesIn(5, 2500);
    expect(m.tuplesInTotal).toBe(155);
    expect(m.tuplesOutTotal).toBe(150);
    const s = m.latencySummary();
    expect(s.count).toBe(150);
    expect(s.max).toBe(30);
    expect(s.mean).toBeCloseTo((10 * 40 + 20 * 40 + 30 * 70) / 150, 9);
    expect(Math.abs(s.p50 - 20)).toBeLessThan(0.2);
    expect(Math.abs(s.p99 - 30)).toBeLessThan(0.3);
  });

  it("keeps the time of the latest input, not of the latest call", () => {
    const m = new Metrics();
    expect(m.inputEndMs).toBe(Number.NEGATIVE_INFINITY);
    m.addTuplesIn(5, 2500);
    m.addTuplesIn(3, 2000); // a heartbeat's answer that crossed a later one's
    m.addTuplesIn(0, 9000); // a poll that found nothing
    expect(m.inputEndMs).toBe(2500);
  });

  it("logs each delivery's time and highest latency beside the intervals", () => {
    const m = new Metrics({ intervalMs: 100 });
    m.addDelivery(130, 40);
    m.addDelivery(170, 90);
    m.closeInterval(200, { queueLength: 0, cpuByVm: new Map() });
    m.addDelivery(230, 10);
    const d = m.deliveries();
    expect(Array.from({ length: d.length }, (_, i) => [d.timeMs(i), d.highestLatencyMs(i)])).toEqual([
      [130, 40],
      [170, 90],
      [230, 10],
    ]);
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
    expect(() => m.addTuplesIn(-1, 0)).toThrow(RangeError);
    expect(() => new Metrics({ intervalMs: 0 })).toThrow(RangeError);
  });
});

describe("Metrics' snapshot", () => {
  it("restored at 150 cuts spread over a Linear Road run's calls, then fed the rest, gives the whole run's figures", () => {
    const calls = metricsCalls(recordRun("lrb", 60_321).events);
    const whole = new Metrics();
    for (const call of calls) call(whole);
    const figures = metricsFigures(whole);
    expect(figures.rows.length).toBeGreaterThan(100);
    const step = Math.max(1, Math.floor(calls.length / 150));
    for (let k = 0; k <= calls.length; k += step) {
      const before = new Metrics();
      for (const call of calls.slice(0, k)) call(before);
      const m = Metrics.restore(before.snapshot());
      for (const call of calls.slice(k)) call(m);
      expect(metricsFigures(m), `cut ${k} of ${calls.length}`).toEqual(figures);
    }
  });

  it("keeps the open interval's counts and latencies, and its interval length", () => {
    const m = new Metrics({ intervalMs: 250 });
    m.addTuplesIn(5, 100);
    m.addTuplesOut(4);
    m.addLatency(7, 4);
    const r = Metrics.restore(m.snapshot());
    expect(r.intervalMs).toBe(250);
    expect(r.closeInterval(250, { queueLength: 1, vmsInUse: 1, cpuByVm: new Map() })).toEqual(
      m.closeInterval(250, { queueLength: 1, vmsInUse: 1, cpuByVm: new Map() }),
    );
    expect(() => r.closeInterval(250, { queueLength: 0, cpuByVm: new Map() })).toThrow(RangeError);
  });

  it("takes vmCount from whoever restores it, as it is a function and not in the bytes", () => {
    const m = new Metrics({ vmCount: () => 3 });
    m.closeInterval(1000, { queueLength: 0, cpuByVm: new Map() });
    const r = Metrics.restore(m.snapshot(), { vmCount: () => 5 });
    r.closeInterval(2000, { queueLength: 0, cpuByVm: new Map() });
    expect(r.rows().map((row) => row.vmsInUse)).toEqual([3, 5]);
  });

  it("snapshots a small run's restored metrics to the same bytes and CSV", () => {
    const m = smallRun();
    const bytes = m.snapshot();
    expect(sameBytes(Metrics.restore(bytes).snapshot(), bytes)).toBe(true);
    expect(Metrics.restore(bytes).toCsv()).toBe(m.toCsv());
    expect(Metrics.restore(new Metrics().snapshot()).rows()).toEqual([]);
  });
});
