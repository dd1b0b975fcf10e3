// Notebook: the failure timeline. The word count runs once per fault-tolerance strategy
// with the same VM crashing at the same time, and once without the crash; the figures
// show throughput and latency per second around the failure, one line per strategy, with
// the failure, its detection and each strategy's recovery marked. The table says when each
// recovered and whether its output is exactly the failure-free run's.

import type { MetricsRow } from "../engine/index.js";
import { parseExperiment } from "../sim/experiment.js";
import { PRESETS } from "../sim/presets.js";
import { type SimProgress, Simulation } from "../sim/simulation.js";
import type { SimSummary } from "../sim/summary.js";
import { workloadPlan } from "../workloads/index.js";
import { lineChart, type Marker } from "./lib/chart.js";
import type { NotebookOptions } from "./lib/options.js";
import { Report } from "./lib/report.js";

// ---- parameters ----

/** The strategies compared, each with the same crash: a line's name and its fault-tolerance settings. */
const STRATEGIES: readonly { readonly label: string; readonly faultTolerance: Record<string, unknown> }[] = [
  { label: "rsm", faultTolerance: { strategy: "rsm" } },
  // SEEP's parallel recovery: the lost count instance is restored onto 2 new VMs.
  { label: "parallel rsm", faultTolerance: { strategy: "rsm", parallelRecovery: 2 } },
  { label: "upstream-backup", faultTolerance: { strategy: "upstream-backup" } },
  { label: "source-replay", faultTolerance: { strategy: "source-replay" } },
  { label: "global-snapshot", faultTolerance: { strategy: "global-snapshot" } },
];
/** The VM that crashes: it hosts one of the two count instances, and nothing else. */
const CRASHED_VM = 3;
/** Windows of 2 s sliding by 1 s, so that counts come out every second. */
const WINDOWS = { windowSizeMs: 2_000, windowSlideMs: 1_000 };
/** Full run: 200 s of words, the crash at 100 s, 30 s shown before it and 60 s after. */
const FULL = { lines: 200_000, crashAtMs: 100_000, beforeS: 30, afterS: 60 };
/** --quick: 40 s of words, the crash at 20 s. */
const QUICK = { lines: 40_000, crashAtMs: 20_000, beforeS: 10, afterS: 20 };
/** Checkpoints (and marks, snapshots) every 2 s. */
const CHECKPOINT_INTERVAL_MS = 2_000;

// ---- the runs ----

function run(
  faultTolerance: Record<string, unknown>,
  crash: boolean,
  quick: boolean,
  seed: number | undefined,
  onProgress?: (p: SimProgress) => void,
) {
  const p = quick ? QUICK : FULL;
  const raw = PRESETS.wordcount as { workload: { name: string; params: Record<string, unknown> } };
  const e = parseExperiment(
    {
      ...raw,
      ...(seed === undefined ? {} : { seed }),
      workload: { ...raw.workload, params: { ...raw.workload.params, ...WINDOWS, lines: p.lines } },
      faultTolerance: { ...faultTolerance, checkpointIntervalMs: CHECKPOINT_INTERVAL_MS },
      faults: crash ? [{ type: "crash", vm: CRASHED_VM, atMs: p.crashAtMs }] : [],
    },
    "wordcount",
  );
  const sim = new Simulation(e, workloadPlan("wordcount", e.workload.params, e.seed));
  const summary = sim.run(onProgress);
  return { e, summary, rows: sim.metrics.rows() };
}

/** Run the strategies and build the report. */
export function failureTimelineReport(o: NotebookOptions): Report {
  const p = o.quick ? QUICK : FULL;
  const base = run({ strategy: "none" }, false, o.quick, o.seed, o.onProgress);
  const runs: { strategy: string; summary: SimSummary; rows: readonly MetricsRow[] }[] = [];
  for (const { label, faultTolerance } of STRATEGIES) {
    const r = run(faultTolerance, true, o.quick, o.seed, o.onProgress);
    runs.push({ strategy: label, summary: r.summary, rows: r.rows });
  }
  const e = base.e;

  // ---- the figures ----

  const fromS = p.crashAtMs / 1000 - p.beforeS;
  const toS = p.crashAtMs / 1000 + p.afterS;
  const window = (rows: readonly MetricsRow[]) => rows.filter((r) => r.timeS >= fromS && r.timeS <= toS);
  const detectedAtMs =
    runs[0].summary.recoveries[0]?.detectedAtMs ?? p.crashAtMs + e.faultTolerance.detectionMs;
  const markers: Marker[] = [
    { x: p.crashAtMs / 1000, label: `VM ${CRASHED_VM} crashes` },
    { x: detectedAtMs / 1000, label: "detected" },
    ...runs.flatMap((r) => {
      const c = r.summary.recoveries[0]?.caughtUpAtMs;
      return c === null || c === undefined ? [] : [{ x: c / 1000, label: `${r.strategy} caught up` }];
    }),
  ];
  const report = new Report(
    "failure-timeline",
    "Failure timeline: one crash, every fault-tolerance strategy",
    `A windowed word count (${p.lines} lines at 1 per ms) loses VM ${CRASHED_VM} at ${p.crashAtMs / 1000} s; ` +
      `each strategy recovers it (checkpoints every ${CHECKPOINT_INTERVAL_MS / 1000} s). Simulated, full fidelity.`,
    {
      command: `npx seep report failure-timeline${o.quick ? " --quick" : ""}${o.seed === undefined ? "" : ` --seed ${o.seed}`}`,
      seed: e.seed,
      parameters: {
        workload: e.workload.params,
        cluster: e.cluster,
        crash: { vm: CRASHED_VM, atMs: p.crashAtMs },
        checkpointIntervalMs: CHECKPOINT_INTERVAL_MS,
        detectionMs: e.faultTolerance.detectionMs,
      },
    },
  );
  const all = [{ strategy: "failure-free", rows: base.rows }, ...runs];
  report.figure(
    "throughput",
    "Tuples out per second around the failure, per strategy.",
    lineChart({
      title: "Throughput around the failure",
      xLabel: "time (s)",
      yLabel: "tuples out (per s)",
      series: all.map((r) => ({
        name: r.strategy,
        points: window(r.rows).map((x) => [x.timeS, x.tuplesOut] as const),
      })),
      markers,
    }),
    {
      columns: ["timeS", ...all.map((r) => r.strategy)],
      rows: window(base.rows).map((b, i) => [
        b.timeS,
        ...all.map((r) => window(r.rows)[i]?.tuplesOut ?? null),
      ]),
    },
  );
  const p99 = (x: MetricsRow) => (Number.isFinite(x.latencyP99Ms) ? x.latencyP99Ms : Number.NaN);
  report.figure(
    "latency",
    "99th-percentile latency per second around the failure, per strategy (no line: no output that second).",
    lineChart({
      title: "Latency around the failure",
      xLabel: "time (s)",
      yLabel: "latency, 99th percentile (ms)",
      series: all.map((r) => ({
        name: r.strategy,
        points: window(r.rows).map((x) => [x.timeS, p99(x)] as const),
      })),
      markers,
    }),
    {
      columns: ["timeS", ...all.map((r) => r.strategy)],
      rows: window(base.rows).map((b, i) => [
        b.timeS,
        ...all.map((r) => {
          const v = window(r.rows)[i];
          return v === undefined || !Number.isFinite(v.latencyP99Ms) ? null : v.latencyP99Ms;
        }),
      ]),
    },
  );
  report.table("recoveries", "Recoveries", {
    columns: [
      "strategy",
      "failedAtMs",
      "detectedAtMs",
      "restoredAtMs",
      "caughtUpAtMs",
      "recoveryMs",
      "instances",
      "output as failure-free",
    ],
    rows: runs.map((r) => {
      const rec = r.summary.recoveries[0];
      return [
        r.strategy,
        rec?.failedAtMs ?? null,
        rec?.detectedAtMs ?? null,
        rec?.restoredAtMs ?? null,
        rec?.caughtUpAtMs ?? null,
        rec?.recoveryMs ?? null,
        rec?.instances.join(" ") ?? "",
        String(r.summary.outputDigest === base.summary.outputDigest),
      ];
    }),
  });
  return report;
}
