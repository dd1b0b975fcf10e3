// Notebook: the failure timeline. A windowed word count loses the VM of one of its two
// count instances in the middle of a checkpoint interval, once per fault-tolerance
// strategy (parallel rsm included) and seed, and runs once per seed without the crash.
// The setting (failureTimelineSetting.ts) makes recovery a matter of what the strategies
// differ in: restoring a checkpoint and replaying since it, replaying a window's buffers,
// or replaying the stream from its source. The figures: throughput and latency per second
// around the failure for one seed, one line per strategy (dashed so that lines on top of
// each other stay visible), the crash and its detection marked; and the share of seeds
// recovered against the time since the crash. The tables: each strategy's recovery time
// over the seeds (median, 95% interval of the mean, every seed's), and every run, with
// whether its output is exactly the failure-free run's. Then the papers beside it.
// Simulated; the runs are one sweep on a pool of processes (failureTimelineRuns.ts).

import type { MetricsRow } from "../engine/index.js";
import { mean } from "../lab/index.js";
import { besideThePapers } from "./failureTimelineNote.js";
import { type TimelineRuns, timelineRuns } from "./failureTimelineRuns.js";
import {
  CHECKPOINT_INTERVAL_MS,
  CLUSTER,
  CRASH_PHASE_MS,
  CRASHED_VM,
  FAILURE_FREE,
  FIDELITY,
  FULL,
  LINE_INTERVAL_MS,
  METRICS_INTERVAL_MS,
  POOL,
  QUICK,
  STRATEGIES,
  TINY,
  type TimelineSize,
  VOCABULARY_SIZE,
  WINDOWS,
} from "./failureTimelineSetting.js";
import { perSecond, type StrategyStats, strategyStats } from "./failureTimelineStats.js";
import { lineChart, type Marker, type Series } from "./lib/chart.js";
import type { NotebookOptions } from "./lib/options.js";
import { Report } from "./lib/report.js";

/** Run every strategy with every seed and build the report. */
export async function failureTimelineReport(o: NotebookOptions): Promise<Report> {
  const size = o.tiny ? TINY : o.quick ? QUICK : FULL;
  const seeds = o.seed === undefined ? size.seeds : [o.seed];
  const t = await timelineRuns(size, seeds, o);
  const stats = STRATEGIES.map((s) => strategyStats(s, t.runs));
  const report = new Report(
    "failure-timeline",
    "Failure timeline: one crash, every fault-tolerance strategy",
    summaryText(size, t, stats),
    {
      command: `npx seep report failure-timeline${o.quick ? " --quick" : ""}${o.seed === undefined ? "" : ` --seed ${o.seed}`}`,
      seed: t.drawnSeed,
      parameters: {
        seeds,
        lines: size.lines,
        lineIntervalMs: LINE_INTERVAL_MS,
        vocabularySize: VOCABULARY_SIZE,
        ...WINDOWS,
        cluster: CLUSTER,
        pool: POOL,
        fidelity: FIDELITY,
        crash: { vm: CRASHED_VM, atMs: size.crashAtMs },
        checkpointIntervalMs: CHECKPOINT_INTERVAL_MS,
        crashPhaseMs: CRASH_PHASE_MS,
        metricsIntervalMs: METRICS_INTERVAL_MS,
        strategies: STRATEGIES.map((s) => ({ label: s.label, ...s.faultTolerance })),
      },
    },
  );
  timelines(report, size, t);
  recoveredFigure(report, size, t, stats);
  recoveryTables(report, t, stats);
  report.note(
    "Beside the papers",
    besideThePapers(new Map(stats.map((x) => [x.strategy.label, x])), {
      crashAtMs: size.crashAtMs,
      windowSizeMs: WINDOWS.windowSizeMs,
      phaseMs: CRASH_PHASE_MS,
      seeds: seeds.length,
      vmSpeed: CLUSTER.speed,
      countUtilisation: utilisationBefore(t.rows.get(FAILURE_FREE.label) ?? [], size.crashAtMs),
      metricsIntervalMs: METRICS_INTERVAL_MS,
    }),
  );
  return report;
}

/** The crashed VM's mean utilisation from 2 s into the run until the crash (NaN: no rows). */
function utilisationBefore(rows: readonly MetricsRow[], crashAtMs: number): number {
  return mean(
    rows.flatMap((r) => {
      const u = r.cpuByVm.get(CRASHED_VM);
      return r.timeS >= 2 && r.timeS * 1000 <= crashAtMs && u !== undefined ? [u] : [];
    }),
  );
}

function summaryText(size: TimelineSize, t: TimelineRuns, stats: readonly StrategyStats[]): string {
  const exact = stats.reduce((n, x) => n + x.exact, 0);
  return (
    `A windowed word count (${size.lines / 1000} s of text, a line a ms, ${VOCABULARY_SIZE} words counted in windows of ` +
    `${WINDOWS.windowSizeMs / 1000} s sliding by ${WINDOWS.windowSlideMs / 1000} s, on ${CLUSTER.vms} VMs at ` +
    `${CLUSTER.speed} of a core) loses VM ${CRASHED_VM}, where count#3 runs alone, at ${size.crashAtMs / 1000} s: ` +
    `${CRASH_PHASE_MS / 1000} s after a checkpoint, in the middle of a ${CHECKPOINT_INTERVAL_MS / 1000} s interval. ` +
    `Each strategy recovers it, with ${t.seeds.length} seed${t.seeds.length === 1 ? "" : "s"}, a pooled VM handed out in ` +
    `${POOL.handoutMs / 1000} s. Recovery time: from the failure until the output has caught up (its 99th-percentile ` +
    `latency back near its level before): the time of the first output after which every output is back within the ` +
    `bound, taken from the outputs themselves, not from the ${METRICS_INTERVAL_MS} ms metrics intervals. ` +
    `${exact} of ${t.runs.length} runs give exactly the failure-free run's output of their seed` +
    `${exact === t.runs.length ? "" : ": the others are an engine bug"}. Simulated.`
  );
}

/** The throughput and latency figures: the drawn seed's runs, per second around the crash. */
function timelines(report: Report, size: TimelineSize, t: TimelineRuns): void {
  const fromS = size.crashAtMs / 1000 - size.beforeS;
  const toS = size.crashAtMs / 1000 + size.afterS;
  const lines = [...STRATEGIES, FAILURE_FREE].map((s) => ({
    strategy: s,
    seconds: perSecond(t.rows.get(s.label) ?? [], fromS, toS),
  }));
  const drawn = t.runs.find((r) => r.seed === t.drawnSeed && r.strategy === STRATEGIES[0]);
  const detectedAtMs = drawn?.summary.recoveries[0]?.detectedAtMs ?? null;
  const markers: Marker[] = [
    { x: size.crashAtMs / 1000, label: `VM ${CRASHED_VM} crashes` },
    ...(detectedAtMs === null ? [] : [{ x: detectedAtMs / 1000, label: "detected" }]),
  ];
  const of = (pick: (x: (typeof lines)[number]["seconds"][number]) => number | null) => ({
    series: lines.map(
      (l): Series => ({
        name: l.strategy.label,
        dash: l.strategy.dash === "" ? undefined : l.strategy.dash,
        points: l.seconds.map((x) => [x.timeS, pick(x) ?? Number.NaN] as const),
      }),
    ),
    data: {
      columns: ["timeS", ...lines.map((l) => l.strategy.label)],
      rows: lines[0].seconds.map((x, i) => [x.timeS, ...lines.map((l) => pick(l.seconds[i]))]),
    },
  });
  const seed = `seed ${t.drawnSeed}`;
  const throughput = of((x) => x.tuplesOut);
  report.figure(
    "throughput",
    `Tuples out per second around the failure, per strategy (${seed}: one run each; every seed's recovery is in the tables).`,
    lineChart({
      title: `Throughput around the failure (${seed})`,
      xLabel: "time (s)",
      yLabel: "tuples out (per s)",
      series: throughput.series,
      markers,
    }),
    throughput.data,
  );
  const latency = of((x) => x.latencyP99Ms);
  report.figure(
    "latency",
    `99th-percentile latency per second around the failure, per strategy (${seed}; the highest of a second's ` +
      `${METRICS_INTERVAL_MS} ms intervals; no line: no output that second).`,
    lineChart({
      title: `Latency around the failure (${seed})`,
      xLabel: "time (s)",
      yLabel: "latency, 99th percentile (ms)",
      series: latency.series,
      markers,
    }),
    latency.data,
  );
}

/** The share of each strategy's runs that have caught up, against the time since the crash: every seed a step. */
function recoveredFigure(
  report: Report,
  size: TimelineSize,
  t: TimelineRuns,
  stats: readonly StrategyStats[],
): void {
  const endS = size.afterS;
  const rows: (string | number)[][] = [];
  const series = stats.map((x): Series => {
    const sorted = [...x.recoveriesMs].sort((a, b) => a - b);
    const steps = sorted.map((ms, i) => [ms / 1000, (i + 1) / x.runs] as const);
    for (const r of t.runs.filter((r) => r.strategy === x.strategy))
      rows.push([x.strategy.label, r.seed, (r.summary.recoveries[0]?.recoveryMs ?? Number.NaN) / 1000]);
    return {
      name: x.strategy.label,
      dash: x.strategy.dash === "" ? undefined : x.strategy.dash,
      step: true,
      points: [[0, 0], ...steps, [endS, steps.at(-1)?.[1] ?? 0]],
      samples: steps,
    };
  });
  report.figure(
    "recovered",
    `Share of each strategy's ${t.seeds.length} run${t.seeds.length === 1 ? "" : "s"} (one per seed) whose output has ` +
      `caught up, against the time since the crash: each step is one seed's recovery time.`,
    lineChart({
      title: "Runs recovered after the crash",
      xLabel: "time since the crash (s)",
      yLabel: "runs caught up (share)",
      series,
    }),
    {
      columns: ["strategy", "seed", "recoveryS"],
      rows: rows.map((r) => r.map((v) => (typeof v === "number" && Number.isNaN(v) ? null : v))),
    },
  );
}

/** The recovery-time table per strategy, and the table of every run. */
function recoveryTables(report: Report, t: TimelineRuns, stats: readonly StrategyStats[]): void {
  /** A time in whole ms (null: none). */
  const ms = (v: number) => (Number.isNaN(v) ? null : Math.round(v));
  report.table(
    "recoveries",
    "Recovery time per strategy over the seeds (ms): median, mean and its Student t 95% interval, every seed's",
    {
      columns: [
        "strategy",
        "runs",
        "medianMs",
        "meanMs",
        "ci95LowMs",
        "ci95HighMs",
        "perSeedMs",
        "restoredAfterMs",
        "catchUpMs",
        "exact",
      ],
      rows: stats.map((x) => [
        x.strategy.label,
        x.runs,
        ms(x.medianMs),
        ms(x.meanMs),
        x.ci95 === null ? null : Math.round(x.ci95.low),
        x.ci95 === null ? null : Math.round(x.ci95.high),
        t.runs
          .filter((r) => r.strategy === x.strategy)
          .map((r) => r.summary.recoveries[0]?.recoveryMs ?? "none")
          .join(" "),
        ms(x.restoredAfterMs),
        ms(x.catchUpMs),
        `${x.exact} of ${x.runs}`,
      ]),
    },
  );
  report.table(
    "runs",
    "Every run: its recovery, and whether its output is exactly the failure-free run's of its seed",
    {
      columns: [
        "strategy",
        "seed",
        "lost",
        "failedAtMs",
        "detectedAtMs",
        "restoredAtMs",
        "caughtUpAtMs",
        "recoveryMs",
        "exact",
      ],
      rows: t.runs.map((r) => {
        const rec = r.summary.recoveries[0];
        return [
          r.strategy.label,
          r.seed,
          rec?.instances.join(" ") ?? "",
          rec?.failedAtMs ?? null,
          rec?.detectedAtMs ?? null,
          rec?.restoredAtMs ?? null,
          rec?.caughtUpAtMs ?? null,
          rec?.recoveryMs ?? null,
          String(r.exact),
        ];
      }),
    },
  );
}
