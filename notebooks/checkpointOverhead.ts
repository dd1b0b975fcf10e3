// Notebook: checkpoint overhead. A keyed count holding many keys runs in this process as a
// real runtime drives it, with no checkpoints and with a checkpoint every few seconds
// (measure/checkpointOverhead.ts measures it: on this process's CPU time, each setting
// against the checkpoint-free segments that bracket it). The figures show throughput and
// batch latency against the checkpoint interval; the table has every figure. Measured, not
// simulated: the numbers are this machine's.

import { measureCheckpointOverhead, OVERHEAD_FULL, OVERHEAD_QUICK } from "../measure/checkpointOverhead.js";
import type { OverheadOptions } from "../measure/checkpointOverheadFigures.js";
import { lineChart } from "./lib/chart.js";
import type { NotebookOptions } from "./lib/options.js";
import { Report } from "./lib/report.js";

// ---- parameters: the benchmark's sizes (OVERHEAD_FULL, OVERHEAD_QUICK), and tiny ones for tests ----

const OVERHEAD_TINY: OverheadOptions = {
  ...OVERHEAD_QUICK,
  keyCount: 20_000,
  baselineSegmentMs: 300,
  warmupMs: 200,
  configs: [
    { intervalMs: 200, periods: 2 },
    { intervalMs: 500, periods: 1 },
  ],
};

/** Measure and build the report. */
export function checkpointOverheadReport(o: NotebookOptions): Report {
  const options = o.tiny ? OVERHEAD_TINY : o.quick ? OVERHEAD_QUICK : OVERHEAD_FULL;

  // ---- the run ----

  o.onStep?.(
    `timing a ${options.keyCount}-key count with checkpoints every ${options.configs.map((c) => c.intervalMs / 1000).join(", ")} s`,
  );
  const r = measureCheckpointOverhead(options);
  if (r.tuplesCounted !== r.tuplesFed) throw new Error(`counted ${r.tuplesCounted} of ${r.tuplesFed} tuples`);

  // ---- the figures ----

  const plain = r.configs.filter((c) => !c.encode).sort((a, b) => (a.intervalMs ?? 0) - (b.intervalMs ?? 0));
  const seconds = (ms: number | null) => (ms ?? 0) / 1000;
  const per = options.clock === "cpu" ? "per CPU second" : "per second";
  const report = new Report(
    "checkpoint-overhead",
    "Checkpoint overhead against the checkpoint interval",
    `A keyed count of ${options.keyCount} keys, fed batches of ${options.batchSize} random keys in this process; ` +
      `copy-on-write checkpoints copied ${options.copyChunkEntries} entries a step between batches. ` +
      `Throughput ${per}; each setting against the checkpoint-free segments around it ` +
      `(they varied by ±${r.baselineSpreadPct.toFixed(1)}%).`,
    {
      command: `npx seep report checkpoint-overhead${o.quick ? " --quick" : ""}`,
      seed: 0,
      parameters: { ...options, configs: options.configs },
    },
  );
  report.figure(
    "throughput",
    "Throughput with a checkpoint every interval, and without checkpoints (the segments around each setting).",
    lineChart({
      title: "Throughput against the checkpoint interval",
      xLabel: "checkpoint interval (s)",
      yLabel: `throughput (tuples ${per})`,
      series: [
        {
          name: "with checkpoints",
          points: plain.map((c) => [seconds(c.intervalMs), c.tuplesPerS] as const),
        },
        {
          name: "no checkpoints",
          points: plain.map((c) => [seconds(c.intervalMs), c.baselineTuplesPerS] as const),
        },
      ],
    }),
    {
      columns: ["intervalS", "tuplesPerS", "baselineTuplesPerS", "lossPct"],
      rows: plain.map((c) => [
        seconds(c.intervalMs),
        Math.round(c.tuplesPerS),
        Math.round(c.baselineTuplesPerS),
        c.lossPct,
      ]),
    },
  );
  report.figure(
    "latency",
    "Batch latency (99th percentile and highest) with a checkpoint every interval; the checkpoint-free run's as a reference.",
    lineChart({
      title: "Batch latency against the checkpoint interval",
      xLabel: "checkpoint interval (s)",
      yLabel: "batch latency (ms)",
      series: [
        {
          name: "99th percentile",
          points: plain.map((c) => [seconds(c.intervalMs), c.latencyMs.p99] as const),
        },
        { name: "highest", points: plain.map((c) => [seconds(c.intervalMs), c.latencyMs.max] as const) },
        {
          name: "no checkpoints, p99",
          points: plain.map((c) => [seconds(c.intervalMs), r.baseline.latencyMs.p99] as const),
        },
      ],
    }),
    {
      columns: ["intervalS", "latencyP50Ms", "latencyP99Ms", "latencyMaxMs", "baselineP99Ms"],
      rows: plain.map((c) => [
        seconds(c.intervalMs),
        c.latencyMs.p50,
        c.latencyMs.p99,
        c.latencyMs.max,
        r.baseline.latencyMs.p99,
      ]),
    },
  );
  report.table("settings", "Every setting", {
    columns: [
      "checkpoint",
      "checkpoints",
      "tuplesPerS",
      "baselineTuplesPerS",
      "lossPct",
      "derivedLossPct",
      "checkpointWorkMsMean",
      "copyOnWriteMsMean",
      "encodeMsMean",
      "cpuShare",
    ],
    rows: r.configs.map((c) => [
      `every ${seconds(c.intervalMs)} s${c.encode ? ", encoded" : ""}`,
      c.checkpoints,
      Math.round(c.tuplesPerS),
      Math.round(c.baselineTuplesPerS),
      Math.round(c.lossPct * 100) / 100,
      Math.round(c.derivedLossPct * 100) / 100,
      Math.round(c.checkpointWorkMsMean * 10) / 10,
      Math.round(c.copyOnWriteMsMean * 10) / 10,
      Number.isFinite(c.encodeMsMean) ? Math.round(c.encodeMsMean * 10) / 10 : null,
      Math.round(c.cpuShare * 100) / 100,
    ]),
  });
  return report;
}
