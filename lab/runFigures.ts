// A run's summary (sim/summary.ts) as the flat figures of a sweep's table: one scalar a
// column, no JSON in a cell. Lists become counts and, for recoveries, the mean and
// highest recovery time and the sum of the times to detect and restore; the latency
// percentiles and the fault-tolerance counters become columns of their own. `wallSeconds`
// is the one figure that differs between two runs of one experiment and seed. Which
// figures are numbers (and so are aggregated over seeds, lab/sweepTables.ts) is said here.

import type { SimSummary } from "../sim/index.js";
import { mean } from "./stats.js";

/** A cell of a sweep's table. */
export type Cell = number | string | boolean | null;

/** A figure of a run: its column, whether it is aggregated over seeds, and its value. */
interface Figure {
  readonly name: string;
  /** A number aggregated over seeds (median, mean, CI); the others are only listed. */
  readonly numeric: boolean;
  readonly of: (s: SimSummary) => Cell;
}

const recoveryTimes = (s: SimSummary) =>
  s.recoveries.map((r) => r.recoveryMs).filter((ms): ms is number => ms !== null);

const FIGURES: readonly Figure[] = [
  { name: "simulatedSeconds", numeric: true, of: (s) => s.simulatedSeconds },
  { name: "wallSeconds", numeric: true, of: (s) => s.wallSeconds },
  { name: "events", numeric: true, of: (s) => s.events },
  { name: "tuplesIn", numeric: true, of: (s) => s.tuplesIn },
  { name: "tuplesOut", numeric: true, of: (s) => s.tuplesOut },
  { name: "latencyP50Ms", numeric: true, of: (s) => s.latencyMs.p50 },
  { name: "latencyP99Ms", numeric: true, of: (s) => s.latencyMs.p99 },
  { name: "latencyMaxMs", numeric: true, of: (s) => s.latencyMs.max },
  { name: "vmsMax", numeric: true, of: (s) => s.vmsMax },
  { name: "vmSeconds", numeric: true, of: (s) => s.vmSeconds },
  { name: "networkBytes", numeric: true, of: (s) => s.networkBytes },
  { name: "failures", numeric: true, of: (s) => s.failures.length },
  { name: "recoveries", numeric: true, of: (s) => s.recoveries.length },
  {
    name: "recoveriesCaughtUp",
    numeric: true,
    of: (s) => s.recoveries.filter((r) => r.recoveryMs !== null).length,
  },
  {
    name: "recoveryMsMean",
    numeric: true,
    of: (s) => (recoveryTimes(s).length === 0 ? null : mean(recoveryTimes(s))),
  },
  {
    name: "recoveryMsMax",
    numeric: true,
    of: (s) => (recoveryTimes(s).length === 0 ? null : Math.max(...recoveryTimes(s))),
  },
  {
    name: "detectionMsMean",
    numeric: true,
    of: (s) =>
      s.recoveries.length === 0 ? null : mean(s.recoveries.map((r) => r.detectedAtMs - r.failedAtMs)),
  },
  { name: "scalings", numeric: true, of: (s) => s.scaleOuts.length },
  { name: "shedTuples", numeric: true, of: (s) => s.shedTuples },
  { name: "shedShare", numeric: true, of: (s) => s.shedShare },
  { name: "checkpoints", numeric: true, of: (s) => s.faultToleranceCounts?.checkpoints ?? null },
  { name: "snapshots", numeric: true, of: (s) => s.faultToleranceCounts?.snapshots ?? null },
  { name: "faultTolerance", numeric: false, of: (s) => s.faultTolerance },
  { name: "stalled", numeric: false, of: (s) => s.stalled },
  { name: "stoppedAtUntil", numeric: false, of: (s) => s.stoppedAtUntil },
  { name: "sinksLost", numeric: true, of: (s) => s.sinksLost.length },
  { name: "deadlineMet", numeric: false, of: (s) => s.deadlineMet },
  { name: "outputDigest", numeric: false, of: (s) => s.outputDigest },
  { name: "traceHash", numeric: false, of: (s) => s.traceHash },
  { name: "traceRecords", numeric: true, of: (s) => s.traceRecords },
];

/** The figures' columns, in table order. */
export const FIGURE_NAMES: readonly string[] = FIGURES.map((f) => f.name);

/** The figures aggregated over seeds, in table order. */
export const NUMERIC_FIGURES: readonly string[] = FIGURES.filter((f) => f.numeric).map((f) => f.name);

/** Every figure of `summary`, by column. */
export function runFigures(summary: SimSummary): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  for (const f of FIGURES) {
    const v = f.of(summary);
    out[f.name] = typeof v === "number" && !Number.isFinite(v) ? null : v;
  }
  return out;
}
