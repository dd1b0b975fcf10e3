// A sweep: one experiment run at every point of a grid (lab/grid.ts) with every seed, on a
// pool of processes (lab/runPool.ts), as a function of the library (`seep sweep` is its
// command line, cli/commands/sweep.ts; notebooks call it too). Before any run the
// experiment is validated at every axis value and point (lab/sweepValidation.ts). With a
// directory, the sweep writes sweep.json (its definition) first, each run into a directory
// of its own under it (`<point>-<values>-seed<seed>/`: the files `seep sim` writes), and at
// the end the tables (runs.csv and .json, aggregate.csv and .json, lab/sweepTables.ts). A
// run whose summary.json is there already is not run again: running the same sweep into
// its directory resumes it. Without a directory nothing is written and the summaries come
// back in the result. A run that throws or stalls is a failed row, not the end of the
// sweep. Aborting the `signal` (Ctrl-C) stops the pool at once; the runs done are kept and
// the tables are written from them.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { prepareDirectory } from "../cli/outputPath.js";
import { stalledRunFailure } from "../cli/runEnd.js";
import { prettyJson, RUN_FILES, writeFileAtomic } from "../cli/runFiles.js";
import type { Setting } from "../cli/settings.js";
import { resolvedExperiment, type SimSummary } from "../sim/index.js";
import { type ExperimentInput, inputName } from "./experimentInput.js";
import { type GridAxis, type GridPoint, gridPoints, pointLabel, pointSettings } from "./grid.js";
import { errorText } from "./poolTasks.js";
import { runFigures } from "./runFigures.js";
import { defaultJobs, RunPool } from "./runPool.js";
import { claimSweepDirectory, sweepDefinition } from "./sweepDefinition.js";
import {
  type AggregateRow,
  aggregate,
  aggregateCsv,
  aggregateRecords,
  type RunRow,
  runRecords,
  runsCsv,
} from "./sweepTables.js";
import { validateSweep } from "./sweepValidation.js";

/** The files of a sweep's directory, besides sweep.json and the runs' directories. */
export const SWEEP_TABLES = {
  runsCsv: "runs.csv",
  runsJson: "runs.json",
  aggregateCsv: "aggregate.csv",
  aggregateJson: "aggregate.json",
} as const;

/** What a sweep runs, and where. */
export interface SweepOptions {
  readonly experiment: ExperimentInput;
  /** Settings of every run, before the point's (`--set`). */
  readonly settings?: readonly Setting[];
  /** The grid's axes; its points are their cross product. */
  readonly grid?: readonly GridAxis[];
  /** The points outright, instead of a grid's cross product (each a list of path and value). */
  readonly points?: readonly Pick<GridPoint, "values">[];
  /** The seeds every point runs with. */
  readonly seeds: readonly number[];
  /** The sweep's directory; absent: nothing is written. */
  readonly dir?: string;
  /** How the flag that named `dir` is called in errors (default `--out`). */
  readonly dirFlag?: string;
  /** The sinks' outputs of each run (default none). */
  readonly outputs?: "csv" | "csv.gz" | "none";
  /** Processes of the pool (default: the cores this process may use). */
  readonly jobs?: number;
  /** Aborted: stop the pool at once, keep the runs done, write the tables. */
  readonly signal?: AbortSignal;
  /** Called once the sweep is checked and its directory claimed, before any run. */
  readonly onStart?: (plan: SweepPlan) => void;
  /** Called after each run done in this call. */
  readonly onRun?: (row: SweepRow, progress: SweepProgress) => void;
  /** Called as a run under way goes on: its directory name and the share of its simulated time done. */
  readonly onRunProgress?: (run: string, fraction: number) => void;
}

/** What a sweep is about to do. */
export interface SweepPlan {
  readonly total: number;
  /** Runs found complete in the directory, not run again. */
  readonly skipped: number;
  /** Runs to do now. */
  readonly toRun: number;
  /** Processes of the pool. */
  readonly jobs: number;
}

/** How far a sweep is: runs done in this call (of `toRun`), and how many of them failed or stalled. */
export interface SweepProgress {
  readonly done: number;
  readonly toRun: number;
  readonly failed: number;
}

/** A row of the sweep's table, with its run's summary (null when the run failed). */
export interface SweepRow extends RunRow {
  readonly summary: SimSummary | null;
}

/** What a sweep did. */
export interface SweepResult {
  readonly dir: string | null;
  readonly points: readonly GridPoint[];
  /** The rows of the runs done (now or before), in grid order, then by seed. */
  readonly rows: readonly SweepRow[];
  readonly aggregate: readonly AggregateRow[];
  readonly total: number;
  readonly skipped: number;
  /** Rows that stalled or failed. */
  readonly failed: number;
  /** The signal stopped it before every run was done. */
  readonly interrupted: boolean;
}

/** A run of the sweep: its point, seed and directory name. */
interface PlannedRun {
  readonly point: GridPoint;
  readonly seed: number;
  readonly name: string;
}

/** Run the sweep `options` describes (see the file's comment). */
export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const settings = options.settings ?? [];
  const axes = options.grid ?? [];
  const points =
    options.points === undefined
      ? gridPoints(axes)
      : options.points.map((p, index) => ({ index, values: p.values }));
  if (options.seeds.length === 0) throw new RangeError("a sweep needs at least one seed");
  const base = await validateSweep(options.experiment, settings, axes, points, options.seeds[0]);
  const dir = options.dir ?? null;
  const outputs = options.outputs ?? "none";
  if (dir !== null) {
    const flag = options.dirFlag ?? "--out";
    prepareDirectory(dir, flag);
    claimSweepDirectory(
      dir,
      sweepDefinition({
        experiment: inputName(options.experiment),
        resolved: resolvedExperiment(base.experiment),
        settings: settings.map((s) => ({ key: s.key, value: s.value })),
        grid: axes,
        points,
        seeds: options.seeds,
        outputs,
      }),
      flag,
    );
  }
  const planned = points.flatMap((point) =>
    options.seeds.map((seed) => ({ point, seed, name: runName(point, seed, points.length) })),
  );
  const rows = new Map<string, SweepRow>();
  for (const run of planned) {
    const done = dir === null ? null : finishedRow(dir, run);
    if (done !== null) rows.set(run.name, done);
  }
  const toRun = planned.filter((r) => !rows.has(r.name));
  const jobs = Math.max(1, Math.min(options.jobs ?? defaultJobs(), toRun.length));
  options.onStart?.({ total: planned.length, skipped: rows.size, toRun: toRun.length, jobs });
  const interrupted = await runOnPool(toRun, jobs, rows, { ...options, settings, outputs, dir });
  // A run whose process was stopped just after it wrote its summary is done too.
  if (interrupted && dir !== null)
    for (const run of toRun) {
      const done = rows.has(run.name) ? null : finishedRow(dir, run);
      if (done !== null) rows.set(run.name, done);
    }
  const ordered = planned.flatMap((r) => rows.get(r.name) ?? []);
  const aggregated = aggregate(points, ordered);
  if (dir !== null) writeTables(dir, axes, ordered, aggregated);
  return {
    dir,
    points,
    rows: ordered,
    aggregate: aggregated,
    total: planned.length,
    skipped: planned.length - toRun.length,
    failed: ordered.filter((r) => r.status !== "ok").length,
    interrupted,
  };
}

/** Run `toRun` on a pool of `jobs` processes, putting each row in `rows`; true when the signal stopped it. */
async function runOnPool(
  toRun: readonly PlannedRun[],
  jobs: number,
  rows: Map<string, SweepRow>,
  o: Omit<SweepOptions, "dir"> & {
    readonly settings: readonly Setting[];
    readonly outputs: "csv" | "csv.gz" | "none";
    readonly dir: string | null;
  },
): Promise<boolean> {
  if (toRun.length === 0) return false;
  if (o.signal?.aborted) return true;
  const pool = new RunPool(jobs);
  let stopped = false;
  const stop = () => {
    stopped = true;
    void pool.close(true);
  };
  o.signal?.addEventListener("abort", stop, { once: true });
  let done = 0;
  let failed = 0;
  const record = (run: PlannedRun, row: SweepRow) => {
    rows.set(run.name, row);
    done++;
    if (row.status !== "ok") failed++;
    o.onRun?.(row, { done, toRun: toRun.length, failed });
  };
  try {
    await Promise.all(
      toRun.map(async (run) => {
        const name = o.dir === null ? null : run.name;
        const dir = o.dir === null ? null : join(o.dir, run.name);
        try {
          const outcome = await pool.sweepRun(
            {
              input: o.experiment,
              settings: [...o.settings, ...pointSettings(run.point)],
              seed: run.seed,
              dir,
              outputs: o.outputs,
            },
            o.onRunProgress === undefined ? undefined : (fraction) => o.onRunProgress?.(run.name, fraction),
          );
          // A run that finished as the pool was stopped is done all the same.
          record(
            run,
            "error" in outcome ? failedRow(run, outcome.error, name) : summaryRow(run, outcome.summary, name),
          );
        } catch (err) {
          // A task the pool gave up: stopped on purpose, or its process died.
          if (!stopped)
            record(run, failedRow(run, `the pool's process died during the run: ${processEnd(err)}`, name));
        }
      }),
    );
  } finally {
    o.signal?.removeEventListener("abort", stop);
    await pool.close(stopped);
  }
  return stopped;
}

/** `03-rsm-1000-seed7`: the directory of a run (just `seed7` when the grid is empty). */
export function runName(point: GridPoint, seed: number, points: number): string {
  if (points === 1 && point.values.length === 0) return `seed${seed}`;
  const number = String(point.index + 1).padStart(String(points).length, "0");
  const label = pointLabel(point);
  return `${number}${label === "" ? "" : `-${label}`}-seed${seed}`;
}

/** The row of a run whose summary.json is in its directory under `dir`, or null when it has none. */
function finishedRow(dir: string, run: PlannedRun): SweepRow | null {
  const path = join(dir, run.name, RUN_FILES.summary);
  if (!existsSync(path)) return null;
  try {
    return summaryRow(run, JSON.parse(readFileSync(path, "utf8")) as SimSummary, run.name);
  } catch {
    return null; // unreadable: run it again
  }
}

function summaryRow(run: PlannedRun, summary: SimSummary, name: string | null): SweepRow {
  const stalled = stalledRunFailure(summary, name === null ? "its summary" : join(name, RUN_FILES.summary));
  return {
    point: run.point,
    seed: run.seed,
    status: stalled === null ? "ok" : "stalled",
    error: stalled?.message ?? null,
    run: name,
    figures: runFigures(summary),
    summary,
  };
}

function failedRow(run: PlannedRun, error: string, name: string | null): SweepRow {
  return { point: run.point, seed: run.seed, status: "failed", error, run: name, figures: {}, summary: null };
}

/** How a pool's process ended, from workerpool's error: its exit code or signal. */
function processEnd(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const code = /exitCode: `([^`]*)`/.exec(text)?.[1];
  const signal = /signalCode: `([^`]*)`/.exec(text)?.[1];
  if (code !== undefined || signal !== undefined)
    return `exit code ${code ?? "null"}, signal ${signal ?? "null"}`;
  return errorText(err);
}

function writeTables(
  dir: string,
  axes: readonly GridAxis[],
  rows: readonly SweepRow[],
  aggregated: readonly AggregateRow[],
): void {
  writeFileAtomic(join(dir, SWEEP_TABLES.runsCsv), runsCsv(axes, rows));
  writeFileAtomic(join(dir, SWEEP_TABLES.runsJson), prettyJson(runRecords(axes, rows)));
  writeFileAtomic(join(dir, SWEEP_TABLES.aggregateCsv), aggregateCsv(axes, aggregated));
  writeFileAtomic(join(dir, SWEEP_TABLES.aggregateJson), prettyJson(aggregateRecords(axes, aggregated)));
}
