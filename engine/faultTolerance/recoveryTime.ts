// Recovery time, as this testbed defines it (README, "Fault tolerance"): from the failure
// to the moment the output has caught up, taken at the resolution of the outputs, not of
// the metrics intervals. The output has caught up at the first sink delivery after the
// restore whose latency is within a bound and after which none is over it, up to the next
// failure (or the run's end): the first within it after the last one over it. An instance
// the failure did not touch keeps delivering with low latency while the recovered one
// catches up; its outputs do not make the run look caught up early, since the recovered
// one's late outputs come after them. The bound is a margin over the latency level before
// the failure: the median p99 of the (up to) ten metrics intervals that ended before it (a
// level, not a moment, so it stays interval-based); the margin is 50% of that level or
// 100 ms, whichever is larger. The outputs of the run's final drain, after its input ended,
// may be the moment when within the bound, but one over it does not put the moment after
// it: they come late in a run without failures too (a last window that only the end of the
// stream closes: a word count like the recovery-time report's delivers it 0.6 s after its
// input, at six times its usual latency).

import type { Deliveries } from "../metrics/deliveryLog.js";
import type { MetricsRow } from "../metrics/metrics.js";

/** Intervals before a failure that set the latency level to come back to. */
export const LEVEL_INTERVALS = 10;
/** Relative margin over the level before the failure. */
export const CAUGHT_UP_RELATIVE = 0.5;
/** Absolute margin, for runs whose latency is tiny. */
export const CAUGHT_UP_ABSOLUTE_MS = 100;

/** The p99 latency level before `failedAtMs` (NaN when no interval before it had output). */
export function latencyLevelMs(rows: readonly MetricsRow[], failedAtMs: number): number {
  const before = rows
    .filter((r) => r.timeS * 1000 <= failedAtMs && !Number.isNaN(r.latencyP99Ms))
    .slice(-LEVEL_INTERVALS)
    .map((r) => r.latencyP99Ms)
    .sort((a, b) => a - b);
  if (before.length === 0) return Number.NaN;
  const mid = before.length >> 1;
  return before.length % 2 === 1 ? before[mid] : (before[mid - 1] + before[mid]) / 2;
}

/**
 * The highest latency an output may have after a failure at `failedAtMs` and count as
 * caught up: the level before the failure plus the margin; infinite when there was no
 * output before the failure to compare with (then any output counts).
 */
export function caughtUpBoundMs(rows: readonly MetricsRow[], failedAtMs: number): number {
  const level = latencyLevelMs(rows, failedAtMs);
  return Number.isNaN(level)
    ? Number.POSITIVE_INFINITY
    : Math.max(level * (1 + CAUGHT_UP_RELATIVE), level + CAUGHT_UP_ABSOLUTE_MS);
}

/** Where a recovery's caught-up moment is looked for, in run time (ms). */
export interface RecoveryWindow {
  /** Every replacement restored and started: only deliveries after it count. */
  readonly restoredAtMs: number;
  /** The next failure after the restore (Infinity: none); deliveries from it on belong to its recovery. */
  readonly untilMs: number;
  /**
   * The end of the run's input (the sources' latest tuple): a delivery after it over the
   * bound is the final drain's, whose latency says nothing of a recovery.
   */
  readonly inputEndMs: number;
}

/**
 * When the output caught up after a failure, with outputs over `boundMs` not caught up:
 * among the deliveries after the restore and before the next failure, the first one within
 * the bound after the last one over it (only those by the end of the input count as over).
 * Null when there is none: no output after the restore, or none within the bound after
 * the last one over it. An infinite bound (no output before the failure to compare with)
 * gives the first output after the restore. The deliveries need not be in time order.
 */
export function caughtUpAtMs(deliveries: Deliveries, boundMs: number, w: RecoveryWindow): number | null {
  let lastOverMs = w.restoredAtMs;
  for (let i = 0; i < deliveries.length; i++) {
    const t = deliveries.timeMs(i);
    if (t > lastOverMs && t < w.untilMs && t <= w.inputEndMs && deliveries.highestLatencyMs(i) > boundMs)
      lastOverMs = t;
  }
  let caught = Number.POSITIVE_INFINITY;
  for (let i = 0; i < deliveries.length; i++) {
    const t = deliveries.timeMs(i);
    if (t > lastOverMs && t < w.untilMs && t < caught && deliveries.highestLatencyMs(i) <= boundMs)
      caught = t;
  }
  return caught === Number.POSITIVE_INFINITY ? null : caught;
}
