// What every notebook is run with: its size, its seed, where its runs are kept, and where
// its progress goes.

/**
 * Progress over a report's runs, one bounded count for the whole report ("run 7 of 30"):
 * a notebook says how many runs it will do before it starts them (`expect`, which adds to
 * the total, so a notebook with two sweeps may call it once for both or once each, as
 * long as each call comes before its runs start), then each run that ends (`finished`).
 * Between ends, `within` tells how far the runs under way are (notebooks/lib/reportSweep.ts
 * does, from the pool's processes), so that a report of a few long runs still moves.
 */
export interface RunProgress {
  expect(runs: number): void;
  finished(what: string, failed?: boolean): void;
  /** The runs under way have done this many runs' worth between them (each a share from 0 to 1 of its own). */
  within?(runs: number): void;
}

/** Options of a notebook run. */
export interface NotebookOptions {
  readonly quick: boolean;
  /** The smallest sizes that still draw every figure (tests); implies quick where a notebook has none smaller. */
  readonly tiny?: boolean;
  readonly seed?: number;
  /**
   * Where the report's runs are kept: sweeps write each run's files under it (one
   * directory per sweep), so that a report interrupted and started again with the same
   * directory does only the runs still missing (lab/'s runSweep resumes). Absent: runs
   * are kept in memory only.
   */
  readonly runsDir?: string;
  /** Ctrl-C: a notebook's sweeps stop, keeping their runs (notebooks/lib/reportSweep.ts). */
  readonly signal?: AbortSignal;
  /** Progress over the report's runs (absent: none shown). */
  readonly runs?: RunProgress;
  /** A measured step begins (a notebook that times real work says what it is doing). */
  readonly onStep?: (what: string) => void;
}
