// A run's metrics.csv read back: the rows a Metrics recorder wrote come back as they were
// (a figure with no line, NaN again; every VM's CPU), from text and from a run directory,
// and a file that is not a metrics.csv is refused with its line named.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Metrics } from "../../engine/index.js";
import { parseMetricsCsv, readRunMetrics } from "../../lab/runMetrics.js";

/** Three intervals: outputs with latencies, one without outputs (no latency), and a VM that comes and goes. */
function recorded(): Metrics {
  const m = new Metrics({ intervalMs: 100 });
  m.addTuplesIn(40, 50);
  m.addTuplesOut(12);
  m.addLatency(25, 10);
  m.addLatency(250, 2);
  m.closeInterval(100, {
    queueLength: 3,
    cpuByVm: new Map([
      [0, 0.5],
      [2, 0.125],
    ]),
  });
  m.addTuplesIn(7, 150);
  m.closeInterval(200, { queueLength: 9, cpuByVm: new Map([[0, 1]]) });
  m.addTuplesOut(5);
  m.addLatency(40, 5);
  m.closeInterval(300, { queueLength: 0, vmsInUse: 4, cpuByVm: new Map() });
  return m;
}

describe("parseMetricsCsv", () => {
  it("gives back the rows the recorder wrote, a figure without a line as NaN", () => {
    const m = recorded();
    const rows = parseMetricsCsv(m.toCsv(), "metrics.csv");
    expect(rows).toEqual(m.rows());
    expect(rows.map((r) => r.timeS)).toEqual([0.1, 0.2, 0.3]);
    expect(rows[1].tuplesOut).toBe(0);
    expect(rows[1].latencyP99Ms).toBeNaN();
    expect(rows[2].cpuMean).toBeNaN();
    expect([...rows[0].cpuByVm]).toEqual([
      [0, 0.5],
      [2, 0.125],
    ]);
  });

  it("reads a run directory's metrics.csv", () => {
    const dir = mkdtempSync(join(tmpdir(), "run-metrics-"));
    const m = recorded();
    writeFileSync(join(dir, "metrics.csv"), m.toCsv());
    expect(readRunMetrics(dir)).toEqual(m.rows());
  });

  it("refuses what is not a metrics.csv, naming the line", () => {
    expect(() => parseMetricsCsv("a,b,c\n", "x.csv")).toThrow(/x\.csv: not a metrics\.csv/);
    expect(() => parseMetricsCsv("timeS,metric,scope,value\n0.1,tuplesOut,run\n", "x.csv")).toThrow(
      /x\.csv:2: not a line/,
    );
    expect(() => parseMetricsCsv("timeS,metric,scope,value\n0.1,speed,run,3\n", "x.csv")).toThrow(
      /x\.csv:2: unknown figure speed of run/,
    );
    expect(() =>
      parseMetricsCsv("timeS,metric,scope,value\n0.2,tuplesOut,run,1\n0.1,tuplesOut,run,1\n", "x.csv"),
    ).toThrow(/x\.csv:3: time 0.1 s is not after 0.2 s/);
  });
});
