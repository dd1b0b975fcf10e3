// Notebook: recovery time against the checkpoint interval and against the state size, for
// every strategy that recovers, on two workloads that each lose the VM of one stateful
// instance mid-run: a windowed word count (one of its two count instances) and Linear Road
// (one of its two cars instances). Each point is the median of several seeds, drawn with
// the lowest and highest as a band; each workload has its own figures and a table of
// every run, with whether its output is exactly the failure-free run's of the same seed.
// Recovery time is from the failure until the output has caught up
// (engine/metrics/runReport.ts), simulated. The runs are one sweep per workload (lab/'s
// runSweep), in parallel on a pool of processes, one per core.

import { type FtStrategy, keyGroupOf, physicalPlan } from "../engine/index.js";
import { runSweep } from "../lab/index.js";
import { type Experiment, parseExperiment } from "../sim/experiment.js";
import { PRESETS } from "../sim/presets.js";
import { workloadPlan } from "../workloads/index.js";
import { F, LR_FIELDS, LrGenerator, RecordType } from "../workloads/linearRoad/index.js";
import { lineChart, type Series } from "./lib/chart.js";
import type { NotebookOptions } from "./lib/options.js";
import { Report } from "./lib/report.js";

// ---- parameters: both workloads ----

/** A curve: its label and what it sets in the experiment's `faultTolerance` (the sweeps set the interval). */
interface Curve {
  readonly label: string;
  readonly faultTolerance: { readonly strategy: FtStrategy } & Readonly<
    Partial<Omit<Experiment["faultTolerance"], "strategy" | "checkpointIntervalMs">>
  >;
}

/** The curves of every figure, in legend order; a variant of a strategy is one more entry. */
const CURVES: readonly Curve[] = [
  { label: "rsm", faultTolerance: { strategy: "rsm" } },
  // SEEP's parallel recovery: the lost instance is restored onto 2 new VMs, each replaying half.
  { label: "parallel rsm", faultTolerance: { strategy: "rsm", parallelRecovery: 2 } },
  { label: "upstream-backup", faultTolerance: { strategy: "upstream-backup" } },
  { label: "source-replay", faultTolerance: { strategy: "source-replay" } },
  { label: "global-snapshot", faultTolerance: { strategy: "global-snapshot" } },
];

/**
 * How long before a checkpoint of every interval swept the crash falls. Checkpoints (marks,
 * snapshots) start at multiples of the interval, so a crash at 39.7 s comes 0.7, 1.7, 4.7
 * and 9.7 s after the last one of 1, 2, 5 and 10 s intervals: what is replayed grows with
 * the interval, while every run of a size crashes at one time, with the same state and
 * history behind it (a crash at one phase of each interval would crash later for longer
 * intervals, and the strategies that replay the whole history would look slower for it).
 * (A crash just after a checkpoint of every interval, at 40.7 s, would replay 0.7 s for all.)
 */
const CRASH_BEFORE_CHECKPOINT_MS = 300;

/** The sizes of one workload's sweeps. */
interface Sweep {
  readonly seeds: readonly number[];
  /** Intervals of the interval sweep, at state size `sweepSize`. */
  readonly intervalsMs: readonly number[];
  /** State sizes of the state-size sweep (vocabularies; expressways), at interval `SWEEP_INTERVAL_MS`. */
  readonly sizes: readonly number[];
  readonly sweepSize: number;
  /** Length of the stream. */
  readonly durationMs: number;
  /** The crash: CRASH_BEFORE_CHECKPOINT_MS before a multiple of every interval swept. */
  readonly crashAtMs: number;
}

/** The interval of both state-size sweeps. */
const SWEEP_INTERVAL_MS = 2_000;
/** A pool that hands a VM out in 0.5 s (not 5 s, which would hide the strategies' own work). */
const POOL = { handoutMs: 500 };
/** Metrics every 100 ms: the caught-up time is read from them. */
const METRICS_INTERVAL_MS = 100;

// ---- parameters: word count ----

const WC_FULL: Sweep = {
  seeds: [1, 2, 3, 4, 5],
  intervalsMs: [1_000, 2_000, 5_000, 10_000],
  sizes: [1_000, 10_000, 100_000],
  sweepSize: 1_000,
  durationMs: 60_000,
  crashAtMs: 39_700,
};
const WC_QUICK: Sweep = {
  seeds: [1, 2],
  intervalsMs: [1_000, 5_000],
  sizes: [1_000, 20_000],
  sweepSize: 1_000,
  durationMs: 14_000,
  crashAtMs: 9_700,
};
/** Tests: one seed, the shortest run that still recovers (the 2 s interval point serves both sweeps). */
const WC_TINY: Sweep = {
  seeds: [1],
  intervalsMs: [1_000, 2_000],
  sizes: [1_000, 5_000],
  sweepSize: 1_000,
  durationMs: 10_000,
  crashAtMs: 5_700,
};
/** Four lines a ms (about 22 words), counted in windows of 4 s sliding by 0.5 s. */
const LINE_INTERVAL_MS = 0.25;
const WINDOWS = { windowSizeMs: 4_000, windowSlideMs: 500 };
/**
 * What makes the strategies' own work visible: VMs at 1/20 of a core of this machine (the
 * count then works at about a fifth of its VM, so what a strategy replays or restores
 * costs seconds).
 */
const WC_CLUSTER = { vms: 4, speed: 0.05 };
/** The VM of one of the two count instances (nothing else runs there: count#3). */
const WC_CRASHED_VM = 3;

// ---- parameters: Linear Road ----

const LR_FULL: Sweep = {
  seeds: [1, 2, 3, 4, 5],
  intervalsMs: [1_000, 2_000, 5_000, 10_000],
  sizes: [10, 20, 40, 80],
  sweepSize: 40,
  durationMs: 260_000,
  crashAtMs: 199_700,
};
const LR_QUICK: Sweep = {
  seeds: [1, 2],
  intervalsMs: [1_000, 5_000],
  sizes: [10, 40],
  sweepSize: 40,
  durationMs: 140_000,
  crashAtMs: 99_700,
};
/** Tests: one seed, a few expressways for a minute (the 2 s interval point serves both sweeps). */
const LR_TINY: Sweep = {
  seeds: [1],
  intervalsMs: [1_000, 2_000],
  sizes: [2, 4],
  sweepSize: 4,
  durationMs: 45_000,
  crashAtMs: 29_700,
};
/**
 * The `lrb` preset (LRB_COST, two instances of each of cars, segments and accounts), with
 * the state size set by the expressways, L. Linear Road's traffic ramps up from nothing
 * (workloads/linearRoad/traffic.ts), so by the crash at 200 s an expressway has seen
 * about 3,900 cars and reports about 130 times a second: both the cars' state (one entry
 * per car ever seen) and the input rate grow with L, as they do in the benchmark; L is its
 * own scale factor. (Run length before the crash would grow both too, and also the history
 * that source replay and upstream backup replay; L keeps the history's length fixed.)
 *
 * What makes that state large at a simulated cost of a second or two a run:
 * - cost-scaled fidelity, 1 car in L kept (`fidelity.sampleOneIn`), each standing for L
 *   in CPU, state and bytes: every run simulates about one expressway's worth of cars
 *   (at L = 40, 1 in 10 and 1 in 40 gave the same recovery times for rsm and global
 *   snapshot, and times within 0.7 s, one burst of answers, for the others);
 * - operator VMs at 1/50 of a core of this machine: at L = 40 the crashed cars instance
 *   holds about 78,000 cars at 200 s and works at about a tenth of its VM, and with
 *   checkpoints every 2 s copying them takes about another quarter. The wall cost of a run
 *   grows with L however it is sampled (every checkpoint copies the segments operator's
 *   state, per expressway, in full), so slower VMs and fewer expressways are the cheaper
 *   way to the same loads;
 * - the records source and the answers sink on edge VMs of their own, 3.25 times as fast
 *   with 4 cores (as SEEP ran them, and as the lrb-scaleout preset does): what a strategy
 *   replays is then paid for by the instance recovering, not by a source sharing its VM
 *   with an accounts instance;
 * - six operator VMs, so that each instance has one to itself (placement is round robin
 *   over them in plan order: cars#1, cars#2, segments#3, segments#4, accounts#5,
 *   accounts#6; records#0 and answers#7 on the edge VMs 6 and 7).
 */
const LR_CLUSTER = { vms: 6, speed: 0.02, edge: { cores: 4, speed: 0.065 } };
/** The VM of cars#2, the second of the two cars instances (key groups 64-127), alone there. */
const LR_CRASHED_VM = 1;

// ---- the runs ----

interface Point {
  readonly curve: string;
  readonly intervalMs: number;
  readonly size: number;
  readonly seed: number;
  /** The instances the crash took, as "operator#id". */
  readonly lost: string;
  readonly recoveryMs: number | null;
  readonly exact: boolean;
  /** Linear Road: cars the crashed instance held at the crash (each kept car counting for L). */
  readonly stateEntries: number | null;
}

/** One workload's experiments. */
interface Workload {
  readonly name: "wordcount" | "lrb";
  readonly title: string;
  readonly sweep: Sweep;
  /** The operator whose instance the crash must take (a placement change is an error here). */
  readonly crashedOperator: string;
  /** The experiment of one run as raw data; `ft` null: the failure-free run. */
  raw(
    ft: Curve["faultTolerance"] | null,
    intervalMs: number,
    size: number,
    seed: number,
  ): Record<string, unknown>;
  /** What a run sets over another of the same workload: its fault tolerance, faults and state size. */
  pointOf(ft: Curve["faultTolerance"] | null, intervalMs: number, size: number): SweepValue[];
}

/** One setting of a sweep's point: a dotted path of the experiment and its value. */
type SweepValue = { readonly path: string; readonly value: unknown };

/** The experiment of one run of `w`, validated; `ft` null: the failure-free run. */
function experimentOf(
  w: Workload,
  ft: Curve["faultTolerance"] | null,
  intervalMs: number,
  size: number,
  seed: number,
): Experiment {
  return parseExperiment(w.raw(ft, intervalMs, size, seed), w.name);
}

function wordCount(sweep: Sweep): Workload {
  return {
    name: "wordcount",
    title: "word count",
    sweep,
    crashedOperator: "count",
    raw(ft, intervalMs, vocabulary, seed) {
      const raw = PRESETS.wordcount as { workload: { name: string; params: Record<string, unknown> } };
      return {
        ...raw,
        seed,
        workload: {
          ...raw.workload,
          params: {
            ...raw.workload.params,
            lines: Math.round(sweep.durationMs / LINE_INTERVAL_MS),
            lineIntervalMs: LINE_INTERVAL_MS,
            vocabularySize: vocabulary,
            zipfExponent: 0,
            ...WINDOWS,
          },
        },
        cluster: WC_CLUSTER,
        pool: POOL,
        metricsIntervalMs: METRICS_INTERVAL_MS,
        ...crashOf(ft, intervalMs, WC_CRASHED_VM, sweep.crashAtMs),
      };
    },
    pointOf: (ft, intervalMs, vocabulary) => [
      ...Object.entries(crashOf(ft, intervalMs, WC_CRASHED_VM, sweep.crashAtMs)).map(([path, value]) => ({
        path,
        value,
      })),
      { path: "workload.params.vocabularySize", value: vocabulary },
    ],
  };
}

/** The fault tolerance and faults of a run: `ft` with the interval, and the crash; `ft` null: none, no crash. */
function crashOf(ft: Curve["faultTolerance"] | null, intervalMs: number, vm: number, atMs: number) {
  return {
    faultTolerance: { ...(ft ?? { strategy: "none" }), checkpointIntervalMs: intervalMs },
    faults: ft === null ? [] : [{ type: "crash", vm, atMs }],
  };
}

function linearRoad(sweep: Sweep): Workload {
  return {
    name: "lrb",
    title: "Linear Road",
    sweep,
    crashedOperator: "cars",
    raw(ft, intervalMs, xways, seed) {
      const raw = PRESETS.lrb as {
        workload: { name: string; params: Record<string, unknown> };
        fidelity: Record<string, unknown>;
      };
      return {
        ...raw,
        seed,
        workload: {
          ...raw.workload,
          params: { ...raw.workload.params, xways, durationS: sweep.durationMs / 1000 },
        },
        cluster: LR_CLUSTER,
        pool: POOL,
        fidelity: { ...raw.fidelity, sampleOneIn: xways },
        metricsIntervalMs: METRICS_INTERVAL_MS,
        ...crashOf(ft, intervalMs, LR_CRASHED_VM, sweep.crashAtMs),
      };
    },
    pointOf: (ft, intervalMs, xways) => [
      ...Object.entries(crashOf(ft, intervalMs, LR_CRASHED_VM, sweep.crashAtMs)).map(([path, value]) => ({
        path,
        value,
      })),
      { path: "workload.params.xways", value: xways },
      { path: "fidelity.sampleOneIn", value: xways },
    ],
  };
}

/**
 * Linear Road: the cars instance `id` holds at `atMs`, each kept car counting for the
 * sample's weight: the distinct cars with a position report before then whose key group it
 * owns, read from the generator the run's source replays (same seed, L and sample).
 */
function carsHeldAt(e: Experiment, id: number, atMs: number): number {
  const plan = workloadPlan("lrb", e.workload.params, e.seed);
  const spec = physicalPlan(plan).instances.find((i) => i.id === id);
  if (spec === undefined) return Number.NaN;
  const maxKeyGroups = plan.operators[spec.operator].maxKeyGroups;
  const n = e.fidelity.sampleOneIn;
  const g = new LrGenerator({
    seed: e.seed,
    xways: e.workload.params.xways as number,
    durationS: e.workload.params.durationS as number,
    sampleOneIn: n,
  });
  const row = new Float64Array(LR_FIELDS.length);
  const cars = new Set<number>();
  while (g.next(row) && row[F.time] * 1000 < atMs) {
    const vid = row[F.vid];
    if (row[F.type] === RecordType.position && spec.range.contains(keyGroupOf(vid, maxKeyGroups)))
      cars.add(vid);
  }
  return cars.size * n;
}

/** A run of one workload's sweep: its curve (null: failure-free), interval and state size. */
interface RunKind {
  readonly curve: Curve | null;
  readonly intervalMs: number;
  readonly size: number;
}

/**
 * Every run of one workload, both sweeps per curve and seed and the failure-free runs, as
 * one sweep of the library (lab/): its points are the runs' kinds, each with every seed,
 * on a pool of processes.
 */
async function runAll(
  w: Workload,
  seeds: readonly number[],
  onStep?: (what: string) => void,
): Promise<Point[]> {
  const { intervalsMs, sizes, sweepSize, crashAtMs } = w.sweep;
  for (const intervalMs of [...intervalsMs, SWEEP_INTERVAL_MS]) {
    if ((crashAtMs + CRASH_BEFORE_CHECKPOINT_MS) % intervalMs !== 0)
      throw new Error(
        `${w.title}: the crash at ${crashAtMs} ms does not fall just before a checkpoint every ${intervalMs} ms`,
      );
  }
  // The runs in the order they are tabled: per curve, the interval sweep, then the state-size sweep.
  const measured: RunKind[] = [];
  for (const curve of CURVES) {
    for (const intervalMs of intervalsMs) measured.push({ curve, intervalMs, size: sweepSize });
    for (const size of sizes) {
      if (size !== sweepSize || !intervalsMs.includes(SWEEP_INTERVAL_MS))
        measured.push({ curve, intervalMs: SWEEP_INTERVAL_MS, size });
    }
  }
  // One failure-free run per state size (and seed), at the interval it is first measured with.
  const failureFree = new Map<number, RunKind>();
  for (const m of measured)
    if (!failureFree.has(m.size))
      failureFree.set(m.size, { curve: null, intervalMs: m.intervalMs, size: m.size });
  const kinds = [...failureFree.values(), ...measured];
  onStep?.(`${w.title}: ${kinds.length * seeds.length} runs`);
  const result = await runSweep({
    experiment: { raw: w.raw(null, SWEEP_INTERVAL_MS, sweepSize, seeds[0]), where: w.name },
    points: kinds.map((k) => ({ values: w.pointOf(k.curve?.faultTolerance ?? null, k.intervalMs, k.size) })),
    seeds,
  });
  const summaryOf = (kind: RunKind, seed: number) => {
    const row = result.rows.find((r) => r.point.index === kinds.indexOf(kind) && r.seed === seed);
    if (row?.summary == null) throw new Error(`${w.title}: a run failed: ${row?.error ?? "not run"}`);
    return row.summary;
  };
  const points: Point[] = [];
  const held = new Map<string, number>();
  for (const kind of measured) {
    for (const seed of seeds) {
      const key = `${kind.size}/${seed}`;
      const s = summaryOf(kind, seed);
      const lost = s.failures[0]?.instances ?? [];
      if (lost.length !== 1 || lost[0].operator !== w.crashedOperator) {
        throw new Error(
          `${w.title}: the crash took [${lost.map((i) => `${i.operator}#${i.id}`).join(", ")}], not one ${w.crashedOperator} instance: has the placement changed?`,
        );
      }
      if (w.name === "lrb" && !held.has(key)) {
        const e = experimentOf(w, kind.curve?.faultTolerance ?? null, kind.intervalMs, kind.size, seed);
        held.set(key, carsHeldAt(e, lost[0].id, crashAtMs));
      }
      points.push({
        curve: kind.curve?.label ?? "none",
        intervalMs: kind.intervalMs,
        size: kind.size,
        seed,
        lost: `${lost[0].operator}#${lost[0].id}`,
        recoveryMs: s.recoveries[0]?.recoveryMs ?? null,
        exact: s.outputDigest === summaryOf(failureFree.get(kind.size) as RunKind, seed).outputDigest,
        stateEntries: held.get(key) ?? null,
      });
    }
  }
  return points;
}

/** Median, lowest and highest of the non-null values. */
function spread(xs: readonly (number | null)[]): { median: number; min: number; max: number } {
  const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  const m = v.length >> 1;
  return { median: v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2, min: v[0], max: v[v.length - 1] };
}

// ---- the figures ----

/** Each curve's median against x, with the lowest and highest as its bounds; and the rows. */
function sweepSeries(
  points: readonly Point[],
  x: (p: Point) => number,
  keep: (p: Point) => boolean,
  xs: readonly number[],
  bounds: boolean,
) {
  const series: Series[] = [];
  const rows: (string | number | null)[][] = [];
  for (const { label } of CURVES) {
    const at = xs.map((xv) => {
      const s = spread(
        points.filter((p) => p.curve === label && keep(p) && x(p) === xv).map((p) => p.recoveryMs),
      );
      rows.push([label, xv, s.median, s.min, s.max]);
      return [xv, s] as const;
    });
    series.push({ name: label, points: at.map(([xv, s]) => [xv, s.median] as const) });
    if (bounds) {
      series.push({
        name: `${label} (lowest)`,
        boundOf: label,
        points: at.map(([xv, s]) => [xv, s.min] as const),
      });
      series.push({
        name: `${label} (highest)`,
        boundOf: label,
        points: at.map(([xv, s]) => [xv, s.max] as const),
      });
    }
  }
  return {
    series,
    rows: rows.map((r) => r.map((v) => (typeof v === "number" && Number.isNaN(v) ? null : v))),
  };
}

/** A workload's two figures and its table of every run. */
function addWorkload(
  report: Report,
  w: Workload,
  points: readonly Point[],
  seeds: readonly number[],
  size: {
    readonly column: string;
    readonly axis: string;
    readonly of: (size: number) => string;
    /** What the state-size figure's caption adds. */
    readonly note?: string;
  },
): void {
  const { intervalsMs, sizes, sweepSize } = w.sweep;
  const bounds = seeds.length > 1;
  const byInterval = sweepSeries(
    points,
    (p) => p.intervalMs / 1000,
    (p) => p.size === sweepSize,
    intervalsMs.map((ms) => ms / 1000),
    bounds,
  );
  report.figure(
    `${w.name}-interval`,
    `${w.title}: recovery time against the checkpoint interval (${size.of(sweepSize)}).`,
    lineChart({
      title: `${w.title}: recovery time vs checkpoint interval`,
      xLabel: "checkpoint interval (s)",
      yLabel: "recovery time (ms)",
      series: byInterval.series,
      width: 860,
    }),
    { columns: ["strategy", "intervalS", "medianMs", "lowestMs", "highestMs"], rows: byInterval.rows },
  );
  const bySize = sweepSeries(
    points,
    (p) => p.size,
    (p) => p.intervalMs === SWEEP_INTERVAL_MS,
    sizes,
    bounds,
  );
  report.figure(
    `${w.name}-stateSize`,
    `${w.title}: recovery time against the state size (checkpoints every ${SWEEP_INTERVAL_MS / 1000} s)` +
      `${size.note === undefined ? "" : `; ${size.note}`}.`,
    lineChart({
      title: `${w.title}: recovery time vs state size`,
      xLabel: size.axis,
      yLabel: "recovery time (ms)",
      series: bySize.series,
      width: 860,
    }),
    { columns: ["strategy", size.column, "medianMs", "lowestMs", "highestMs"], rows: bySize.rows },
  );
  const lr = w.name === "lrb";
  report.table(`${w.name}-runs`, `${w.title}: every run`, {
    columns: [
      "strategy",
      "intervalMs",
      size.column,
      "seed",
      "lost",
      ...(lr ? ["carsHeld"] : []),
      "recoveryMs",
      "exact",
    ],
    rows: points.map((p) => [
      p.curve,
      p.intervalMs,
      p.size,
      p.seed,
      p.lost,
      ...(lr ? [p.stateEntries] : []),
      p.recoveryMs,
      String(p.exact),
    ]),
  });
}

/** What the exactness column says, in a sentence. */
function exactness(title: string, points: readonly Point[]): string {
  const wrong = points.filter((p) => !p.exact);
  if (wrong.length === 0) return `${title}: every run's output is exactly its failure-free run's.`;
  const which = wrong
    .slice(0, 6)
    .map((p) => `${p.curve}, ${p.intervalMs / 1000} s, size ${p.size}, seed ${p.seed}`)
    .join("; ");
  return (
    `${title}: ${wrong.length} of ${points.length} runs do NOT give the failure-free output ` +
    `(${which}${wrong.length > 6 ? "; ..." : ""}): an engine bug.`
  );
}

/** Run both workloads' sweeps and build the report. */
export async function recoveryTimeReport(o: NotebookOptions): Promise<Report> {
  const pick = (full: Sweep, quick: Sweep, tiny: Sweep) => (o.tiny ? tiny : o.quick ? quick : full);
  const wc = wordCount(pick(WC_FULL, WC_QUICK, WC_TINY));
  const lr = linearRoad(pick(LR_FULL, LR_QUICK, LR_TINY));
  const seedsOf = (w: Workload) => (o.seed === undefined ? w.sweep.seeds : [o.seed]);
  const wcPoints = await runAll(wc, seedsOf(wc), o.onStep);
  const lrPoints = await runAll(lr, seedsOf(lr), o.onStep);

  /** Cars the crashed instance held at the crash, median of the seeds, with thousands separated. */
  const heldAt = (xways: number) =>
    String(
      Math.round(spread(lrPoints.filter((p) => p.size === xways).map((p) => p.stateEntries)).median),
    ).replace(/\B(?=(\d{3})+$)/g, ",");
  const wcLost = wcPoints[0]?.lost ?? "?";
  const lrLost = lrPoints[0]?.lost ?? "?";
  const n = (k: number) => `${k} seed${k === 1 ? "" : "s"}`;
  const report = new Report(
    "recovery-time",
    "Recovery time against the checkpoint interval and the state size",
    `Two workloads each lose the VM of one stateful instance, and nothing else, mid-run; every strategy recovers ` +
      `it, and the same seed runs once more without the failure to check the output (exact: the same output). ` +
      `Recovery time: from the failure until the output has caught up. The crash falls ` +
      `${CRASH_BEFORE_CHECKPOINT_MS / 1000} s before a checkpoint of every interval swept, so that what is replayed ` +
      `grows with the interval while the state and history behind it stay those of one moment. ` +
      `Word count: ${wc.sweep.durationMs / 1000} s of lines, ${1 / LINE_INTERVAL_MS} a ms, counted in windows of ` +
      `${WINDOWS.windowSizeMs / 1000} s; at ${wc.sweep.crashAtMs / 1000} s the crash takes ${wcLost}, one of its two ` +
      `count instances; the state size is the vocabulary. Linear Road: the lrb preset's plan over L expressways for ` +
      `${lr.sweep.durationMs / 1000} s of its ramping traffic, 1 car in L simulated and standing for L; at ` +
      `${lr.sweep.crashAtMs / 1000} s the crash takes ${lrLost}, one of its two cars instances, whose state is every car ` +
      `it has seen. Its state size is set by L (L = ${lr.sweep.sweepSize}: ${heldAt(lr.sweep.sweepSize)} cars held ` +
      `at the crash), which raises the input rate with it, as in the benchmark: upstream backup (no window bounds ` +
      `what the cars need) and source replay both replay the whole history. Its answers leave in one burst a ` +
      `second (a second's reports are answered once the next begins), and the output has caught up only at a ` +
      `burst: its recovery times move in steps of about a second. Each point is the median of ` +
      `${n(seedsOf(wc).length)} (word count) and ${n(seedsOf(lr).length)} (Linear Road); the thin dashed ` +
      `lines are the lowest and highest. ${exactness("Word count", wcPoints)} ${exactness("Linear Road", lrPoints)} ` +
      `Simulated.`,
    {
      command: `npx seep report recovery-time${o.quick ? " --quick" : ""}${o.seed === undefined ? "" : ` --seed ${o.seed}`}`,
      seed: seedsOf(wc)[0],
      parameters: {
        curves: CURVES,
        crashBeforeCheckpointMs: CRASH_BEFORE_CHECKPOINT_MS,
        sweepIntervalMs: SWEEP_INTERVAL_MS,
        pool: POOL,
        metricsIntervalMs: METRICS_INTERVAL_MS,
        wordcount: {
          ...wc.sweep,
          seeds: seedsOf(wc),
          crashedVm: WC_CRASHED_VM,
          cluster: WC_CLUSTER,
          lineIntervalMs: LINE_INTERVAL_MS,
          ...WINDOWS,
        },
        lrb: {
          ...lr.sweep,
          seeds: seedsOf(lr),
          crashedVm: LR_CRASHED_VM,
          cluster: LR_CLUSTER,
          sampleOneIn: "L",
        },
      },
    },
  );
  addWorkload(report, wc, wcPoints, seedsOf(wc), {
    column: "vocabulary",
    axis: "vocabulary (distinct keys)",
    of: (v) => `a vocabulary of ${v} words`,
  });
  addWorkload(report, lr, lrPoints, seedsOf(lr), {
    column: "xways",
    axis: "expressways (L)",
    of: (l) => `L = ${l} expressways`,
    note: `cars held by ${lrLost} at the crash (medians of the seeds): ${lr.sweep.sizes.map((l) => `${heldAt(l)} at L = ${l}`).join(", ")}`,
  });
  return report;
}
