// Notebook: Linear Road scale-out (SEEP's headline experiment), from the `lrb-scaleout`
// preset. Parameters first, then the runs, then the figures: L and the input rate over
// time, latency against the 5 s deadline, VMs in use and cost, each for the elastic run
// and for a static deployment of SEEP's 50 VMs beside it (notebooks/lrbScaleOutRuns.ts
// runs both, in parallel), the scale outs marked on the time axes; where the deadline was
// missed and why; and SEEP's figure beside the result. `--quick` runs L = 100 over 20
// minutes on operator VMs half as fast (so that it still scales out), in seconds.

import { openXways } from "../workloads/linearRoad/index.js";
import { lineChart, type Marker, type Series } from "./lib/chart.js";
import type { NotebookOptions } from "./lib/options.js";
import { Report } from "./lib/report.js";
import { parallelismAfter, scaleOutMarkers } from "./lrbScaleOutMarkers.js";
import { deadlineMisses } from "./lrbScaleOutMisses.js";
import { beside } from "./lrbScaleOutPapers.js";
import {
  elasticExperiment,
  type RunSecond,
  runElasticAndStatic,
  SCALED_OPERATORS,
  type ScaleOutRun,
  staticDeployment,
} from "./lrbScaleOutRuns.js";

// ---- parameters ----

const PRESET = "lrb-scaleout";
/** Scale outs completed within this share of the run's length of one another share a marker. */
const MERGE_SHARE = 1 / 30;
/** The latency figure's window: the highest latencies of so many seconds make a point. */
const WINDOW_S = { quick: 20, full: 60 };

// ---- the runs ----

/** Run the experiment and its static deployment, and build the report. */
export async function lrbScaleOutReport(o: NotebookOptions): Promise<Report> {
  const e = elasticExperiment(o.quick, o.seed);
  const { xways, xwayOpenEveryS, durationS } = e.workload.params as {
    xways: number;
    xwayOpenEveryS: number;
    durationS: number;
  };
  const deadlineMs = e.scaling.deadlineMs ?? 5_000;
  // SEEP's 50 VMs, which is also the elastic policy's cap (its rule's maxVms).
  const capVms = Math.max(...e.scaling.rules.map((r) => r.maxVms));
  const fixed = staticDeployment(e, capVms);
  const { elastic, fixed: still } = await runElasticAndStatic(o, e, fixed);
  const s = elastic.summary;
  const f = still.summary;
  const fullAtS = (xways - 1) * xwayOpenEveryS;
  const intervalS = e.metricsIntervalMs / 1000;
  const windowS = o.quick ? WINDOW_S.quick : WINDOW_S.full;

  const deployment = SCALED_OPERATORS.map((op) => `${op} ${fixed.parallelism[op]}`).join(", ");
  const report = new Report(
    PRESET,
    `Linear Road scale-out to L = ${xways}`,
    `Expressways open one every ${xwayOpenEveryS} s up to L = ${xways}. The elastic run starts with one instance ` +
      `per operator and the threshold policy alone scales it out (live state transfer), under fault-tolerance ` +
      `strategy ${e.faultTolerance.strategy} (checkpoints every ${e.faultTolerance.checkpointIntervalMs / 1000} s ` +
      `serve both the splits and recovery), up to ${capVms} VMs. Beside it, the same input on a static deployment ` +
      `of ${fixed.vms} VMs (SEEP's figure) from the start: ${fixed.edgeVms} for the source and sink and ` +
      `${fixed.operatorVms} operator instances (${deployment}, in proportion to their CPU cost per record), ` +
      `no scaling. Simulated, cost-scaled fidelity (1 car in ${e.fidelity.sampleOneIn} simulated, each standing ` +
      `for ${e.fidelity.sampleOneIn}); the two runs ran in parallel as a sweep.`,
    {
      command: `npx seep report ${PRESET}${o.quick ? " --quick" : ""}${o.seed === undefined ? "" : ` --seed ${o.seed}`}`,
      seed: e.seed,
      parameters: {
        workload: e.workload.params,
        cluster: e.cluster,
        pool: e.pool,
        fidelity: e.fidelity,
        scaling: { policy: e.scaling.policy, rules: e.scaling.rules, stateTransfer: e.scaling.stateTransfer },
        faultTolerance: e.faultTolerance,
        staticDeployment: fixed,
      },
    },
  );

  // ---- the figures ----

  const markers: Marker[] = scaleOutMarkers(s.scaleOuts, durationS * MERGE_SHARE);
  const marked =
    "A vertical line marks the elastic run's scale outs (those close together as one), labelled with each split operator's instances after it.";
  const at = (r: RunSecond) => r.timeS;
  const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? Math.round(v) : null);
  const L = (r: RunSecond) => openXways(r.timeS, xways, xwayOpenEveryS);
  report.figure(
    "load",
    `Expressways open (L) over time; the input rate is the next figure. ${marked}`,
    lineChart({
      title: "Load: expressways open",
      xLabel: "time (s)",
      yLabel: "expressways (L)",
      series: [{ name: "L", points: elastic.rows.map((r) => [at(r), L(r)] as const), step: true }],
      markers,
    }),
    { columns: ["timeS", "L"], rows: elastic.rows.map((r) => [at(r), L(r)]) },
  );
  const rate = (r: RunSecond) => r.tuplesIn / intervalS;
  // The same input in both runs, unless one of them shed load: then both are drawn.
  const sameInput =
    elastic.rows.length === still.rows.length &&
    elastic.rows.every((r, i) => r.tuplesIn === still.rows[i].tuplesIn);
  const inputSeries: Series[] = [
    { name: "elastic", points: elastic.rows.map((r) => [at(r), rate(r)] as const) },
  ];
  if (!sameInput)
    inputSeries.push({
      name: `static (${fixed.vms} VMs)`,
      points: still.rows.map((r) => [at(r), rate(r)] as const),
      dash: "6 4",
    });
  report.figure(
    "input",
    `Input rate: the position reports and queries the source emitted per second (each simulated record counted ` +
      `for the ${e.fidelity.sampleOneIn} it stands for), ` +
      (sameInput
        ? "the same second for second in the static run (one line). "
        : "in each run (they differ: one shed load). ") +
      marked,
    lineChart({
      title: "Input rate",
      xLabel: "time (s)",
      yLabel: "input rate (tuples/s)",
      series: inputSeries,
      markers,
    }),
    {
      columns: ["timeS", "L", "elasticTuplesPerS", "staticTuplesPerS"],
      rows: elastic.rows.map((r, i) => [
        at(r),
        L(r),
        rate(r),
        still.rows[i] === undefined ? null : rate(still.rows[i]),
      ]),
    },
  );
  const windowsOf = (run: ScaleOutRun) => latencyWindows(run.rows, windowS);
  const [ew, sw] = [windowsOf(elastic), windowsOf(still)];
  const pts = (ws: readonly LatencyWindow[], pick: (w: LatencyWindow) => number) =>
    ws.map((w) => [w.endS, pick(w)] as const);
  // The highest solid, the 99th percentile after it and dashed: where they meet, both show.
  const latencySeries: Series[] = [
    { name: "elastic, max", points: pts(ew, (w) => w.maxMs), dots: true },
    { name: "elastic, p99", points: pts(ew, (w) => w.p99Ms), dash: "5 4" },
    { name: "static, max", points: pts(sw, (w) => w.maxMs), dots: true },
    { name: "static, p99", points: pts(sw, (w) => w.p99Ms), dash: "5 4" },
  ];
  report.figure(
    "latency",
    `Latency of the answers against the ${deadlineMs / 1000} s deadline, elastic and static, per ${windowS} s: ` +
      `the highest of any answer in it (max, solid with dots) and the highest of its seconds' 99th percentiles ` +
      `(p99, dashed). Each second's figures are in the runs' metrics.csv. ${marked}`,
    lineChart({
      title: "Latency against the deadline",
      xLabel: "time (s)",
      yLabel: "latency (ms)",
      series: latencySeries,
      thresholds: [{ y: deadlineMs, label: `deadline ${deadlineMs / 1000} s` }],
      markers,
    }),
    {
      columns: ["endS", "elasticMaxMs", "elasticP99Ms", "staticMaxMs", "staticP99Ms"],
      rows: ew.map((w, i) => [
        w.endS,
        finite(w.maxMs),
        finite(w.p99Ms),
        finite(sw[i]?.maxMs),
        finite(sw[i]?.p99Ms),
      ]),
    },
  );
  report.figure(
    "vms",
    `VMs in use over time (operators' and the edge VMs of the source and sink), elastic and static. ${marked}`,
    lineChart({
      title: "VMs in use",
      xLabel: "time (s)",
      yLabel: "VMs in use (count)",
      series: [
        { name: "elastic", points: elastic.rows.map((r) => [at(r), r.vmsInUse] as const), step: true },
        {
          name: "static",
          points: still.rows.map((r) => [at(r), r.vmsInUse] as const),
          step: true,
          dash: "6 4",
        },
      ],
      markers,
    }),
    {
      columns: ["timeS", "elasticVms", "staticVms"],
      rows: elastic.rows.map((r, i) => [at(r), r.vmsInUse, still.rows[i]?.vmsInUse ?? null]),
    },
  );
  const elasticCost = accumulated(elastic.rows);
  const staticCost = accumulated(still.rows);
  report.figure(
    "cost",
    "Cost: VM-seconds of the VMs in use, accumulated, elastic and static (the elastic run's pool of idle VMs is in the summary's total).",
    lineChart({
      title: "Cost",
      xLabel: "time (s)",
      yLabel: "cost (VM-seconds)",
      series: [
        { name: "elastic", points: elasticCost },
        { name: "static", points: staticCost, dash: "6 4" },
      ],
      markers,
    }),
    {
      columns: ["timeS", "elasticVmSeconds", "staticVmSeconds"],
      rows: elasticCost.map(([t, c], i) => [
        t,
        Math.round(c),
        staticCost[i] === undefined ? null : Math.round(staticCost[i][1]),
      ]),
    },
  );

  // ---- the tables ----

  const vmsAtFull = (run: ScaleOutRun) => run.rows.find((r) => r.timeS >= fullAtS)?.vmsInUse ?? null;
  const missedS = (run: ScaleOutRun) => run.rows.filter((r) => r.latencyMaxMs > deadlineMs).length;
  const wall = (sum: typeof s) => (sum.wallSeconds === null ? null : Math.round(sum.wallSeconds * 10) / 10);
  const finalParallelism = parallelismAfter(s.scaleOuts);
  report.table("summary", "Summary: the elastic run and the static deployment", {
    columns: ["figure", "elastic", `static (${fixed.vms} VMs)`],
    rows: [
      [
        "instances at the end (cars, segments, accounts)",
        SCALED_OPERATORS.map((op) => finalParallelism[op]).join(", "),
        SCALED_OPERATORS.map((op) => fixed.parallelism[op]).join(", "),
      ],
      ["simulated time (s)", Math.round(s.simulatedSeconds), Math.round(f.simulatedSeconds)],
      ["tuples in (the run's count)", s.tuplesIn, f.tuplesIn],
      ["wall time (s)", wall(s), wall(f)],
      [`VMs in use when L reached ${xways}`, vmsAtFull(elastic), vmsAtFull(still)],
      ["VMs in use at most", s.vmsMax, f.vmsMax],
      ["highest latency (ms)", s.latencyMs.max, f.latencyMs.max],
      ["99th-percentile latency (ms)", s.latencyMs.p99, f.latencyMs.p99],
      ["seconds with an answer over the deadline", missedS(elastic), missedS(still)],
      ["deadline met", String(s.deadlineMet), String(f.deadlineMet)],
      [
        "cost of the VMs in use (VM-seconds)",
        Math.round(elasticCost.at(-1)?.[1] ?? 0),
        Math.round(staticCost.at(-1)?.[1] ?? 0),
      ],
      ["cost (VM-seconds, pool included)", s.vmSeconds, f.vmSeconds],
      ["scale outs", s.scaleOuts.length, f.scaleOuts.length],
      ["output digest", s.outputDigest, f.outputDigest],
    ],
  });
  const misses = [
    ...deadlineMisses(
      "elastic",
      elastic.rows,
      s.scaleOuts,
      deadlineMs,
      (t) => openXways(t, xways, xwayOpenEveryS),
      capVms,
    ),
    ...deadlineMisses(
      "static",
      still.rows,
      f.scaleOuts,
      deadlineMs,
      (t) => openXways(t, xways, xwayOpenEveryS),
      capVms,
    ),
  ];
  if (misses.length > 0) {
    report.warn(
      `The ${deadlineMs / 1000} s deadline was missed: ${misses.map((m) => `${m.run} ${m.fromS}-${m.toS} s (L = ${m.xways}, ${m.worstMs} ms): ${m.why}`).join("; ")}.`,
    );
    report.table("missed", "Where the deadline was missed, and why", {
      columns: ["run", "fromS", "toS", "L", "worstMs", "vmsInUse", "why"],
      rows: misses.map((m) => [m.run, m.fromS, m.toS, m.xways, m.worstMs, m.vmsInUse, m.why]),
    });
  }
  report.note(
    "Beside the papers",
    beside({
      quick: o.quick,
      xways,
      capVms,
      deadlineMs,
      elastic: {
        summary: s,
        vmsAtFull: vmsAtFull(elastic),
        missedS: missedS(elastic),
        cost: elasticCost.at(-1)?.[1] ?? 0,
      },
      fixed: { summary: f, vms: fixed.vms, missedS: missedS(still), cost: staticCost.at(-1)?.[1] ?? 0 },
      thresholdPercent: Math.round(100 * Math.min(...e.scaling.rules.map((r) => r.threshold))),
      operatorSpeed: e.cluster.speed,
    }),
  );
  report.table("scaleOuts", "The elastic run's scale outs", {
    columns: ["operator", "instance", "into", "requestedAtMs", "pausedAtMs", "completedAtMs", "pauseMs"],
    rows: s.scaleOuts.map((r) => [
      r.operator,
      r.instance,
      r.instances.join(" "),
      r.requestedAtMs,
      r.pausedAtMs,
      r.completedAtMs,
      r.pausedAtMs === null || r.completedAtMs === null ? null : Math.round(r.completedAtMs - r.pausedAtMs),
    ]),
  });
  return report;
}

/** VM-seconds of the VMs in use, accumulated over the rows. */
function accumulated(rows: readonly RunSecond[]): [number, number][] {
  let vmSeconds = 0;
  return rows.map((r, i) => {
    vmSeconds += r.vmsInUse * (r.timeS - (i === 0 ? 0 : rows[i - 1].timeS));
    return [r.timeS, vmSeconds];
  });
}

/** The highest latency (of any answer, and of the seconds' 99th percentiles) of a window of seconds. */
interface LatencyWindow {
  readonly endS: number;
  readonly maxMs: number;
  readonly p99Ms: number;
}

/** The rows in windows of `windowS` seconds (by their end time), each's highest latencies; NaN: no answer in it. */
function latencyWindows(rows: readonly RunSecond[], windowS: number): LatencyWindow[] {
  const windows = new Map<number, { maxMs: number; p99Ms: number }>();
  for (const r of rows) {
    const endS = Math.ceil(r.timeS / windowS) * windowS;
    const w = windows.get(endS) ?? { maxMs: Number.NaN, p99Ms: Number.NaN };
    const higher = (a: number, b: number) => (Number.isNaN(a) || b > a ? b : a);
    if (Number.isFinite(r.latencyMaxMs)) w.maxMs = higher(w.maxMs, r.latencyMaxMs);
    if (Number.isFinite(r.latencyP99Ms)) w.p99Ms = higher(w.p99Ms, r.latencyP99Ms);
    windows.set(endS, w);
  }
  return [...windows].map(([endS, w]) => ({ endS, ...w }));
}
