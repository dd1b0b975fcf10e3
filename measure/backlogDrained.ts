// When the backlog a pause left is drained: the end of the first metrics interval after a
// restore (or a scale out) whose queued tuples are back to their most in the 10 s before
// the failure (or pause). Benchmarks of windows that emit nothing before the end cannot
// see a recovery in output latency; they see it in the queues.

import type { MetricsRow } from "../engine/index.js";

/** The most tuples queued in the 10 s before `failedAtMs`: the level a drained backlog is back to. */
export function queueLevelBefore(rows: readonly MetricsRow[], failedAtMs: number): number {
  const before = rows.filter((r) => r.timeS * 1000 <= failedAtMs && r.timeS * 1000 > failedAtMs - 10_000);
  return Math.max(0, ...before.map((r) => r.queueLength));
}

/** End of the first interval after `restoredAtMs` whose queue is back to its level before `failedAtMs`. */
export function backlogDrainedAtMs(
  rows: readonly MetricsRow[],
  failedAtMs: number,
  restoredAtMs: number,
): number {
  const level = queueLevelBefore(rows, failedAtMs);
  const after = rows.find((r) => r.timeS * 1000 > restoredAtMs && r.queueLength <= level);
  return after === undefined ? Number.NaN : after.timeS * 1000;
}
