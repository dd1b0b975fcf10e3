// A benchmark run several times over, figure by figure: the median, the range and the runs
// of each figure and of its same-run baseline, so that a reader can tell a slow system
// from a busy machine. Figures are matched by their position in each run's list, and
// their names must have the same shape: the same words, only the numbers in them may
// differ (a real benchmark names the keys it measured, "count holding 960482 keys"); a
// number that differs between runs is shown as its range in the merged name. Targets
// merge the same way. A figure whose value is not finite in a run (a backlog never
// drained) has that run left out of its median and range, and counted as such.

import { median } from "../measure/statistics.js";
import type { BenchResult } from "./benchResult.js";

/** One run of a benchmark: its figures and the machine's 1-min load average at its start and end. */
export interface BenchRun {
  readonly results: readonly BenchResult[];
  readonly loadAtStart: number;
  readonly loadAtEnd: number;
}

/** A figure's values over the runs: median and range of the finite ones, and every run's value. */
export interface Spread {
  /** Every run's value, in run order (NaN or Infinity where a run measured none). */
  readonly values: readonly number[];
  /** Median of the finite values (the mean of the two middle ones for an even count); NaN when none. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** How many values are finite: the runs the median and range are over. */
  readonly finite: number;
}

/** One figure over the runs, beside its baseline over the same runs. */
export interface RepeatedFigure {
  readonly name: string;
  readonly unit: string;
  readonly value: Spread;
  readonly baseline?: { readonly name: string; readonly unit: string; readonly value: Spread };
  /** The figure's median over its baseline's median. */
  readonly ratioOfMedians?: number;
  readonly target?: string;
}

/** A benchmark's figures over its runs, with the machine's load around each run. */
export interface BenchReport {
  readonly benchmark: string;
  readonly quick: boolean;
  readonly runs: number;
  readonly cpuCount: number;
  /** The 1-min load average at the start and the end of each run, in run order. */
  readonly loads: readonly { readonly atStart: number; readonly atEnd: number }[];
  readonly figures: readonly RepeatedFigure[];
}

/** Runs whose figures do not line up: a benchmark's bug, not the machine's (one line). */
export class FigureMismatch extends Error {
  override readonly name = "FigureMismatch";
}

const NUMBER = /\d+(?:\.\d+)?/g;

/** The median, range and count of the finite numbers among `values`. */
export function spreadOf(values: readonly number[]): Spread {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0)
    return { values: [...values], median: Number.NaN, min: Number.NaN, max: Number.NaN, finite: 0 };
  return {
    values: [...values],
    median: median(finite),
    min: Math.min(...finite),
    max: Math.max(...finite),
    finite: finite.length,
  };
}

/**
 * One name for the names a figure had in each run: their words must be the same; a number
 * that differs is given as its range ("960482-975310"). `what` names the figure in the error.
 */
export function mergedName(names: readonly string[], what: string): string {
  const shape = (s: string) => s.replace(NUMBER, "#");
  const first = names[0];
  const other = names.findIndex((n) => shape(n) !== shape(first));
  if (other >= 0)
    throw new FigureMismatch(`${what} is "${names[other]}" in run ${other + 1} but "${first}" in run 1`);
  const numbers = names.map((n) => n.match(NUMBER) ?? []);
  let at = 0;
  return first.replace(NUMBER, (own) => {
    const all = numbers.map((ns) => ns[at]);
    at++;
    const values = all.map(Number);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    return lo === hi ? own : `${all[values.indexOf(lo)]}-${all[values.indexOf(hi)]}`;
  });
}

/** The figures of `runs` (of benchmark `benchmark`), each over every run. */
export function aggregateRuns(benchmark: string, runs: readonly BenchRun[]): RepeatedFigure[] {
  if (runs.length === 0) throw new FigureMismatch(`${benchmark}: no runs to aggregate`);
  const count = runs[0].results.length;
  const uneven = runs.findIndex((r) => r.results.length !== count);
  if (uneven >= 0)
    throw new FigureMismatch(
      `${benchmark}: run ${uneven + 1} gave ${runs[uneven].results.length} figures, run 1 gave ${count}`,
    );
  return runs[0].results.map((_, i) =>
    figureOver(
      `${benchmark}: figure ${i + 1}`,
      runs.map((r) => r.results[i]),
    ),
  );
}

/** One figure (`what` names it) from its result in each run. */
function figureOver(what: string, results: readonly BenchResult[]): RepeatedFigure {
  sameAcross(
    what,
    "unit",
    results.map((r) => r.unit),
  );
  const value = spreadOf(results.map((r) => r.value));
  const targets = results.map((r) => r.target);
  if (targets.some((t) => t === undefined)) sameAcross(what, "target", targets);
  const target = targets[0] === undefined ? undefined : mergedName(targets as string[], `${what}'s target`);
  const figure = {
    name: mergedName(
      results.map((r) => r.name),
      what,
    ),
    unit: results[0].unit,
    value,
  };
  const baselines = results.map((r) => r.baseline);
  if (baselines.every((b) => b === undefined)) return { ...figure, target };
  if (baselines.some((b) => b === undefined))
    throw new FigureMismatch(`${what} has a baseline in some runs and not in others`);
  const bs = baselines as NonNullable<BenchResult["baseline"]>[];
  sameAcross(
    `${what}'s baseline`,
    "unit",
    bs.map((b) => b.unit),
  );
  const baseline = {
    name: mergedName(
      bs.map((b) => b.name),
      `${what}'s baseline`,
    ),
    unit: bs[0].unit,
    value: spreadOf(bs.map((b) => b.value)),
  };
  return { ...figure, baseline, ratioOfMedians: value.median / baseline.value.median, target };
}

/** Refuse values of `field` (of `what`) that differ between runs. */
function sameAcross(what: string, field: string, values: readonly (string | undefined)[]): void {
  const other = values.findIndex((v) => v !== values[0]);
  if (other >= 0)
    throw new FigureMismatch(
      `${what}'s ${field} is ${String(values[other])} in run ${other + 1} but ${String(values[0])} in run 1`,
    );
}
