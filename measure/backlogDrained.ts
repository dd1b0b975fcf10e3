// When the backlog a pause left is drained: after a restore (or a scale out's hand-over),
// the queues first rise above their level before the failure (or pause), the most queued
// in the 10 s before it, as the replay (or the held tuples) arrives; caught up is the end of
// the first metrics interval after that rise whose queue is back at the level. Benchmarks of
// windows that emit nothing before the end cannot see a recovery in output latency; they see
// it in the queues. The rise matters: right after a restore the queues are short because the
// replay has not come yet, and a drain read from the first interval after the restore would
// be over before it began.

import type { MetricsRow } from "../engine/index.js";

/** Within this much of a restore or hand-over the backlog it left shows in the queues, if it ever does. */
export const BACKLOG_SHOWS_WITHIN_MS = 5_000;

/** The most tuples queued in the 10 s before `failedAtMs`: the level a drained backlog is back to. */
export function queueLevelBefore(rows: readonly MetricsRow[], failedAtMs: number): number {
  const before = rows.filter((r) => r.timeS * 1000 <= failedAtMs && r.timeS * 1000 > failedAtMs - 10_000);
  return Math.max(0, ...before.map((r) => r.queueLength));
}

/**
 * End of the first interval after the queues rose above their level before `failedAtMs`
 * (within BACKLOG_SHOWS_WITHIN_MS of `restoredAtMs`) and came back to it; `restoredAtMs`
 * when they never rose; NaN when they never came back.
 */
export function backlogDrainedAtMs(
  rows: readonly MetricsRow[],
  failedAtMs: number,
  restoredAtMs: number,
): number {
  const level = queueLevelBefore(rows, failedAtMs);
  const rise = rows.find(
    (r) =>
      r.timeS * 1000 > restoredAtMs &&
      r.timeS * 1000 <= restoredAtMs + BACKLOG_SHOWS_WITHIN_MS &&
      r.queueLength > level,
  );
  if (rise === undefined) return restoredAtMs;
  const after = rows.find((r) => r.timeS > rise.timeS && r.queueLength <= level);
  return after === undefined ? Number.NaN : after.timeS * 1000;
}
