// What every runtime reports of a run in the same shape, so that simulated and real runs
// compare field by field: one output record per tuple a sink received, and the latency
// figures of summary.json.

import type { Metrics } from "./metrics.js";

/** One tuple a sink received, as outputs.csv lists it. */
export interface OutputRecord {
  /** Run time (ms since event time 0) at which the sink processed it. */
  readonly timeMs: number;
  readonly sink: string;
  readonly instance: number;
  readonly key: number;
  readonly eventTimeMs: number;
  readonly value: unknown;
}

/** Latency percentiles of a run in milliseconds; null when no output came. */
export interface LatencyFiguresMs {
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/**
 * The fields every runtime's summary.json has, with the same meaning: a simulated and a
 * real run compare on these. Each runtime's summary extends it with its own.
 */
export interface RunSummaryFields {
  readonly name: string;
  readonly seed: number;
  /** Seconds from event time 0 to the end of the run (virtual in the simulator). */
  readonly simulatedSeconds: number;
  /** Wall-clock seconds of the run; null until the caller, who may read the clock, sets it. */
  wallSeconds: number | null;
  readonly tuplesIn: number;
  readonly tuplesOut: number;
  readonly outputDigest: string;
  readonly latencyMs: LatencyFiguresMs;
  readonly vmsMax: number;
  readonly vmSeconds: number;
  readonly faultTolerance: string;
}

/** A figure rounded to microseconds, as summaries print them. */
export function roundMs(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The whole-run latency figures of `metrics`. */
export function latencyFiguresMs(metrics: Metrics): LatencyFiguresMs {
  const l = metrics.latencySummary();
  if (l.count === 0) return { p50: null, p99: null, max: null };
  return { p50: roundMs(l.p50), p99: roundMs(l.p99), max: roundMs(l.max) };
}
