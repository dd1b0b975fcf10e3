// What a benchmark returns: its figures, each with the baseline measured beside it in the
// same run and the target it is judged against. A file of its own so that the benchmarks,
// their printing and bench/index.ts (which lists them) all name it without a circle.

/** One measured figure. */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: { readonly name: string; readonly value: number; readonly unit: string };
  readonly target?: string;
}

/**
 * A benchmark that could not observe what it measures (the recovery never completed, the
 * run was not taken over, ZooKeeper is not installed): `seep bench` says so in one line,
 * naming the benchmark, and exits 1; not an internal error, since it may be the machine.
 */
export class BenchFailure extends Error {
  override readonly name = "BenchFailure";
}
