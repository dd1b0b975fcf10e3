// Recovery time, as this testbed defines it (README, "Fault tolerance"): from the failure
// to the moment the output has caught up, the first metrics interval after the restore
// whose 99th-percentile latency is back within a margin of its level before the failure.
// The level before is the median p99 of the (up to) ten intervals that ended before the
// failure; the margin is 50% of that level or 100 ms, whichever is larger.

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
 * When the output caught up after a failure at `failedAtMs` whose replacements started at
 * `restoredAtMs`: the end of the first interval ending after the restore with output and
 * a p99 within the margin of the level before. Null when it never did (or when there was
 * no output before the failure to compare with: then the first interval with output).
 */
export function caughtUpAtMs(
  rows: readonly MetricsRow[],
  failedAtMs: number,
  restoredAtMs: number,
): number | null {
  const level = latencyLevelMs(rows, failedAtMs);
  const bound = Number.isNaN(level)
    ? Number.POSITIVE_INFINITY
    : Math.max(level * (1 + CAUGHT_UP_RELATIVE), level + CAUGHT_UP_ABSOLUTE_MS);
  for (const r of rows) {
    const end = r.timeS * 1000;
    if (end <= restoredAtMs || Number.isNaN(r.latencyP99Ms) || r.tuplesOut === 0) continue;
    if (r.latencyP99Ms <= bound) return end;
  }
  return null;
}
