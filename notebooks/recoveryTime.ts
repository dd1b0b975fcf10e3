// Notebook: recovery time against the checkpoint interval and against the state size, for
// every strategy that recovers, on a windowed word count whose count instance loses its VM
// mid-run. Each point is the median of several seeds, drawn with the lowest and highest
// as a band; the table has every run. Recovery time is from the failure until the output
// has caught up (engine/metrics/runReport.ts), simulated.

import { parseExperiment } from "../sim/experiment.js";
import { PRESETS } from "../sim/presets.js";
import { type SimProgress, Simulation } from "../sim/simulation.js";
import { workloadNamed } from "../workloads/index.js";
import { lineChart, type Series } from "./lib/chart.js";
import type { NotebookOptions } from "./lib/options.js";
import { Report } from "./lib/report.js";

// ---- parameters ----

const STRATEGIES = ["rsm", "upstream-backup", "source-replay", "global-snapshot"] as const;
/** The VM of one of the two count instances (nothing else runs there). */
const CRASHED_VM = 3;
const FULL = {
  seeds: [1, 2, 3, 4, 5],
  intervalsMs: [1_000, 2_000, 5_000, 10_000],
  vocabularies: [1_000, 10_000, 100_000],
  durationMs: 60_000,
  // Between checkpoints of every interval swept (none falls at 40.7 s): what is replayed differs.
  crashAtMs: 40_700,
};
const QUICK = {
  seeds: [1, 2],
  intervalsMs: [1_000, 5_000],
  vocabularies: [1_000, 20_000],
  durationMs: 14_000,
  crashAtMs: 8_700,
};
/** Tests: one seed, the shortest run that still recovers. */
const TINY = {
  seeds: [1],
  intervalsMs: [1_000, 5_000],
  vocabularies: [1_000, 5_000],
  durationMs: 10_000,
  crashAtMs: 6_700,
};
/** Four lines a ms (about 22 words), counted in windows of 4 s sliding by 0.5 s. */
const LINE_INTERVAL_MS = 0.25;
const WINDOWS = { windowSizeMs: 4_000, windowSlideMs: 500 };
/**
 * What makes the strategies' own work visible: VMs at 1/20 of a core of this machine (the
 * count then works at about a fifth of its VM, so what a strategy replays or restores
 * costs seconds), a pool that hands a VM out in 0.5 s (not 5 s, which would hide the
 * rest), and metrics every 100 ms (the caught-up time is read from them).
 */
const CLUSTER = { vms: 4, speed: 0.05 };
const POOL = { handoutMs: 500 };
const METRICS_INTERVAL_MS = 100;
/** The interval of the state-size sweep, and the vocabulary of the interval sweep. */
const SWEEP_INTERVAL_MS = 2_000;
const SWEEP_VOCABULARY = 1_000;

// ---- the runs ----

interface Point {
  readonly strategy: string;
  readonly intervalMs: number;
  readonly vocabulary: number;
  readonly seed: number;
  readonly recoveryMs: number | null;
  readonly exact: boolean;
}

function recovery(
  strategy: string,
  intervalMs: number,
  vocabulary: number,
  seed: number,
  sizes: typeof FULL,
  onProgress?: (p: SimProgress) => void,
): { recoveryMs: number | null; digest: string } {
  const raw = PRESETS.wordcount as { workload: { name: string; params: Record<string, unknown> } };
  const e = parseExperiment(
    {
      ...raw,
      seed,
      workload: {
        ...raw.workload,
        params: {
          ...raw.workload.params,
          lines: Math.round(sizes.durationMs / LINE_INTERVAL_MS),
          lineIntervalMs: LINE_INTERVAL_MS,
          vocabularySize: vocabulary,
          zipfExponent: 0,
          ...WINDOWS,
        },
      },
      cluster: CLUSTER,
      pool: POOL,
      metricsIntervalMs: METRICS_INTERVAL_MS,
      faultTolerance: { strategy, checkpointIntervalMs: intervalMs },
      faults: strategy === "none" ? [] : [{ type: "crash", vm: CRASHED_VM, atMs: sizes.crashAtMs }],
    },
    "wordcount",
  );
  const s = new Simulation(e, workloadNamed("wordcount").plan(e.workload.params, e.seed)).run(onProgress);
  return { recoveryMs: s.recoveries[0]?.recoveryMs ?? null, digest: s.outputDigest };
}

/** Median, lowest and highest of the non-null values. */
function spread(xs: readonly (number | null)[]): { median: number; min: number; max: number } {
  const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  const m = v.length >> 1;
  return { median: v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2, min: v[0], max: v[v.length - 1] };
}

/** Run the sweeps and build the report. */
export function recoveryTimeReport(o: NotebookOptions): Report {
  const sizes = o.tiny ? TINY : o.quick ? QUICK : FULL;
  const seeds = o.seed === undefined ? sizes.seeds : [o.seed];
  const points: Point[] = [];
  const failureFree = new Map<string, string>();
  const measure = (strategy: string, intervalMs: number, vocabulary: number) => {
    for (const seed of seeds) {
      const key = `${vocabulary}/${seed}`;
      if (!failureFree.has(key))
        failureFree.set(key, recovery("none", intervalMs, vocabulary, seed, sizes, o.onProgress).digest);
      const r = recovery(strategy, intervalMs, vocabulary, seed, sizes, o.onProgress);
      points.push({
        strategy,
        intervalMs,
        vocabulary,
        seed,
        recoveryMs: r.recoveryMs,
        exact: r.digest === failureFree.get(key),
      });
    }
  };
  for (const strategy of STRATEGIES) {
    for (const intervalMs of sizes.intervalsMs) measure(strategy, intervalMs, SWEEP_VOCABULARY);
    for (const vocabulary of sizes.vocabularies) {
      if (vocabulary !== SWEEP_VOCABULARY || !sizes.intervalsMs.includes(SWEEP_INTERVAL_MS))
        measure(strategy, SWEEP_INTERVAL_MS, vocabulary);
    }
  }

  // ---- the figures ----

  const report = new Report(
    "recovery-time",
    "Recovery time against the checkpoint interval and the state size",
    `A windowed word count (${sizes.durationMs / 1000} s of lines, ${1 / LINE_INTERVAL_MS} a ms) loses the VM of one of its two count instances at ` +
      `${sizes.crashAtMs / 1000} s. Recovery time: from the failure until the output has caught up. Each point is ` +
      `the median of ${seeds.length} seed${seeds.length === 1 ? "" : "s"}; the thin dashed lines are the lowest and highest. Simulated.`,
    {
      command: `npx seep report recovery-time${o.quick ? " --quick" : ""}${o.seed === undefined ? "" : ` --seed ${o.seed}`}`,
      seed: seeds[0],
      parameters: {
        ...sizes,
        seeds,
        sweepIntervalMs: SWEEP_INTERVAL_MS,
        sweepVocabulary: SWEEP_VOCABULARY,
        crashedVm: CRASHED_VM,
        cluster: CLUSTER,
        pool: POOL,
        metricsIntervalMs: METRICS_INTERVAL_MS,
      },
    },
  );
  const sweep = (x: (p: Point) => number, keep: (p: Point) => boolean, xs: readonly number[]) => {
    const series: Series[] = [];
    const rows: (string | number | null)[][] = [];
    for (const strategy of STRATEGIES) {
      const at = xs.map((xv) => {
        const s = spread(
          points.filter((p) => p.strategy === strategy && keep(p) && x(p) === xv).map((p) => p.recoveryMs),
        );
        rows.push([strategy, xv, s.median, s.min, s.max]);
        return [xv, s] as const;
      });
      series.push({ name: strategy, points: at.map(([xv, s]) => [xv, s.median] as const) });
      if (seeds.length > 1) {
        series.push({
          name: `${strategy} (lowest)`,
          boundOf: strategy,
          points: at.map(([xv, s]) => [xv, s.min] as const),
        });
        series.push({
          name: `${strategy} (highest)`,
          boundOf: strategy,
          points: at.map(([xv, s]) => [xv, s.max] as const),
        });
      }
    }
    return { series, rows };
  };
  const byInterval = sweep(
    (p) => p.intervalMs / 1000,
    (p) => p.vocabulary === SWEEP_VOCABULARY,
    sizes.intervalsMs.map((ms) => ms / 1000),
  );
  report.figure(
    "interval",
    `Recovery time against the checkpoint interval (a vocabulary of ${SWEEP_VOCABULARY} words).`,
    lineChart({
      title: "Recovery time against the checkpoint interval",
      xLabel: "checkpoint interval (s)",
      yLabel: "recovery time (ms)",
      series: byInterval.series,
      width: 860,
    }),
    { columns: ["strategy", "intervalS", "medianMs", "lowestMs", "highestMs"], rows: byInterval.rows },
  );
  const bySize = sweep(
    (p) => p.vocabulary,
    (p) => p.intervalMs === SWEEP_INTERVAL_MS,
    sizes.vocabularies,
  );
  report.figure(
    "stateSize",
    `Recovery time against the state size (distinct words counted; checkpoints every ${SWEEP_INTERVAL_MS / 1000} s).`,
    lineChart({
      title: "Recovery time against the state size",
      xLabel: "vocabulary (distinct keys)",
      yLabel: "recovery time (ms)",
      series: bySize.series,
      width: 860,
    }),
    { columns: ["strategy", "vocabulary", "medianMs", "lowestMs", "highestMs"], rows: bySize.rows },
  );
  report.table("runs", "Every run", {
    columns: ["strategy", "intervalMs", "vocabulary", "seed", "recoveryMs", "output as failure-free"],
    rows: points.map((p) => [p.strategy, p.intervalMs, p.vocabulary, p.seed, p.recoveryMs, String(p.exact)]),
  });
  return report;
}
