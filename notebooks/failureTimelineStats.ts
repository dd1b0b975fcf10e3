// The failure timeline's statistics (notebooks/failureTimeline.ts): per strategy, its
// runs' recovery times over the seeds (median, mean and the Student t 95% interval of the
// mean, lab/stats.ts), how they split into waiting for the replacement and catching up,
// and how many runs gave exactly the failure-free output; and the per-second series the
// timelines draw from a run's 100 ms metrics rows.

import type { MetricsRow } from "../engine/index.js";
import { mean, median, tInterval } from "../lab/index.js";
import type { TimelineRun } from "./failureTimelineRuns.js";
import type { Strategy } from "./failureTimelineSetting.js";

/** One strategy's recoveries over the seeds. */
export interface StrategyStats {
  readonly strategy: Strategy;
  readonly runs: number;
  /** Recovery times of the runs that caught up, by seed order. */
  readonly recoveriesMs: readonly number[];
  readonly medianMs: number;
  readonly meanMs: number;
  /** 95% interval of the mean; null below two runs that caught up. */
  readonly ci95: { readonly low: number; readonly high: number } | null;
  /** Median time from the failure to the replacement's start (detection, a VM, the restore). */
  readonly restoredAfterMs: number;
  /** Median time from the replacement's start to caught up (replay and backlog). */
  readonly catchUpMs: number;
  /** Median time from the failure to its detection. */
  readonly detectionMs: number;
  /** Runs whose output is exactly the failure-free run's. */
  readonly exact: number;
}

/** The statistics of `strategy`'s runs among `runs`. */
export function strategyStats(strategy: Strategy, runs: readonly TimelineRun[]): StrategyStats {
  const mine = runs.filter((r) => r.strategy === strategy);
  const recs = mine.map((r) => r.summary.recoveries[0]).filter((r) => r !== undefined);
  const recoveriesMs = recs.flatMap((r) => (r.recoveryMs === null ? [] : [r.recoveryMs]));
  const gaps = (f: (r: (typeof recs)[number]) => number | null) =>
    median(recs.flatMap((r) => (f(r) === null ? [] : [f(r) as number])));
  return {
    strategy,
    runs: mine.length,
    recoveriesMs,
    medianMs: median(recoveriesMs),
    meanMs: mean(recoveriesMs),
    ci95: tInterval(recoveriesMs, 0.95),
    restoredAfterMs: gaps((r) => (r.restoredAtMs === null ? null : r.restoredAtMs - r.failedAtMs)),
    catchUpMs: gaps((r) =>
      r.restoredAtMs === null || r.caughtUpAtMs === null ? null : r.caughtUpAtMs - r.restoredAtMs,
    ),
    detectionMs: gaps((r) => (r.detectedAtMs === null ? null : r.detectedAtMs - r.failedAtMs)),
    exact: mine.filter((r) => r.exact).length,
  };
}

/** True when the 95% intervals of `a` and `b` are both known and do not overlap. */
export function separated(a: StrategyStats, b: StrategyStats): boolean {
  return a.ci95 !== null && b.ci95 !== null && (a.ci95.high < b.ci95.low || b.ci95.high < a.ci95.low);
}

/** A second of a run: tuples out during it, and the highest 99th-percentile latency of its intervals (null: no output). */
export interface Second {
  readonly timeS: number;
  readonly tuplesOut: number;
  readonly latencyP99Ms: number | null;
}

/**
 * The seconds `fromS` + 1 to `toS` of a run's rows: each second (s - 1, s] sums the
 * tuples out of the intervals ending in it and takes the highest of their 99th
 * percentiles (a second's own percentile is not in the rows).
 */
export function perSecond(rows: readonly MetricsRow[], fromS: number, toS: number): Second[] {
  const seconds: { tuplesOut: number; p99: number }[] = [];
  for (let s = fromS + 1; s <= toS; s++) seconds.push({ tuplesOut: 0, p99: Number.NaN });
  for (const r of rows) {
    // The second an interval ends in, from its end in whole ms (no float noise at a boundary).
    const s = Math.ceil(Math.round(r.timeS * 1000) / 1000);
    const at = seconds[s - fromS - 1];
    if (at === undefined) continue;
    at.tuplesOut += r.tuplesOut;
    if (Number.isFinite(r.latencyP99Ms) && !(r.latencyP99Ms <= at.p99)) at.p99 = r.latencyP99Ms;
  }
  return seconds.map((x, i) => ({
    timeS: fromS + 1 + i,
    tuplesOut: x.tuplesOut,
    latencyP99Ms: Number.isNaN(x.p99) ? null : x.p99,
  }));
}
