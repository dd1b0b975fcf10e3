// Statistics of a sweep's figures over seeds: median, mean, sample standard deviation, and
// the Student t 95% confidence interval of the mean, mean +- t(0.975, n-1) s / sqrt(n),
// which assumes the runs' figures are independent draws from a roughly normal
// distribution (the seeds are independent; normality is the usual approximation for a
// handful of runs). The t quantile is computed here, not looked up: the inverse, by
// bisection, of the t distribution's CDF through the regularized incomplete beta function
// (a continued fraction, as in Numerical Recipes 6.4) and a Lanczos log gamma; it agrees
// with the closed forms for 1 and 2 degrees of freedom and with printed t tables
// (test/lab/stats.test.ts). Everything is a pure function of its input: deterministic.

/** The arithmetic mean of `xs` (NaN when empty). */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/** The median of `xs`: the middle value, or the mean of the two middle ones (NaN when empty). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** The sample standard deviation of `xs` (n - 1 in the denominator; NaN below two values). */
export function sampleStdDev(xs: readonly number[]): number {
  if (xs.length < 2) return Number.NaN;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (xs.length - 1));
}

/** A confidence interval. */
export interface Interval {
  readonly low: number;
  readonly high: number;
}

/** The Student t `level` (default 95%) confidence interval of the mean of `xs`; null below two values. */
export function tInterval(xs: readonly number[], level = 0.95): Interval | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  const half =
    (studentTQuantile(1 - (1 - level) / 2, xs.length - 1) * sampleStdDev(xs)) / Math.sqrt(xs.length);
  return { low: m - half, high: m + half };
}

/** The `p` quantile of Student's t distribution with `df` degrees of freedom (0 < p < 1, df > 0). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) throw new RangeError(`t quantile of p=${p}, df=${df}: out of range`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  let lo = 0;
  // Bisection to the last bit: about 60 halvings of [0, hi].
  for (let i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** P(T <= t) for Student's t distribution with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The regularized incomplete beta function I_x(a, b), for 0 <= x <= 1 and a, b > 0. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); else use the symmetry.
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/** The continued fraction of the incomplete beta function (modified Lentz's method). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    // The even step, then the odd one.
    for (const aa of [
      (m * (b - m) * x) / ((a + m2 - 1) * (a + m2)),
      (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1)),
    ]) {
      d = 1 + aa * d;
      if (Math.abs(d) < tiny) d = tiny;
      c = 1 + aa / c;
      if (Math.abs(c) < tiny) c = tiny;
      d = 1 / d;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-16) break;
  }
  return h;
}

/** Lanczos coefficients (g = 7, n = 9). */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Gamma(z), for z > 0 (Lanczos approximation, about 15 significant digits). */
export function logGamma(z: number): number {
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const x = z - 1;
  let a = LANCZOS[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}
