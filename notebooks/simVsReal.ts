// Notebook: the simulator against the real runtime. The same small experiments run in the
// simulator and on local worker processes: a word count that loses the worker of one of
// its count instances (rsm), and the same word count with one count instance split
// mid-run. For each: throughput, latency and (with the failure) recovery time, side by
// side, with the simulator's relative error against the real run (target: within 15%).
//
// How the simulator is set up to stand for this machine: the CPU costs are its defaults,
// measured on this machine (`npm run bench -- --only calibrate`); the failure is detected
// as the real runtime detects it, when the dead worker's watch stream breaks (detection
// 0 ms), and its instances go to a standby worker already running (VM handout 0 ms);
// VMs are one core each, as a worker process is one event loop.

import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { CloudRun } from "../cloud/cloudRun.js";
import { LocalProcessPool } from "../cloud/localProcessPool.js";
import type { MetricsRow, RecoverySummary, RunSummaryFields, ScaleOutSummary } from "../engine/index.js";
import { parseExperiment } from "../sim/experiment.js";
import { Simulation } from "../sim/simulation.js";
import { workloadNamed } from "../workloads/index.js";
import { lineChart } from "./lib/chart.js";
import type { NotebookOptions } from "./lib/options.js";
import { Report } from "./lib/report.js";

// ---- parameters ----

/** Seconds of lines (one a ms); the failure and the split come at 60% of it. */
const FULL = { seconds: 20 };
const QUICK = { seconds: 10 };
const TINY = { seconds: 5 };
const WORKERS = 4;
/** The worker (and simulated VM) that hosts count#3 alone. */
const FAILED = 3;
const PARAMS = { lineIntervalMs: 1, windowSizeMs: 1_000, windowSlideMs: 500, parallelism: 2 };
const CHECKPOINT_INTERVAL_MS = 1_000;
const BATCH = 256;
const POLL_MS = 20;
const TARGET = 0.15;

const bin = fileURLToPath(new URL("../bin/seep.js", import.meta.url));

// ---- the runs ----

interface Outcome {
  readonly tuplesPerS: number;
  readonly latencyP50Ms: number | null;
  readonly latencyP99Ms: number | null;
  readonly recoveryMs: number | null;
  readonly pauseMs: number | null;
  readonly digest: string;
  readonly rows: readonly MetricsRow[];
}

/** What a run's summary (simulated or real: the same fields) says of the figures compared. */
function outcomeOf(
  s: RunSummaryFields & {
    readonly recoveries: readonly RecoverySummary[];
    readonly scaleOuts: readonly ScaleOutSummary[];
  },
  rows: readonly MetricsRow[],
): Outcome {
  const so = s.scaleOuts[0];
  return {
    tuplesPerS: s.tuplesOut / s.simulatedSeconds,
    latencyP50Ms: s.latencyMs.p50,
    latencyP99Ms: s.latencyMs.p99,
    recoveryMs: s.recoveries[0]?.recoveryMs ?? null,
    pauseMs: so?.completedAtMs != null && so.pausedAtMs != null ? so.completedAtMs - so.pausedAtMs : null,
    digest: s.outputDigest,
    rows,
  };
}

function simulate(lines: number, failAtMs: number | null, splitAtMs: number | null): Outcome {
  const e = parseExperiment(
    {
      name: "sim-vs-real",
      workload: { name: "wordcount", params: { ...PARAMS, lines } },
      cluster: { vms: WORKERS },
      // Poll phases as a real runtime's timers fall, not on multiples of the period.
      fidelity: { batchSize: BATCH, sourcePollMs: POLL_MS, sourcePollPhase: "random" },
      pool: { handoutMs: 0 },
      faultTolerance: {
        strategy: failAtMs === null ? "none" : "rsm",
        checkpointIntervalMs: CHECKPOINT_INTERVAL_MS,
        detectionMs: 0,
      },
      faults: failAtMs === null ? [] : [{ type: "crash", vm: FAILED, atMs: failAtMs }],
      scaling: {
        scaleOuts: splitAtMs === null ? [] : [{ operator: "count", index: 0, atMs: splitAtMs, factor: 2 }],
      },
    },
    "sim-vs-real",
  );
  const sim = new Simulation(e, workloadNamed("wordcount").plan(e.workload.params, e.seed));
  return outcomeOf(sim.run(), sim.metrics.rows());
}

async function runReal(lines: number, failAtMs: number | null, splitAtMs: number | null): Promise<Outcome> {
  const token = randomBytes(8).toString("hex");
  const pool = new LocalProcessPool({ command: [process.execPath, bin, "worker"], token });
  const params = { ...PARAMS, lines };
  try {
    const run = new CloudRun({
      name: "sim-vs-real",
      pool,
      poolKind: "local",
      workers: WORKERS,
      token,
      workload: "wordcount",
      params,
      plan: workloadNamed("wordcount").plan(params, 1),
      seed: 1,
      batchSize: BATCH,
      sourcePollMs: POLL_MS,
      faultTolerance: {
        strategy: failAtMs === null ? "none" : "rsm",
        checkpointIntervalMs: CHECKPOINT_INTERVAL_MS,
        backupPlacement: "upstream",
      },
      kills: failAtMs === null ? [] : [{ worker: FAILED, atMs: failAtMs }],
      scaleOuts: splitAtMs === null ? [] : [{ operator: "count", index: 0, atMs: splitAtMs, factor: 2 }],
      untilMs: 120_000,
    });
    return outcomeOf(await run.run(), run.metricsRows());
  } finally {
    await pool.shutdown();
  }
}

/** |sim - real| / real, or null when either is missing or real is 0. */
function relativeError(sim: number | null, real: number | null): number | null {
  if (sim === null || real === null || real === 0) return null;
  return Math.round((Math.abs(sim - real) / Math.abs(real)) * 1000) / 1000;
}

/** Run both experiments both ways and build the report. */
export async function simVsRealReport(o: NotebookOptions): Promise<Report> {
  const { seconds } = o.tiny ? TINY : o.quick ? QUICK : FULL;
  const lines = seconds * 1000;
  const atMs = Math.round(seconds * 600);
  o.onStep?.("simulating the word count that loses a worker");
  const failSim = simulate(lines, atMs, null);
  o.onStep?.(`running it on ${WORKERS} local workers (${seconds} s)`);
  const failReal = await runReal(lines, atMs, null);
  o.onStep?.("simulating the word count split mid-run");
  const splitSim = simulate(lines, null, atMs);
  o.onStep?.(`running it on ${WORKERS} local workers (${seconds} s)`);
  const splitReal = await runReal(lines, null, atMs);

  // ---- the figures ----

  const report = new Report(
    "sim-vs-real",
    "The simulator against the real runtime",
    `A windowed word count (${seconds} s of lines, one a ms, on ${WORKERS} workers) run in the simulator and on ` +
      `local worker processes: once losing worker ${FAILED} (count#3) at ${atMs / 1000} s under rsm, once splitting ` +
      `count#3 at ${atMs / 1000} s. Relative error: |simulated - real| / real (target ${TARGET * 100}%).`,
    {
      command: `npx seep report sim-vs-real${o.quick ? " --quick" : ""}`,
      seed: 1,
      parameters: {
        workload: { ...PARAMS, lines },
        workers: WORKERS,
        failedWorker: FAILED,
        atMs,
        checkpointIntervalMs: CHECKPOINT_INTERVAL_MS,
        simulator: { detectionMs: 0, handoutMs: 0, costs: "defaults (calibrate benchmark)" },
      },
    },
  );
  const perSecond = (rows: readonly MetricsRow[]) => rows.map((r) => [r.timeS, r.tuplesOut] as const);
  report.figure(
    "failure",
    "Tuples out per second with the failure, simulated and real; the line marks the kill.",
    lineChart({
      title: "Word count losing a worker: simulated and real",
      xLabel: "time (s)",
      yLabel: "tuples out (per s)",
      series: [
        { name: "simulated", points: perSecond(failSim.rows) },
        { name: "real", points: perSecond(failReal.rows) },
      ],
      markers: [{ x: atMs / 1000, label: `worker ${FAILED} killed` }],
    }),
    {
      columns: ["timeS", "simulated", "real"],
      rows: failSim.rows.map((r, i) => [r.timeS, r.tuplesOut, failReal.rows[i]?.tuplesOut ?? null]),
    },
  );
  const row = (what: string, metric: string, sim: number | null, real: number | null) => {
    const err = relativeError(sim, real);
    return [what, metric, sim, real, err, err === null ? "" : err <= TARGET ? "yes" : "no"];
  };
  report.table("comparison", "Simulated against real", {
    columns: ["experiment", "metric", "simulated", "real", "relative error", `within ${TARGET * 100}%`],
    rows: [
      row("failure", "throughput (tuples out/s)", failSim.tuplesPerS, failReal.tuplesPerS),
      row("failure", "latency p50 (ms)", failSim.latencyP50Ms, failReal.latencyP50Ms),
      row("failure", "latency p99 (ms)", failSim.latencyP99Ms, failReal.latencyP99Ms),
      row("failure", "recovery time (ms)", failSim.recoveryMs, failReal.recoveryMs),
      row("scale out", "throughput (tuples out/s)", splitSim.tuplesPerS, splitReal.tuplesPerS),
      row("scale out", "latency p99 (ms)", splitSim.latencyP99Ms, splitReal.latencyP99Ms),
      row("scale out", "pause (ms)", splitSim.pauseMs, splitReal.pauseMs),
      [
        "failure",
        "output digest equal",
        failSim.digest,
        failReal.digest,
        null,
        String(failSim.digest === failReal.digest),
      ],
      [
        "scale out",
        "output digest equal",
        splitSim.digest,
        splitReal.digest,
        null,
        String(splitSim.digest === splitReal.digest),
      ],
    ],
  });
  return report;
}
