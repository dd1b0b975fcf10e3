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

/** A running total of the tuples one instance processed, as a heartbeat found it at run time `atMs`. */
export interface ProcessedSample {
  readonly atMs: number;
  readonly processed: number;
}

/** The drain has begun once an instance processes at this many times its rate before the failure. */
export const DRAINING_RATE_FACTOR = 2;
/** ... and is over at the end of the first interval after that at most this many times that rate. */
export const DRAINED_RATE_FACTOR = 1.25;

/** The shortest interval a rate is read over, in ms (heartbeats come every 100 ms in the benchmarks). */
export const RATE_INTERVAL_MIN_MS = 80;

/** Tuples a ms between the first and last of `samples` (NaN for fewer than two, or no time between). */
export function rateOf(samples: readonly ProcessedSample[]): number {
  if (samples.length < 2) return Number.NaN;
  const a = samples[0];
  const b = samples[samples.length - 1];
  return b.atMs > a.atMs ? (b.processed - a.processed) / (b.atMs - a.atMs) : Number.NaN;
}

/** Tuples a ms of the lost incarnation over the 5 s before `failedAtMs`: the input's rate, which it kept up with. */
export function rateBefore(before: readonly ProcessedSample[], failedAtMs: number): number {
  return rateOf(before.filter((s) => s.atMs <= failedAtMs && s.atMs > failedAtMs - 5_000));
}

/**
 * When a recovered instance has drained its backlog, by its own work rather than by the
 * queues: a backlog may wait in its upstreams' buffers, held for flow-control credit, as
 * much as in its inbox, where a queue gauge does not see it. `before` are the lost
 * incarnation's running totals, `after` its replacement's. The rate before is the lost
 * one's over the 5 s before `failedAtMs` (the input's rate, which it kept up with); after
 * `restoredAtMs`, the drain begins with the first heartbeat interval processed at
 * DRAINING_RATE_FACTOR times that rate or more (the replay arriving), and ends with the
 * first interval after it back at DRAINED_RATE_FACTOR times it or less: the end of that
 * interval, so to within one heartbeat period. `restoredAtMs` when the rate never rose (no
 * backlog); NaN when it never came back down, or when there is no rate before.
 */
export function processingDrainedAtMs(
  before: readonly ProcessedSample[],
  after: readonly ProcessedSample[],
  failedAtMs: number,
  restoredAtMs: number,
): number {
  const steady = rateBefore(before, failedAtMs);
  if (!(steady > 0)) return Number.NaN;
  // Over intervals of at least RATE_INTERVAL_MIN_MS (two answers close together say little
  // of a rate), leaving out a total below one before it (a reply that crossed a later one).
  const samples = [...after].sort((a, b) => a.atMs - b.atMs);
  let draining = false;
  let a: ProcessedSample | null = null;
  for (const b of samples) {
    if (a !== null && b.processed < a.processed) continue;
    if (a === null || b.atMs <= restoredAtMs) {
      a = b;
      continue;
    }
    if (b.atMs - a.atMs < RATE_INTERVAL_MIN_MS) continue;
    const rate = (b.processed - a.processed) / (b.atMs - a.atMs);
    a = b;
    if (!draining) draining = rate >= DRAINING_RATE_FACTOR * steady;
    else if (rate <= DRAINED_RATE_FACTOR * steady) return b.atMs;
  }
  return draining ? Number.NaN : restoredAtMs;
}
