// The statistics of the recovery-time report: each point of a figure (a curve at one x)
// over its seeds, as the median, the mean and the Student t 95% confidence interval of the
// mean (lab/'s tInterval), with the runs that never caught up counted apart; the series a
// figure draws from them (the mean with point markers, its interval as whiskers, every
// seed's run beside it); and whether two curves' intervals are apart.

import { mean, median, tInterval } from "../lab/index.js";
import type { Series } from "./lib/chart.js";
import type { Table } from "./lib/report.js";
import type { CurveName, Run, Sweep } from "./recoveryTimeRuns.js";

/** One point of a figure: a curve at one x, over its seeds. */
export interface PointStats {
  readonly curve: CurveName;
  readonly x: number;
  /** Runs at the point. */
  readonly runs: number;
  /** Recovery times (ms) of the runs that caught up, in seed order. */
  readonly samplesMs: readonly number[];
  readonly medianMs: number | null;
  readonly meanMs: number | null;
  /** The 95% confidence interval of the mean; null below two runs that caught up. */
  readonly ci95: { readonly lowMs: number; readonly highMs: number } | null;
}

/** The statistics of `curve` at `x` in `sweep`, from its runs. */
export function pointStats(runs: readonly Run[], sweep: string, curve: CurveName, x: number): PointStats {
  const at = runs.filter((r) => r.sweep === sweep && r.curve === curve && r.x === x);
  const samplesMs = at.flatMap((r) => (r.recoveryMs === null ? [] : [r.recoveryMs]));
  const ci = tInterval(samplesMs, 0.95);
  return {
    curve,
    x,
    runs: at.length,
    samplesMs,
    medianMs: samplesMs.length === 0 ? null : median(samplesMs),
    meanMs: samplesMs.length === 0 ? null : mean(samplesMs),
    ci95: ci === null ? null : { lowMs: ci.low, highMs: ci.high },
  };
}

/** Every point of `sweep`, curve by curve. */
export function sweepStats(runs: readonly Run[], sweep: Sweep): PointStats[] {
  return sweep.curves.flatMap((c) => sweep.xs.map((x) => pointStats(runs, sweep.name, c, x)));
}

/** Dash patterns by curve, so that lines on top of each other stay apart. */
const DASHES: Readonly<Record<CurveName, string | undefined>> = {
  rsm: undefined,
  "parallel rsm": "6 3",
  "upstream-backup": "2 2",
  "source-replay": "8 3 2 3",
  "global-snapshot": "4 4",
};

/** The series of a figure in seconds: per curve its means, 95% intervals and every seed's run; `xOf` maps x to the axis. */
export function statsSeries(points: readonly PointStats[], xOf: (x: number) => number): Series[] {
  const curves = [...new Set(points.map((p) => p.curve))];
  return curves.map((curve) => {
    const at = points.filter((p) => p.curve === curve);
    const dash = DASHES[curve];
    return {
      name: curve,
      dots: true,
      ...(dash === undefined ? {} : { dash }),
      points: at.map((p) => [xOf(p.x), p.meanMs === null ? Number.NaN : p.meanMs / 1000] as const),
      intervals: at.flatMap((p) =>
        p.ci95 === null ? [] : [[xOf(p.x), p.ci95.lowMs / 1000, p.ci95.highMs / 1000] as const],
      ),
      samples: at.flatMap((p) => p.samplesMs.map((ms) => [xOf(p.x), ms / 1000] as const)),
    };
  });
}

/** A figure's comparison table: each curve's median, mean and 95% interval at each x. */
export function statsTable(
  points: readonly PointStats[],
  xColumn: string,
  xOf: (x: number) => number,
): Table {
  const ms = (v: number | null | undefined) => (v == null ? null : Math.round(v));
  return {
    columns: ["strategy", xColumn, "runs", "caughtUp", "medianMs", "meanMs", "ci95LowMs", "ci95HighMs"],
    rows: points.map((p) => [
      p.curve,
      xOf(p.x),
      p.runs,
      p.samplesMs.length,
      ms(p.medianMs),
      ms(p.meanMs),
      ms(p.ci95?.lowMs),
      ms(p.ci95?.highMs),
    ]),
  };
}

/** `a`'s 95% interval lies wholly below `b`'s (false when either has none). */
export function below(a: PointStats | undefined, b: PointStats | undefined): boolean {
  return a?.ci95 != null && b?.ci95 != null && a.ci95.highMs < b.ci95.lowMs;
}

/** A point as text: "6.5 s [6.4, 6.6]" (its mean and interval), or why it has none. */
export function pointText(p: PointStats | undefined): string {
  if (p === undefined || p.meanMs === null) return "never caught up";
  const s = (ms: number) => (ms / 1000).toFixed(2);
  return p.ci95 === null ? `${s(p.meanMs)} s` : `${s(p.meanMs)} s [${s(p.ci95.lowMs)}, ${s(p.ci95.highMs)}]`;
}

/** The least-squares slope of the points' means against x (ms of recovery per unit of x); null below two. */
export function slope(points: readonly PointStats[]): number | null {
  const xy = points.flatMap((p) => (p.meanMs === null ? [] : [[p.x, p.meanMs] as const]));
  if (xy.length < 2) return null;
  const mx = mean(xy.map(([x]) => x));
  const my = mean(xy.map(([, y]) => y));
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of xy) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) * (x - mx);
  }
  return sxx === 0 ? null : sxy / sxx;
}
