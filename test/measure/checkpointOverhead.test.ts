// The checkpoint-overhead benchmark's measurement at a tiny size: its counts are
// consistent (checkpoints per run, tuples fed and counted, batches and latencies) and its
// report prints. Timings are never asserted: they belong to `npm run bench`.

import { beforeAll, describe, expect, it } from "vitest";
import { measureCheckpointOverhead, targetConfig } from "../../measure/checkpointOverhead.js";
import type { OverheadReport } from "../../measure/checkpointOverheadFigures.js";
import { formatReport } from "../../measure/checkpointOverheadTable.js";

describe("checkpoint-overhead benchmark", () => {
  let report: OverheadReport;
  beforeAll(() => {
    report = measureCheckpointOverhead({
      keyCount: 10_000,
      batchSize: 256,
      copyChunkEntries: 1024,
      clock: "cpu",
      baselineSegmentMs: 100,
      warmupMs: 100,
      configs: [
        { intervalMs: 50, periods: 4 },
        { intervalMs: 100, periods: 2, encode: true },
      ],
    });
  });

  it("baseline segments take no checkpoints and bracket every configuration", () => {
    expect(report.segments).toHaveLength(3);
    for (const s of [...report.segments, report.baseline]) {
      expect(s.intervalMs).toBeNull();
      expect(s.checkpoints).toBe(0);
      expect(Number.isNaN(s.checkpointMsMean)).toBe(true);
    }
    expect(report.baseline.tuples).toBe(report.segments.reduce((n, s) => n + s.tuples, 0));
  });

  it("a run of k intervals takes k checkpoints, each completed", () => {
    expect(report.configs.map((c) => c.checkpoints)).toEqual([4, 2]);
    for (const c of report.configs) {
      expect(c.checkpointMsMean).toBeGreaterThan(0);
      expect(c.checkpointWorkMsMean).toBeGreaterThan(0);
      expect(Number.isFinite(c.copyOnWriteMsMean)).toBe(true);
    }
    expect(Number.isNaN(report.configs[0].encodeMsMean)).toBe(true);
    expect(report.configs[1].encodeMsMean).toBeGreaterThan(0);
  });

  it("throughput, ratios and latencies are sane", () => {
    for (const r of [report.baseline, ...report.configs]) {
      expect(r.tuplesPerS).toBeGreaterThan(0);
      expect(r.wallTuplesPerS).toBeGreaterThan(0);
      expect(r.cpuShare).toBeGreaterThan(0);
      expect(r.tuples).toBe(r.batches * 256);
      expect(r.latencyMs.p50).toBeLessThanOrEqual(r.latencyMs.p99);
      expect(r.latencyMs.p99).toBeLessThanOrEqual(r.latencyMs.max);
    }
    for (const c of report.configs) {
      expect(c.ratio).toBeCloseTo(c.tuplesPerS / c.baselineTuplesPerS, 12);
      expect(c.lossPct).toBeCloseTo((1 - c.ratio) * 100, 9);
    }
  });

  it("every tuple fed is counted, and the last checkpoint holds every key", () => {
    expect(report.tuplesCounted).toBe(report.tuplesFed);
    expect(report.stateKeys).toBe(10_000);
    expect(report.checkpointKeys).toBe(10_000);
    expect(report.encodeBytes).toBeGreaterThan(10_000 * 8);
  });

  it("runs on the wall clock too", () => {
    const wall = measureCheckpointOverhead({
      keyCount: 5000,
      batchSize: 256,
      copyChunkEntries: 1024,
      clock: "wall",
      baselineSegmentMs: 50,
      warmupMs: 50,
      configs: [{ intervalMs: 40, periods: 2 }],
    });
    // A wall-clock run may lose a due checkpoint to a long descheduling; never gains one.
    expect(wall.configs[0].checkpoints).toBeGreaterThanOrEqual(1);
    expect(wall.configs[0].checkpoints).toBeLessThanOrEqual(2);
    expect(wall.baseline.checkpoints).toBe(0);
    expect(wall.tuplesCounted).toBe(wall.tuplesFed);
  });

  it("the report names every configuration and says when the target was not measured", () => {
    const text = formatReport(report);
    expect(text).toContain("every 0.05 s");
    expect(text).toContain("every 0.1 s + encode");
    expect(targetConfig(report)).toBeUndefined();
    expect(text).toContain("not measured");
  });
});
