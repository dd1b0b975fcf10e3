// The search for an L-rating: the largest number of expressways whose run validates and
// meets the deadline. L doubles from 1 until a run fails (or the cap is reached), then
// bisects between the largest pass and the smallest failure. Pure, so it can be tested
// without running anything.

/** The outcome of one rated run. */
export interface RatedRun {
  readonly xways: number;
  readonly passed: boolean;
}

/** The next L to try after `runs`, or null when the rating is known. */
export function nextXways(runs: readonly RatedRun[], maxXways: number): number | null {
  if (runs.length === 0) return 1;
  const passed = runs.filter((r) => r.passed).map((r) => r.xways);
  const failed = runs.filter((r) => !r.passed).map((r) => r.xways);
  const best = passed.length === 0 ? 0 : Math.max(...passed);
  const worst = failed.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...failed);
  if (best === 0) return null; // even L=1 failed
  if (!Number.isFinite(worst)) return best >= maxXways ? null : Math.min(best * 2, maxXways);
  if (worst - best <= 1) return null;
  return Math.floor((best + worst) / 2);
}

/** The L-rating the runs establish: the largest L that passed (0 when none did). */
export function lRating(runs: readonly RatedRun[]): number {
  const failed = runs.filter((r) => !r.passed).map((r) => r.xways);
  const worst = failed.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...failed);
  return runs.filter((r) => r.passed && r.xways < worst).reduce((m, r) => Math.max(m, r.xways), 0);
}
