// The runs of the recovery-time report: a windowed word count that loses the VM of one of
// its two count instances, once per strategy, sweep point and seed, and once more without
// the failure for every workload setting and seed (the output each recovered run must
// give exactly). Every run of the report is one sweep of the library (lab/'s runSweep), in
// parallel on a pool of processes, one per core; with a directory the runs are kept there
// and a report started again does only those still missing.

import type { SweepRow } from "../lab/index.js";
import type { Experiment } from "../sim/experiment.js";
import { PRESETS } from "../sim/presets.js";
import type { NotebookOptions } from "./lib/options.js";
import { withReportSweep } from "./lib/reportSweep.js";

/** A curve of the figures: a strategy, or a variant of one. */
export type CurveName = "rsm" | "parallel rsm" | "upstream-backup" | "source-replay" | "global-snapshot";

/** What each curve sets in the experiment's `faultTolerance` (the interval is the setting's). */
export const CURVES: Readonly<Record<CurveName, Readonly<Partial<Experiment["faultTolerance"]>>>> = {
  rsm: { strategy: "rsm" },
  // SEEP's parallel recovery: the lost instance is restored onto 2 new VMs, each replaying half.
  "parallel rsm": { strategy: "rsm", parallelRecovery: 2 },
  "upstream-backup": { strategy: "upstream-backup" },
  "source-replay": { strategy: "source-replay" },
  "global-snapshot": { strategy: "global-snapshot" },
};

/** The workload and crash of one run (the curve aside). */
export interface Setting {
  readonly intervalMs: number;
  /** The word count's window (it slides by `Workload.windowSlideMs`). */
  readonly windowMs: number;
  readonly vocabulary: number;
  /** When the crash comes; the stream's length follows from it (`Workload.streamMs`). */
  readonly crashAtMs: number;
}

/** What every run shares: the word count's shape, the cluster, the pool, the crashed VM. */
export interface Workload {
  readonly lineIntervalMs: number;
  readonly windowSlideMs: number;
  readonly cluster: Readonly<Record<string, unknown>>;
  readonly pool: Readonly<Record<string, unknown>>;
  readonly fidelity: Readonly<Record<string, unknown>>;
  readonly metricsIntervalMs: number;
  readonly crashedVm: number;
  /** The operator whose instance the crash must take (a placement change is an error here). */
  readonly crashedOperator: string;
  /** The stream's length for a crash at `crashAtMs`: long enough for the slowest recovery to end. */
  streamMs(crashAtMs: number): number;
}

/** A figure's sweep: its curves, its x values, and the setting at each. */
export interface Sweep {
  readonly name: string;
  readonly curves: readonly CurveName[];
  readonly xs: readonly number[];
  settingAt(x: number): Setting;
}

/** One measured run, as the report tables it. */
export interface Run {
  readonly sweep: string;
  readonly curve: CurveName;
  readonly x: number;
  readonly seed: number;
  /** The instances the crash took, as "operator#id". */
  readonly lost: string;
  /** From the failure until the output has caught up (null: it never did). */
  readonly recoveryMs: number | null;
  /** From the failure until every replacement was restored and started. */
  readonly restoredMs: number | null;
  /** The output is exactly the failure-free run's of the same setting and seed. */
  readonly exact: boolean;
}

/** One setting of a sweep's point: a dotted path of the experiment and its value. */
type PointValue = { readonly path: string; readonly value: unknown };

/** The experiment every run starts from, as raw data (the points set the rest). */
function baseExperiment(w: Workload, s: Setting): Record<string, unknown> {
  const raw = PRESETS.wordcount as { workload: { name: string; params: Record<string, unknown> } };
  return {
    ...raw,
    workload: {
      ...raw.workload,
      params: {
        ...raw.workload.params,
        lineIntervalMs: w.lineIntervalMs,
        windowSlideMs: w.windowSlideMs,
        zipfExponent: 0,
        ...workloadParams(w, s),
      },
    },
    cluster: w.cluster,
    pool: w.pool,
    fidelity: w.fidelity,
    metricsIntervalMs: w.metricsIntervalMs,
  };
}

/** The word count's parameters that the settings vary. */
function workloadParams(w: Workload, s: Setting) {
  return {
    lines: Math.round(w.streamMs(s.crashAtMs) / w.lineIntervalMs),
    windowSizeMs: s.windowMs,
    vocabularySize: s.vocabulary,
  };
}

/** What a run sets over the base: its fault tolerance, workload setting and crash; `curve` null: failure-free. */
function pointValues(w: Workload, curve: CurveName | null, s: Setting): PointValue[] {
  const ft = { parallelRecovery: 1, ...(curve === null ? { strategy: "none" } : CURVES[curve]) };
  return [
    { path: "faultTolerance.strategy", value: ft.strategy },
    { path: "faultTolerance.parallelRecovery", value: ft.parallelRecovery },
    { path: "faultTolerance.checkpointIntervalMs", value: s.intervalMs },
    ...Object.entries(workloadParams(w, s)).map(([k, value]) => ({ path: `workload.params.${k}`, value })),
    { path: "faults", value: curve === null ? [] : [{ type: "crash", vm: w.crashedVm, atMs: s.crashAtMs }] },
  ];
}

/** A run as the progress shows it. */
function runText(curve: CurveName | null, s: Setting, seed: number): string {
  return (
    `${curve ?? "failure-free"}, interval ${s.intervalMs / 1000} s, window ${s.windowMs / 1000} s, ` +
    `${s.vocabulary} words, crash at ${s.crashAtMs / 1000} s, seed ${seed}`
  );
}

/** The setting of a failure-free run: its interval does not change its output. */
const failureFreeOf = (s: Setting): Setting => ({ ...s, intervalMs: 1_000 });

/**
 * Run every point of `sweeps` with every seed, and the failure-free run of each workload
 * setting and seed, as one sweep of the library; a setting shared by two sweeps runs once.
 */
export async function runAll(
  w: Workload,
  sweeps: readonly Sweep[],
  seeds: readonly number[],
  o: NotebookOptions,
): Promise<Run[]> {
  for (const sweep of sweeps)
    for (const x of sweep.xs) {
      const s = sweep.settingAt(x);
      if (s.crashAtMs % s.intervalMs === 0)
        throw new Error(
          `recovery-time: the crash at ${s.crashAtMs} ms falls on a checkpoint every ${s.intervalMs} ms`,
        );
    }
  const keys: string[] = [];
  const points: PointValue[][] = [];
  const texts: ((seed: number) => string)[] = [];
  const indexOf = (curve: CurveName | null, s: Setting): number => {
    const values = pointValues(w, curve, s);
    const key = JSON.stringify(values);
    let i = keys.indexOf(key);
    if (i < 0) {
      i = keys.push(key) - 1;
      points.push(values);
      texts.push((seed) => runText(curve, s, seed));
    }
    return i;
  };
  // The failure-free runs first, then every measured one, in the order they are tabled.
  for (const sweep of sweeps) for (const x of sweep.xs) indexOf(null, failureFreeOf(sweep.settingAt(x)));
  for (const sweep of sweeps)
    for (const curve of sweep.curves) for (const x of sweep.xs) indexOf(curve, sweep.settingAt(x));

  const first = sweeps[0].settingAt(sweeps[0].xs[0]);
  const result = await withReportSweep(
    o,
    "wordcount",
    {
      experiment: { raw: baseExperiment(w, first), where: "recovery-time" },
      points: points.map((values) => ({ values })),
      seeds,
    },
    (row) => texts[row.point.index](row.seed),
    (r) => r,
  );
  const byPoint = new Map<string, SweepRow>();
  for (const row of result.rows) byPoint.set(`${row.point.index}/${row.seed}`, row);
  const summaryOf = (index: number, seed: number) => {
    const row = byPoint.get(`${index}/${seed}`);
    if (row?.summary == null)
      throw new Error(
        `recovery-time: a run failed (point ${index + 1}, seed ${seed}): ${row?.error ?? "not run"}`,
      );
    return row.summary;
  };

  const runs: Run[] = [];
  for (const sweep of sweeps)
    for (const curve of sweep.curves)
      for (const x of sweep.xs)
        for (const seed of seeds) {
          const setting = sweep.settingAt(x);
          const s = summaryOf(indexOf(curve, setting), seed);
          const lost = s.failures[0]?.instances ?? [];
          if (lost.length !== 1 || lost[0].operator !== w.crashedOperator)
            throw new Error(
              `recovery-time: the crash took [${lost.map((i) => `${i.operator}#${i.id}`).join(", ")}], ` +
                `not one ${w.crashedOperator} instance: has the placement changed?`,
            );
          const r = s.recoveries[0];
          runs.push({
            sweep: sweep.name,
            curve,
            x,
            seed,
            lost: `${lost[0].operator}#${lost[0].id}`,
            recoveryMs: r?.recoveryMs ?? null,
            restoredMs: r?.restoredAtMs == null ? null : r.restoredAtMs - r.failedAtMs,
            exact: s.outputDigest === summaryOf(indexOf(null, failureFreeOf(setting)), seed).outputDigest,
          });
        }
  return runs;
}
