// Figures from samples: the median, a median of repeated runs, a trimmed mean, the finite
// samples of a probe, and the rounding to thousandths that measured parameters are
// reported with. A figure of no samples is an error (MeasurementError naming what was
// measured), never NaN.

import { MeasurementError } from "./measurementError.js";

/** The median of a list of numbers; `what` names them in the error when there are none. */
export function median(xs: readonly number[], what = "a median"): number {
  if (xs.length === 0) throw new MeasurementError(`${what}: no samples to take the median of`);
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Run `fn` `runs` times and return the median of what it returns. */
export function medianOf(runs: number, fn: () => number): number {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(fn());
  return median(xs);
}

/** The mean of `xs` less its highest and lowest tenth (non-finite samples left out); an error when none is left. */
export function trimmedMean(xs: readonly number[], what = "a trimmed mean"): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const cut = Math.floor(s.length / 10);
  const kept = s.slice(cut, s.length - cut);
  if (kept.length === 0) throw new MeasurementError(`${what}: no samples to take the mean of`);
  return kept.reduce((a, b) => a + b, 0) / kept.length;
}

/**
 * The finite samples of probe `probe` (a try that got no answer in time is NaN); an error
 * naming the probe when none of its tries yielded one.
 */
export function probeSamples(probe: string, xs: readonly number[]): number[] {
  const kept = xs.filter((x) => Number.isFinite(x));
  if (kept.length === 0)
    throw new MeasurementError(
      `probe "${probe}" yielded nothing: ${xs.length === 0 ? "it made no tries" : `none of its ${xs.length} tries was answered`}`,
    );
  return kept;
}

/** `x` rounded to thousandths. */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
