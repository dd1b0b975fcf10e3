// Notebook: Linear Road scale-out (SEEP's headline experiment), from the `lrb-scaleout`
// preset. Parameters first, then the run, then the figures: L over time, latency against
// the 5 s deadline, VMs in use and cost, with every scale out marked on the time axes.
// `--quick` runs L = 100 over 20 minutes on operator VMs four times slower (so that it
// still scales out), in a few seconds.

import type { MetricsRow } from "../engine/index.js";
import { lrbScaleOutExperiment } from "../measure/lrbScaleOutExperiment.js";
import { Simulation } from "../sim/simulation.js";
import { workloadPlan } from "../workloads/index.js";
import { openXways } from "../workloads/linearRoad/index.js";
import { lineChart, type Marker } from "./lib/chart.js";
import type { NotebookOptions } from "./lib/options.js";
import { Report } from "./lib/report.js";

// ---- parameters ----

/** The preset; `--quick` shrinks it as its benchmark does (measure/lrbScaleOutExperiment.ts). */
const PRESET = "lrb-scaleout";

// ---- the run ----

/** Run the experiment and build its report. */
export function lrbScaleOutReport(o: NotebookOptions): Report {
  const e = lrbScaleOutExperiment(o.quick, {}, o.seed === undefined ? {} : { seed: o.seed });
  const sim = new Simulation(e, workloadPlan("lrb", e.workload.params, e.seed));
  const startedMs = performance.now();
  const s = sim.run(o.onProgress);
  const wallS = (performance.now() - startedMs) / 1000;
  const rows = sim.metrics.rows();
  const { xways, xwayOpenEveryS } = e.workload.params as { xways: number; xwayOpenEveryS: number };
  const deadlineMs = e.scaling.deadlineMs ?? 5_000;

  // ---- the figures ----

  const report = new Report(
    PRESET,
    `Linear Road scale-out to L = ${xways}`,
    `Expressways open one every ${xwayOpenEveryS} s up to L = ${xways}; the plan starts with one instance per ` +
      `operator and the threshold policy alone scales it out (live state transfer), under fault-tolerance ` +
      `strategy ${e.faultTolerance.strategy} (checkpoints every ${e.faultTolerance.checkpointIntervalMs / 1000} s ` +
      `serve both the splits and recovery). Simulated, cost-scaled ` +
      `fidelity (1 car in ${e.fidelity.sampleOneIn} simulated, each standing for ${e.fidelity.sampleOneIn}).`,
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
      },
    },
  );
  const markers: Marker[] = s.scaleOuts
    .filter((r) => r.completedAtMs !== null)
    .map((r) => ({ x: r.completedAtMs! / 1000, label: r.operator }));
  const at = (r: MetricsRow) => r.timeS;
  const lSeries = rows.map((r) => [at(r), openXways(at(r), xways, xwayOpenEveryS)] as const);
  report.figure(
    "load",
    "Expressways open (L) and input rate over time; a vertical line is a scale out's hand-over.",
    lineChart({
      title: "Load: expressways open",
      xLabel: "time (s)",
      yLabel: "expressways (L)",
      series: [{ name: "L", points: lSeries, step: true }],
      markers,
    }),
    {
      columns: ["timeS", "L", "tuplesInPerS"],
      rows: rows.map((r) => [at(r), openXways(at(r), xways, xwayOpenEveryS), r.tuplesIn]),
    },
  );
  const finite = (v: number) => (Number.isFinite(v) ? v : Number.NaN);
  report.figure(
    "latency",
    `Latency of the answers per second (highest and 99th percentile) against the ${deadlineMs / 1000} s deadline.`,
    lineChart({
      title: "Latency against the deadline",
      xLabel: "time (s)",
      yLabel: "latency (ms)",
      series: [
        { name: "highest", points: rows.map((r) => [at(r), finite(r.latencyMaxMs)] as const) },
        { name: "99th percentile", points: rows.map((r) => [at(r), finite(r.latencyP99Ms)] as const) },
      ],
      thresholds: [{ y: deadlineMs, label: `deadline ${deadlineMs / 1000} s` }],
      markers,
    }),
    {
      columns: ["timeS", "latencyMaxMs", "latencyP99Ms", "latencyP50Ms"],
      rows: rows.map((r) => [
        at(r),
        Number.isFinite(r.latencyMaxMs) ? r.latencyMaxMs : null,
        Number.isFinite(r.latencyP99Ms) ? r.latencyP99Ms : null,
        Number.isFinite(r.latencyP50Ms) ? r.latencyP50Ms : null,
      ]),
    },
  );
  let vmSeconds = 0;
  const cost = rows.map((r, i) => {
    vmSeconds += r.vmsInUse * (at(r) - (i === 0 ? 0 : at(rows[i - 1])));
    return [at(r), vmSeconds] as const;
  });
  report.figure(
    "vms",
    "VMs in use over time (operators' and the edge VMs of the source and sink).",
    lineChart({
      title: "VMs in use",
      xLabel: "time (s)",
      yLabel: "VMs in use (count)",
      series: [{ name: "VMs in use", points: rows.map((r) => [at(r), r.vmsInUse] as const), step: true }],
      markers,
    }),
    { columns: ["timeS", "vmsInUse"], rows: rows.map((r) => [at(r), r.vmsInUse]) },
  );
  report.figure(
    "cost",
    "Cost: VM-seconds of the VMs in use, accumulated (the pool's idle VMs are in the summary's total).",
    lineChart({
      title: "Cost",
      xLabel: "time (s)",
      yLabel: "cost (VM-seconds)",
      series: [{ name: "VMs in use", points: cost }],
      markers,
    }),
    { columns: ["timeS", "vmSeconds"], rows: cost.map(([t, c]) => [t, Math.round(c)]) },
  );
  const fullAtS = (xways - 1) * xwayOpenEveryS;
  report.table("summary", "Summary", {
    columns: ["figure", "value"],
    rows: [
      ["simulated time (s)", Math.round(s.simulatedSeconds)],
      ["wall time (s)", Math.round(wallS * 10) / 10],
      [`VMs in use when L reached ${xways}`, rows.find((r) => r.timeS >= fullAtS)?.vmsInUse ?? null],
      ["VMs in use at most", s.vmsMax],
      ["highest latency (ms)", s.latencyMs.max],
      ["99th-percentile latency (ms)", s.latencyMs.p99],
      ["seconds with an answer over the deadline", rows.filter((r) => r.latencyMaxMs > deadlineMs).length],
      ["deadline met", String(s.deadlineMet)],
      ["cost (VM-seconds, pool included)", s.vmSeconds],
      ["scale outs", s.scaleOuts.length],
      ["output digest", s.outputDigest],
    ],
  });
  report.table("scaleOuts", "Scale outs", {
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
