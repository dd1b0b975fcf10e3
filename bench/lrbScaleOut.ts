// Benchmark: the `lrb-scaleout` preset, SEEP's Linear Road scale-out experiment, in the
// simulator. Expressways open one by one up to L = 350 while the threshold policy alone
// scales the plan out from one instance per operator. Figures: the wall time of the run,
// the VMs in use when L reaches 350 and at most, the highest and 99th-percentile latency
// against the 5 s deadline, the seconds in which some answer missed it, and the cost in
// VM-seconds. Baseline, in the same run: the same experiment on a static deployment of
// the size the elastic run ended with (each operator at its final parallelism, one VM per
// instance), provisioned for the peak from the start. Also printed: L, input rate, highest
// latency and VMs over time. Also, side by side: the run under strategy none (what the
// checkpoints cost in VMs, latency and VM-seconds), and the crash variant
// (lrb-scaleout-crashes): whether its answers are exact, the recoveries and their lengths,
// and the seconds an answer missed the deadline outside and inside the recovery windows.
// `--quick` shrinks it to L = 100 over 20 minutes, on operator VMs half as fast so
// that it still scales.

import type { MetricsRow } from "../engine/index.js";
import { lrbScaleOutExperiment } from "../measure/lrbScaleOutExperiment.js";
import { PRESETS } from "../sim/presets.js";
import { Simulation } from "../sim/simulation.js";
import { workloadPlan } from "../workloads/index.js";
import { openXways } from "../workloads/linearRoad/index.js";
import type { BenchResult } from "./benchResult.js";

function run(quick: boolean, params: Record<string, unknown> = {}, over: Record<string, unknown> = {}) {
  const e = lrbScaleOutExperiment(quick, params, over);
  const sim = new Simulation(e, workloadPlan("lrb", e.workload.params, e.seed));
  const startedMs = performance.now();
  const summary = sim.run();
  return { e, sim, summary, wallS: (performance.now() - startedMs) / 1000 };
}

/** The highest latency of an interval's outputs (0 when it had none). */
function latencyMaxOf(row: MetricsRow): number {
  const ms = row.latencyMaxMs;
  return Number.isFinite(ms) ? ms : 0;
}

/** Run the Linear Road scale-out benchmark. */
export function benchLrbScaleOut(quick: boolean): BenchResult[] {
  const elastic = run(quick);
  const { xways, xwayOpenEveryS } = elastic.e.workload.params as { xways: number; xwayOpenEveryS: number };
  const deadlineMs = elastic.e.scaling.deadlineMs ?? 5_000;
  const rows = elastic.sim.metrics.rows();
  const fullAtS = (xways - 1) * xwayOpenEveryS;
  const vmsAtFull = rows.find((r) => r.timeS >= fullAtS)?.vmsInUse ?? Number.NaN;
  const missedS = rows.filter((r) => latencyMaxOf(r) > deadlineMs).length;
  process.stdout.write("  timeS      L  tuples/s  latencyMaxMs  VMs\n");
  const stepS = quick ? 100 : 300;
  for (let t = stepS; t <= rows.length; t += stepS) {
    const window = rows.slice(t - stepS, t);
    const maxLatency = Math.max(0, ...window.map((r) => latencyMaxOf(r)));
    const vms = Math.max(...window.map((r) => r.vmsInUse));
    const last = window[window.length - 1];
    const L = openXways(last.timeS, xways, xwayOpenEveryS);
    process.stdout.write(
      `  ${String(t).padStart(5)}  ${String(L).padStart(5)}  ${String(last.tuplesIn).padStart(8)}  ${maxLatency.toFixed(0).padStart(12)}  ${String(vms).padStart(3)}\n`,
    );
  }
  // The static baseline: the elastic run's final parallelism from the start.
  const parallelism: Record<string, number> = {};
  for (const op of ["cars", "segments", "accounts"]) {
    parallelism[`${op}Parallelism`] = elastic.sim.runtime.hosts.filter(
      (h) => h.alive && h.instance.operator.name === op,
    ).length;
  }
  const instances = Object.values(parallelism).reduce((a, b) => a + b, 0);
  const fixed = run(quick, parallelism, {
    cluster: { ...(elastic.e.cluster as Record<string, unknown>), vms: instances },
    scaling: { policy: "none", deadlineMs },
  });
  const s = elastic.summary;
  const f = fixed.summary;
  // The same run without fault tolerance (the checkpoints' cost), and with the crash
  // variant's faults (the preset lrb-scaleout-crashes).
  const bare = run(quick, {}, { faultTolerance: { strategy: "none" } });
  const crashes = run(
    quick,
    {},
    { faults: (PRESETS["lrb-scaleout-crashes"] as { faults: unknown[] }).faults },
  );
  const c = crashes.summary;
  const windows = c.recoveries.map((r) => [
    r.failedAtMs,
    r.caughtUpAtMs ?? r.restoredAtMs ?? Number.POSITIVE_INFINITY,
  ]);
  const inWindow = (timeS: number) => windows.some(([a, b]) => timeS * 1000 >= a && (timeS - 1) * 1000 <= b);
  const crashRows = crashes.sim.metrics.rows();
  const missedOutside = crashRows.filter((r) => latencyMaxOf(r) > deadlineMs && !inWindow(r.timeS)).length;
  const missedInside = crashRows.filter((r) => latencyMaxOf(r) > deadlineMs && inWindow(r.timeS)).length;
  for (const r of c.recoveries)
    process.stdout.write(
      `  crash at ${(r.failedAtMs / 1000).toFixed(1)} s of ${r.instances.join(" ")}: restored ${r.restoredAtMs === null ? "never" : `after ${((r.restoredAtMs - r.failedAtMs) / 1000).toFixed(1)} s`}, caught up ${r.recoveryMs === null ? "(not measured)" : `after ${(r.recoveryMs / 1000).toFixed(1)} s`}\n`,
    );
  process.stdout.write(
    `  crash variant: ${c.failures.length} VMs crashed; answers ${c.outputDigest === s.outputDigest ? "exact (digest equal to the failure-free run's)" : `NOT exact (digest ${c.outputDigest}, failure-free ${s.outputDigest})`}\n`,
  );
  const noneLabel = "the same run under strategy none";
  process.stdout.write(
    `  elastic: ${s.scaleOuts.length} scale outs, final parallelism ${JSON.stringify(parallelism)}; static: ${instances} operator VMs\n`,
  );
  const label = `static deployment of the final size (${f.vmsMax} VMs)`;
  return [
    {
      name: `wall time of the run (${s.simulatedSeconds.toFixed(0)} s simulated, L up to ${xways})`,
      value: elastic.wallS,
      unit: "s",
      target: "<= 600 s (moonshot 60 s)",
      baseline: { name: label, value: fixed.wallS, unit: "s" },
    },
    { name: `VMs in use when L reached ${xways}`, value: vmsAtFull, unit: "VMs", target: "<= 50" },
    {
      name: "VMs in use at most",
      value: s.vmsMax,
      unit: "VMs",
      target: "<= 50",
      baseline: { name: label, value: f.vmsMax, unit: "VMs" },
    },
    {
      name: "highest latency of an answer",
      value: s.latencyMs.max ?? Number.NaN,
      unit: "ms",
      target: `<= ${deadlineMs} ms`,
      baseline: { name: label, value: f.latencyMs.max ?? Number.NaN, unit: "ms" },
    },
    {
      name: "99th-percentile latency",
      value: s.latencyMs.p99 ?? Number.NaN,
      unit: "ms",
      baseline: { name: label, value: f.latencyMs.p99 ?? Number.NaN, unit: "ms" },
    },
    { name: "seconds in which an answer missed the deadline", value: missedS, unit: "s" },
    {
      name: "cost",
      value: s.vmSeconds,
      unit: "VM-s",
      baseline: { name: label, value: f.vmSeconds, unit: "VM-s" },
    },
    {
      name: `VMs in use at most, under ${s.faultTolerance}`,
      value: s.vmsMax,
      unit: "VMs",
      baseline: { name: noneLabel, value: bare.summary.vmsMax, unit: "VMs" },
    },
    {
      name: `highest latency of an answer, under ${s.faultTolerance}`,
      value: s.latencyMs.max ?? Number.NaN,
      unit: "ms",
      baseline: { name: noneLabel, value: bare.summary.latencyMs.max ?? Number.NaN, unit: "ms" },
    },
    {
      name: `cost, under ${s.faultTolerance}`,
      value: s.vmSeconds,
      unit: "VM-s",
      baseline: { name: noneLabel, value: bare.summary.vmSeconds, unit: "VM-s" },
    },
    {
      name: "crash variant: answers that differ from the failure-free run's",
      value: c.outputDigest === s.outputDigest ? 0 : Number.NaN,
      unit: "answers",
      target: "0 (digest equal)",
    },
    {
      name: "crash variant: seconds an answer missed the deadline outside the recovery windows",
      value: missedOutside,
      unit: "s",
      target: "0",
    },
    {
      name: "crash variant: seconds an answer missed the deadline inside them",
      value: missedInside,
      unit: "s",
    },
    {
      name: "crash variant: longest recovery (failure to caught up)",
      value: Math.max(0, ...c.recoveries.map((r) => r.recoveryMs ?? 0)),
      unit: "ms",
    },
  ];
}
