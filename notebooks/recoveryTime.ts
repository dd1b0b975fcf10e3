// Notebook: recovery time of every strategy that recovers, in experiments built to tell
// them apart, as SEEP's were. A windowed word count loses the VM of one of its two count
// instances; its VMs are slow enough (and the pool fast enough) that recovery is dominated
// by what the strategies differ in: restoring a checkpoint and replaying since it (rsm),
// replaying the open window (upstream backup), replaying the stream from its start
// (source replay), rolling back to a global snapshot (global snapshot). Four sweeps, one
// figure each: the checkpoint interval (every strategy), the window (upstream backup, with
// rsm beside it), the stream before the crash (source replay, with rsm), and the state
// (the vocabulary: rsm against parallel rsm). Every point is several seeds: their mean
// with its 95% confidence interval and every seed's run, and a table with each curve's
// median, mean and interval; every run's output is checked against its failure-free run.
// Recovery time is from the failure until the output has caught up (engine/metrics/),
// simulated. The runs: recoveryTimeRuns.ts; statistics: recoveryTimeStats.ts; the papers
// beside them: recoveryTimeNote.ts.

import type { Series } from "./lib/chart.js";
import { lineChart } from "./lib/chart.js";
import type { NotebookOptions } from "./lib/options.js";
import { Report } from "./lib/report.js";
import { besideThePapers } from "./recoveryTimeNote.js";
import {
  type CurveName,
  type Run,
  runAll,
  type Setting,
  type Sweep,
  type Workload,
} from "./recoveryTimeRuns.js";
import {
  below,
  type PointStats,
  pointText,
  statsSeries,
  statsTable,
  sweepStats,
} from "./recoveryTimeStats.js";

// ---- parameters ----

/** Failure detection (the experiment's default: 3 missed 500 ms heartbeats). */
const DETECTION_MS = 1_500;
/** A VM from the pool in 0.5 s (two prewarmed): the pool is not what recovery waits for. */
const POOL = { handoutMs: 500, prewarmed: 2 };

/**
 * The word count: a line a ms (about 5.5 words), counted per word in windows sliding by
 * 0.5 s, on 4 VMs at 1/500 of a core of the calibration machine: the splits then work at
 * about a sixth of their VM and the counts at about a twentieth, so that what a strategy
 * replays or restores costs seconds, not milliseconds. The sources poll at a seeded phase
 * (as a real runtime's timers fall), so that seeds differ in more than their text.
 */
const WORKLOAD: Workload = {
  lineIntervalMs: 1,
  windowSlideMs: 500,
  cluster: { vms: 4, speed: 0.002 },
  pool: POOL,
  fidelity: { batchSize: 1024, sourcePollMs: 100, sourcePollPhase: "random" },
  metricsIntervalMs: 100,
  // count#3, one of the two count instances, alone on VM 3.
  crashedVm: 3,
  crashedOperator: "count",
  // After the crash, as long again as the stream before it (at least 20 s): source replay
  // replays all of it, and must have caught up before the stream ends.
  streamMs: (crashAtMs) => crashAtMs + 300 + Math.max(20_000, crashAtMs + 300),
};

/**
 * The crash falls 0.3 s before a checkpoint of every interval swept (checkpoints start at
 * multiples of the interval): at 19.7 s it comes 0.7, 1.7, 4.7 and 9.7 s after the last
 * checkpoint of 1, 2, 5 and 10 s intervals, so that what rsm replays grows with the
 * interval while the state and the history behind the crash stay those of one moment.
 */
const BEFORE_CHECKPOINT_MS = 300;

/** The sizes of the report's sweeps. */
interface Size {
  readonly seeds: readonly number[];
  /** The crash of the interval, window and state sweeps. */
  readonly crashAtMs: number;
  /** The interval of the window, stream and state sweeps. */
  readonly intervalMs: number;
  /** The window of the interval, stream and state sweeps. */
  readonly windowMs: number;
  /** The vocabulary of the interval, window and stream sweeps. */
  readonly vocabulary: number;
  readonly intervalsMs: readonly number[];
  /** The curves of the interval sweep. */
  readonly intervalCurves: readonly CurveName[];
  readonly windowsMs: readonly number[];
  readonly crashesAtMs: readonly number[];
  readonly vocabularies: readonly number[];
}

const EVERY_CURVE: readonly CurveName[] = [
  "rsm",
  "parallel rsm",
  "upstream-backup",
  "source-replay",
  "global-snapshot",
];

const FULL: Size = {
  seeds: [1, 2, 3, 4, 5],
  crashAtMs: 19_700,
  intervalMs: 5_000,
  windowMs: 8_000,
  vocabulary: 1_000,
  intervalsMs: [1_000, 2_000, 5_000, 10_000],
  intervalCurves: EVERY_CURVE,
  windowsMs: [2_000, 4_000, 8_000, 16_000],
  crashesAtMs: [9_700, 19_700, 29_700, 39_700],
  vocabularies: [500, 1_000, 2_000, 3_000],
};
const QUICK: Size = {
  ...FULL,
  seeds: [1, 2, 3],
  intervalsMs: [1_000, 5_000, 10_000],
  windowsMs: [2_000, 16_000],
  crashesAtMs: [9_700, 19_700],
  vocabularies: [1_000, 3_000],
};
/** Tests: two seeds, a shorter stream, the three strategies SEEP compares at two intervals. */
const TINY: Size = {
  ...FULL,
  seeds: [1, 2],
  crashAtMs: 9_700,
  intervalsMs: [1_000, 5_000],
  intervalCurves: ["rsm", "upstream-backup", "source-replay"],
  windowsMs: [2_000, 8_000],
  crashesAtMs: [9_700, 14_700],
  vocabularies: [500, 1_000],
};

/** The four sweeps of a size, each a figure. */
function sweepsOf(z: Size) {
  const base: Setting = {
    intervalMs: z.intervalMs,
    windowMs: z.windowMs,
    vocabulary: z.vocabulary,
    crashAtMs: z.crashAtMs,
  };
  return {
    interval: {
      name: "interval",
      curves: z.intervalCurves,
      xs: z.intervalsMs,
      settingAt: (intervalMs) => ({ ...base, intervalMs }),
    },
    window: {
      name: "window",
      curves: ["rsm", "upstream-backup"],
      xs: z.windowsMs,
      settingAt: (windowMs) => ({ ...base, windowMs }),
    },
    stream: {
      name: "stream",
      curves: ["rsm", "source-replay"],
      xs: z.crashesAtMs,
      settingAt: (crashAtMs) => ({ ...base, crashAtMs }),
    },
    state: {
      name: "state",
      curves: ["rsm", "parallel rsm"],
      xs: z.vocabularies,
      settingAt: (vocabulary) => ({ ...base, vocabulary }),
    },
  } satisfies Record<string, Sweep>;
}

// ---- the figures ----

/** How a sweep's figure reads. */
interface Axis {
  readonly caption: string;
  readonly xLabel: string;
  readonly xColumn: string;
  /** x as drawn and tabled (seconds, or words). */
  readonly xOf: (x: number) => number;
}

/** One sweep's figure and its comparison table. */
function addFigure(report: Report, sweep: Sweep, points: readonly PointStats[], axis: Axis): void {
  report.figure(
    `wordcount-${sweep.name}`,
    `${axis.caption} Lines: the mean of the seeds' recovery times with point markers; whiskers: its 95% ` +
      `confidence interval (Student t); small circles: each seed's run. Table: each strategy's median, mean and ` +
      `interval (ms).`,
    lineChart({
      title: `word count: recovery time vs ${axis.xLabel.replace(/ \(.*\)$/, "")}`,
      xLabel: axis.xLabel,
      yLabel: "recovery time (s)",
      series: statsSeries(points, axis.xOf) satisfies Series[],
      width: 860,
    }),
    statsTable(points, axis.xColumn, axis.xOf),
  );
}

/** What the exactness column says, in a sentence. */
function exactness(runs: readonly Run[]): string {
  const wrong = runs.filter((r) => !r.exact);
  if (wrong.length === 0)
    return `Every run's output is exactly its failure-free run's (${runs.length} runs).`;
  const which = wrong
    .slice(0, 6)
    .map((r) => `${r.curve}, ${r.sweep} ${r.x}, seed ${r.seed}`)
    .join("; ");
  return (
    `${wrong.length} of ${runs.length} runs do NOT give the failure-free output ` +
    `(${which}${wrong.length > 6 ? "; ..." : ""}): an engine bug.`
  );
}

/** Run the sweeps and build the report. */
export async function recoveryTimeReport(o: NotebookOptions): Promise<Report> {
  const size = o.tiny ? TINY : o.quick ? QUICK : FULL;
  const seeds = o.seed === undefined ? size.seeds : [o.seed];
  const sweeps = sweepsOf(size);
  for (const x of size.crashesAtMs)
    if ((x + BEFORE_CHECKPOINT_MS) % size.intervalMs !== 0)
      throw new Error(
        `recovery-time: a crash at ${x} ms is not ${BEFORE_CHECKPOINT_MS} ms before a checkpoint`,
      );
  for (const i of size.intervalsMs)
    if ((size.crashAtMs + BEFORE_CHECKPOINT_MS) % i !== 0)
      throw new Error(
        `recovery-time: the crash at ${size.crashAtMs} ms is not just before a checkpoint every ${i} ms`,
      );
  const runs = await runAll(WORKLOAD, Object.values(sweeps), seeds, o);
  const stats = {
    interval: sweepStats(runs, sweeps.interval),
    window: sweepStats(runs, sweeps.window),
    stream: sweepStats(runs, sweeps.stream),
    state: sweepStats(runs, sweeps.state),
  };
  const seconds = (ms: number) => ms / 1000;
  const headline = size.intervalsMs
    .map((x) => {
      const p = (c: CurveName) => stats.interval.find((s) => s.curve === c && s.x === x);
      const apart =
        below(p("rsm"), p("upstream-backup")) && below(p("upstream-backup"), p("source-replay"))
          ? "intervals apart"
          : "intervals NOT all apart";
      return `at ${x / 1000} s rsm ${pointText(p("rsm"))}, upstream-backup ${pointText(p("upstream-backup"))}, source-replay ${pointText(p("source-replay"))} (${apart})`;
    })
    .join("; ");
  const n = seeds.length;
  const report = new Report(
    "recovery-time",
    "Recovery time: rsm, parallel rsm, upstream backup, source replay and global snapshot",
    `A windowed word count (a line a ms, words counted in ${seconds(size.windowMs)} s windows sliding by ` +
      `${seconds(WORKLOAD.windowSlideMs)} s, a vocabulary of ${size.vocabulary} words unless swept) loses the VM ` +
      `of one of its two count instances, and nothing else; each strategy recovers it. Its VMs run at ` +
      `${WORKLOAD.cluster.speed} of a core and a VM comes from the pool in ${seconds(POOL.handoutMs)} s, so that ` +
      `recovery is dominated by what the strategies do differently. The crash comes at ` +
      `${seconds(size.crashAtMs)} s (unless swept), ${seconds(BEFORE_CHECKPOINT_MS)} s before a checkpoint of every ` +
      `interval swept; checkpoints every ${seconds(size.intervalMs)} s unless swept. Recovery time: from the ` +
      `failure until the output has caught up (its latency back at its level before), simulated. Each point: ` +
      `${n} seed${n === 1 ? "" : "s"}. Mean [95% interval] by checkpoint interval: ${headline}. ${exactness(runs)}`,
    {
      command: `npx seep report recovery-time${o.quick ? " --quick" : ""}${o.seed === undefined ? "" : ` --seed ${o.seed}`}`,
      seed: seeds[0],
      parameters: {
        ...size,
        seeds,
        beforeCheckpointMs: BEFORE_CHECKPOINT_MS,
        detectionMs: DETECTION_MS,
        workload: { ...WORKLOAD, streamMs: "crash + 0.3 s + max(20 s, crash + 0.3 s)" },
        streamsS: size.crashesAtMs.map((x) => seconds(WORKLOAD.streamMs(x))),
      },
    },
  );
  report.note(
    "Beside the papers",
    besideThePapers({
      ...stats,
      stateText: (v) => `a vocabulary of ${v} words`,
      vmSpeed: WORKLOAD.cluster.speed as number,
      detectionMs: DETECTION_MS,
      handoutMs: POOL.handoutMs,
    }),
  );
  addFigure(report, sweeps.interval, stats.interval, {
    caption: `Recovery time against the checkpoint interval, every strategy (crash at ${seconds(size.crashAtMs)} s).`,
    xLabel: "checkpoint interval (s)",
    xColumn: "intervalS",
    xOf: seconds,
  });
  addFigure(report, sweeps.window, stats.window, {
    caption:
      `Recovery time against the word count's window (sliding by ${seconds(WORKLOAD.windowSlideMs)} s): ` +
      `upstream backup replays the open window, rsm only what came since its checkpoint.`,
    xLabel: "window (s)",
    xColumn: "windowS",
    xOf: seconds,
  });
  addFigure(report, sweeps.stream, stats.stream, {
    caption:
      `Recovery time against the stream before the crash (the crash's time; the stream goes on as long again, ` +
      `at least 20 s): source replay replays it all, rsm only what came since its checkpoint.`,
    xLabel: "crash time (s)",
    xColumn: "crashAtS",
    xOf: seconds,
  });
  addFigure(report, sweeps.state, stats.state, {
    caption:
      `Recovery time against the state (the vocabulary: each count instance holds a count per word and open ` +
      `window), rsm against parallel rsm (the lost instance restored onto 2 new VMs, each replaying half).`,
    xLabel: "vocabulary (words)",
    xColumn: "vocabulary",
    xOf: (v) => v,
  });
  report.table(
    "wordcount-runs",
    "Every run: its sweep's x (ms; words in the state sweep), when its replacement started, its recovery time, and whether its output is exactly its failure-free run's",
    {
      columns: ["sweep", "strategy", "x", "seed", "lost", "restoredMs", "recoveryMs", "exact"],
      rows: runs.map((r) => [
        r.sweep,
        r.curve,
        r.x,
        r.seed,
        r.lost,
        r.restoredMs === null ? null : Math.round(r.restoredMs),
        r.recoveryMs,
        String(r.exact),
      ]),
    },
  );
  return report;
}
