// Running benchmarks, each as many times as it needs: a real one (on local worker
// processes, at the mercy of whatever else the machine runs) `--runs` times, 3 by default,
// every other one once (those whose figures are noisy take medians of repeated runs
// inside). Around each run the machine's 1-min load average is read, at its start and its
// end; a run that cannot observe its event fails the benchmark naming the run; the runs'
// figures are aggregated (repeatedRuns.ts) and printed (print.ts) as each benchmark ends.
// The table of benchmarks and the machine are handed in, so that tests run fake ones.

import { cpus, loadavg } from "node:os";
import { BenchFailure, type BenchResult } from "./benchResult.js";
import { printReport } from "./print.js";
import { aggregateRuns, type BenchReport, type BenchRun } from "./repeatedRuns.js";

/** A benchmark: its figures from one run, at smaller sizes with `quick`. */
export type Benchmark = (quick: boolean) => BenchResult[] | Promise<BenchResult[]>;

/** Runs of a real benchmark when --runs is not given (the issue's targets are judged on 5). */
export const REAL_RUNS_DEFAULT = 3;

/** Options of a run of benchmarks. */
export interface BenchOptions {
  /** Run only the benchmarks with these names. */
  readonly only?: readonly string[];
  /** Smaller sizes, for a quick look. */
  readonly quick?: boolean;
  /** Runs of each real benchmark (default REAL_RUNS_DEFAULT, 1 with quick); the others run once. */
  readonly runs?: number;
}

/** What is read of the machine around each run; tests hand in their own. */
export interface Machine {
  /** The 1-min load average. */
  readonly loadAvg1Min: () => number;
  readonly cpuCount: number;
}

/** The machine this process runs on. */
export const THIS_MACHINE: Machine = { loadAvg1Min: () => loadavg()[0], cpuCount: cpus().length };

/** How many times a benchmark runs under `options`: `real` says whether it is a real one. */
export function runsOf(real: boolean, options: BenchOptions): number {
  if (!real) return 1;
  return options.runs ?? (options.quick === true ? 1 : REAL_RUNS_DEFAULT);
}

/**
 * Run `benchmark` (named `name`) `runs` times and aggregate its figures. A run that throws
 * BenchFailure fails the whole benchmark, its one line naming the benchmark and, if there
 * are several runs, which one.
 */
export async function repeatBenchmark(
  name: string,
  benchmark: Benchmark,
  runs: number,
  quick: boolean,
  machine: Machine = THIS_MACHINE,
): Promise<BenchReport> {
  const done: BenchRun[] = [];
  for (let i = 0; i < runs; i++) {
    const loadAtStart = machine.loadAvg1Min();
    try {
      const results = await benchmark(quick);
      done.push({ results, loadAtStart, loadAtEnd: machine.loadAvg1Min() });
    } catch (e) {
      if (!(e instanceof BenchFailure)) throw e;
      throw new BenchFailure(`${name}${runs > 1 ? ` (run ${i + 1} of ${runs})` : ""}: ${e.message}`);
    }
  }
  return {
    benchmark: name,
    quick,
    runs,
    cpuCount: machine.cpuCount,
    loads: done.map((r) => ({ atStart: r.loadAtStart, atEnd: r.loadAtEnd })),
    figures: aggregateRuns(name, done),
  };
}

/**
 * Run the benchmarks of `table` that `options` selects (real ones as `isReal` says), in
 * the table's order or `only`'s, writing each one's header and report to `out` as it ends.
 */
export async function runBenchmarkTable(
  table: Readonly<Record<string, Benchmark>>,
  isReal: (name: string) => boolean,
  options: BenchOptions = {},
  out: (text: string) => void = (text) => process.stdout.write(text),
  machine: Machine = THIS_MACHINE,
): Promise<BenchReport[]> {
  const names = options.only ?? Object.keys(table);
  for (const n of names) {
    if (!Object.hasOwn(table, n))
      throw new Error(`unknown benchmark "${n}" (known: ${Object.keys(table).join(", ")})`);
  }
  const quick = options.quick ?? false;
  const reports: BenchReport[] = [];
  for (const n of names) {
    const runs = runsOf(isReal(n), options);
    const how = [...(quick ? ["quick"] : []), ...(runs > 1 ? [`${runs} runs`] : [])];
    out(`# ${n}${how.length > 0 ? ` (${how.join(", ")})` : ""}\n`);
    const report = await repeatBenchmark(n, table[n], runs, quick, machine);
    printReport(report, out);
    reports.push(report);
  }
  return reports;
}
