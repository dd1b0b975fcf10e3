// Figures from samples: the median, a median of repeated runs, a trimmed mean, and the
// rounding to thousandths that measured parameters are reported with.

/** The median of a list of numbers. */
export function median(xs: readonly number[]): number {
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

/** The mean of `xs` less its highest and lowest tenth (NaN when empty). */
export function trimmedMean(xs: readonly number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const cut = Math.floor(s.length / 10);
  const kept = s.slice(cut, s.length - cut);
  return kept.length === 0 ? Number.NaN : kept.reduce((a, b) => a + b, 0) / kept.length;
}

/** `x` rounded to thousandths. */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
