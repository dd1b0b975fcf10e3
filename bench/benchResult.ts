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
