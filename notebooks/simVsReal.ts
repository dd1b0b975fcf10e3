// Notebook: the simulator against the real runtime. The same small experiments run in the
// simulator and on local worker processes: a word count that loses the worker of one of
// its count instances (rsm), the same word count with one count instance split mid-run,
// and SAND's packet counter as fast as it goes. For each: throughput, latency, recovery
// (detection, restore, catch-up) and pause side by side, with the simulator's relative
// error against the real run (target: within 15%).
//
// How the simulator is made to stand for local workers on this machine (calibration, the
// first step, measured here and now as `npm run bench -- --only calibrate` measures it;
// measure/localRuntime.ts and measure/packetCosts.ts say how each figure is taken):
//   - a batch between two worker processes takes half a measured frame/credit round trip
//     (network.latencyMs); a control message or a reply half a measured control round
//     trip through an instance's inbox (network.controlLatencyMs, replyLatencyMs); a
//     sender's first batch to a receiver waits for its new stream's first credit
//     (network.connectMs);
//   - a deploy call takes the mean of a standby's first redeploy with an instance and a
//     redeploy to three workers at once (pool.deployMs: a recovery's or a scale out's
//     redeploy is two calls, to the worker and then to every other worker);
//   - a worker's death is known when its watch stream breaks, as measured by killing
//     standbys (faultTolerance.detectionMs); its instances go to a standby worker, running
//     already (pool.handoutMs 0); the split's new part goes to a standby too;
//   - CPU: the cost model's defaults (in-process, `--only calibrate`), with the data
//     plane's CPU per byte at each end measured here (frames between two processes); for
//     the packet counter also its operators' tupleUs, measured here, and the VMs' speed is
//     the share of a core the real workers had while ready to run (/proc/<pid>/schedstat,
//     during the real run: the machine is shared);
//   - VMs are one core each, as a worker process is one event loop, and they share this
//     machine's cores (cluster.hostCores = os.availableParallelism()): after a failure or
//     during a split every worker has work at once, and they queue for the machine.
// Simulated figures are medians over seeds (each seed draws the sources' poll phases
// anew); real figures, medians over runs. The FINDINGS table says where the real
// runtime's time went when its recovery and split were instrumented, what was fixed in
// the runtime and what the simulator still does not model.

import { availableParallelism } from "node:os";
import { CloudRun } from "../cloud/cloudRun.js";
import type { MetricsRow, RecoverySummary, RunSummaryFields, ScaleOutSummary } from "../engine/index.js";
import { CoreShare } from "../measure/coreShare.js";
import { collectGarbage } from "../measure/garbage.js";
import {
  CALIBRATION_FULL,
  CALIBRATION_PROBES,
  CALIBRATION_QUICK,
  CALIBRATION_TINY,
  type CalibrationSizes,
  measureLocalRuntime,
  SIM_VS_REAL_RUN,
} from "../measure/localRuntime.js";
import { type LocalRuntimeParameters, localRuntimeParameters } from "../measure/localRuntimeParameters.js";
import { localWorkers } from "../measure/localWorkers.js";
import { LOAD_COLUMNS, LoadLog } from "../measure/machineLoad.js";
import { measuredReport } from "../measure/measuredReport.js";
import { MeasurementError } from "../measure/measurementError.js";
import {
  measurePacketCosts,
  PACKET_COSTS_FULL,
  PACKET_COSTS_QUICK,
  type PacketCostSizes,
  type PacketCosts,
} from "../measure/packetCosts.js";
import { PACKET_BATCH, packetCounterRun } from "../measure/packetCounterThroughput.js";
import { median, trimmedMean } from "../measure/statistics.js";
import { parseExperiment } from "../sim/experiment.js";
import { Simulation } from "../sim/simulation.js";
import { workloadPlan } from "../workloads/index.js";
import { lineChart } from "./lib/chart.js";
import type { NotebookOptions } from "./lib/options.js";
import { Report } from "./lib/report.js";

// ---- parameters ----

/** The cores of this machine, which the local workers (and the simulated VMs) share. */
const HOST_CORES = availableParallelism();

/**
 * Seconds of lines (one a ms); real runs of each word count and of the packet counter (each
 * real figure is their median) and simulated seeds per figure; packets of the packet
 * counter; and the calibration's sizes (its probes, its packet costs' runs).
 */
interface Size {
  readonly seconds: number;
  /** When the failure (and the window end the split's pause holds) comes, s. */
  readonly atS: number;
  readonly runs: number;
  readonly seeds: number;
  readonly packets: number;
  readonly packetIntervalMs: number;
  readonly calibration: CalibrationSizes;
  readonly packetCosts: PacketCostSizes;
}
const FULL: Size = {
  seconds: 20,
  atS: 12,
  runs: 5,
  seeds: 31,
  packets: 5_000_000,
  packetIntervalMs: 100,
  calibration: CALIBRATION_FULL,
  packetCosts: PACKET_COSTS_FULL,
};
const QUICK: Size = {
  seconds: 10,
  atS: 6,
  runs: 3,
  seeds: 15,
  packets: 2_000_000,
  packetIntervalMs: 100,
  calibration: CALIBRATION_QUICK,
  packetCosts: PACKET_COSTS_QUICK,
};
/** Tests: the real calibration and real runs, shortened; one run of each (the report says so). */
const TINY: Size = {
  // The failure early enough that the real run catches up before the stream ends, even on a busy machine.
  seconds: 6,
  atS: 2,
  runs: 1,
  seeds: 3,
  packets: 300_000,
  packetIntervalMs: 20,
  calibration: CALIBRATION_TINY,
  packetCosts: { packets: 200_000, runs: 1, frames: 100 },
};
const RUN = SIM_VS_REAL_RUN;
const WORKERS = RUN.workers;
/** The worker (and simulated VM) that hosts count#3 alone. */
const FAILED = 3;
const PARAMS = RUN.params;
/**
 * The split is asked for this long before a window's end: after a deploy call to the
 * standby, its pause holds the window's last input, so the window's output waits for it.
 */
const SPLIT_LEAD_MS = 15;
/** Loopback: no bandwidth limit (the data plane's CPU per byte is charged at each end). */
const LOOPBACK_MBPS = 100_000;
const TARGET = 0.15;

// ---- the runs ----

type Kind = "failure" | "split";

interface Outcome {
  readonly tuplesPerS: number;
  readonly latencyP50Ms: number | null;
  readonly latencyP99Ms: number | null;
  /** From the failure to its detection, and on to every replacement restored and started. */
  readonly detectionMs: number | null;
  readonly restoreMs: number | null;
  /** From the failure to the output caught up (the first interval after with its p99 back). */
  readonly recoveryMs: number | null;
  readonly pauseMs: number | null;
  readonly digest: string;
  readonly rows: readonly MetricsRow[];
  /** Real runs: the share of a core the workers had while ready to run. */
  readonly coreShare: number | null;
}

/** What a run's summary (simulated or real: the same fields) says of the figures compared. */
function outcomeOf(
  s: RunSummaryFields & {
    readonly recoveries: readonly RecoverySummary[];
    readonly scaleOuts: readonly ScaleOutSummary[];
  },
  rows: readonly MetricsRow[],
  coreShare: number | null = null,
): Outcome {
  const so = s.scaleOuts[0];
  const rec = s.recoveries[0];
  return {
    tuplesPerS: s.tuplesOut / s.simulatedSeconds,
    latencyP50Ms: s.latencyMs.p50,
    latencyP99Ms: s.latencyMs.p99,
    detectionMs: rec === undefined ? null : rec.detectedAtMs - rec.failedAtMs,
    restoreMs: rec?.restoredAtMs != null ? rec.restoredAtMs - rec.detectedAtMs : null,
    recoveryMs: rec?.recoveryMs ?? null,
    pauseMs: so?.completedAtMs != null && so.pausedAtMs != null ? so.completedAtMs - so.pausedAtMs : null,
    digest: s.outputDigest,
    rows,
    coreShare,
  };
}

/**
 * The median of the non-null figures of `what` over runs; a MeasurementError naming it when
 * no run yielded it (a median of nothing is never a figure).
 */
export function medianOfRuns(xs: readonly (number | null)[], what: string): number {
  const kept = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  if (kept.length === 0)
    throw new MeasurementError(`${what}: none of ${xs.length} run${xs.length === 1 ? "" : "s"} yielded it`);
  return median(kept, what);
}

/**
 * The median outcome of several runs of `kind` (`side`: simulated or real), figure by
 * figure; the rows and digest of the first (all digests must agree).
 */
function medianOutcome(
  runs: readonly Outcome[],
  kind: Kind,
  side: "simulated" | "real",
): Outcome & { readonly digestsAgree: boolean } {
  const m = (figure: string, f: (o: Outcome) => number | null) =>
    medianOfRuns(runs.map(f), `${side} ${kind}: ${figure}`);
  const failure = kind === "failure";
  return {
    tuplesPerS: m("throughput", (o) => o.tuplesPerS),
    latencyP50Ms: m("latency p50", (o) => o.latencyP50Ms),
    latencyP99Ms: m("latency p99", (o) => o.latencyP99Ms),
    detectionMs: failure ? m("failure to detected", (o) => o.detectionMs) : null,
    restoreMs: failure ? m("detected to restored and started", (o) => o.restoreMs) : null,
    recoveryMs: failure ? m("recovery time", (o) => o.recoveryMs) : null,
    pauseMs: failure ? null : m("the split's pause", (o) => o.pauseMs),
    digest: runs[0].digest,
    digestsAgree: runs.every((o) => o.digest === runs[0].digest),
    rows: runs[0].rows,
    coreShare: side === "real" ? m("the workers' share of a core", (o) => o.coreShare) : null,
  };
}

function simulate(
  kind: Kind,
  lines: number,
  atMs: number,
  cal: LocalRuntimeParameters,
  costs: PacketCosts,
  seed: number,
): Outcome {
  const failure = kind === "failure";
  const e = parseExperiment(
    {
      name: "sim-vs-real",
      seed,
      workload: { name: "wordcount", params: { ...PARAMS, lines } },
      cluster: { vms: WORKERS, hostCores: HOST_CORES },
      network: { ...cal.network, bandwidthMbps: LOOPBACK_MBPS },
      // The data plane's CPU per byte, as measured for the packet counter's batches.
      cost: { serializeNsPerByte: costs.sendNsPerByte, deserializeNsPerByte: costs.receiveNsPerByte },
      // Poll phases as a real runtime's timers fall, not on multiples of the period.
      fidelity: { batchSize: RUN.batchSize, sourcePollMs: RUN.sourcePollMs, sourcePollPhase: "random" },
      pool: { handoutMs: 0, deployMs: cal.pool.deployMs },
      faultTolerance: {
        strategy: failure ? "rsm" : "none",
        checkpointIntervalMs: RUN.checkpointIntervalMs,
        detectionMs: cal.detectionMs,
      },
      faults: failure ? [{ type: "crash", vm: FAILED, atMs }] : [],
      scaling: {
        scaleOuts: failure ? [] : [{ operator: "count", index: 0, atMs: atMs - SPLIT_LEAD_MS, factor: 2 }],
      },
    },
    "sim-vs-real",
  );
  // The workload's stream is seed 1's, as the real runs'; the seed draws the poll phases.
  const sim = new Simulation(e, workloadPlan("wordcount", e.workload.params, 1));
  return outcomeOf(sim.run(), sim.metrics.rows());
}

async function runReal(kind: Kind, lines: number, atMs: number): Promise<Outcome> {
  const failure = kind === "failure";
  // This process is the run's coordinator: no garbage of earlier work to collect during it.
  collectGarbage();
  const { pool, token } = localWorkers();
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
      plan: workloadPlan("wordcount", params, 1),
      seed: 1,
      batchSize: RUN.batchSize,
      sourcePollMs: RUN.sourcePollMs,
      faultTolerance: {
        strategy: failure ? "rsm" : "none",
        checkpointIntervalMs: RUN.checkpointIntervalMs,
        backupPlacement: "upstream",
      },
      standbyWorkers: 1,
      kills: failure ? [{ worker: FAILED, atMs }] : [],
      scaleOuts: failure ? [] : [{ operator: "count", index: 0, atMs: atMs - SPLIT_LEAD_MS, factor: 2 }],
      untilMs: 120_000,
    });
    const share = new CoreShare(pool, () => run.vms);
    const s = await run.run().finally(() => share.stop());
    return outcomeOf(s, run.metricsRows(), share.result().share);
  } finally {
    await pool.shutdown();
  }
}

interface PacketOutcome {
  /** Tuples/s between the sources' having produced 10% and 90% of the packets. */
  readonly steadyPerS: number;
  /** Packets over the run's time (from run time 0 to every sink ended). */
  readonly endToEndPerS: number;
  /** CPU µs per packet of the source's worker and the counter's. */
  readonly sourceCpuUs: number;
  readonly counterCpuUs: number;
  readonly rows: readonly MetricsRow[];
  readonly coreShare: number;
}

/** Tuples/s between the times the cumulative tuples in pass 10% and 90% of `total` (interpolated in the rows). */
function steadyRate(rows: readonly MetricsRow[], total: number): number {
  const at = (q: number) => {
    let sum = 0;
    let prevS = 0;
    for (const r of rows) {
      if (sum + r.tuplesIn >= q * total && r.tuplesIn > 0)
        return prevS + ((q * total - sum) / r.tuplesIn) * (r.timeS - prevS);
      sum += r.tuplesIn;
      prevS = r.timeS;
    }
    return Number.NaN;
  };
  return (0.8 * total) / (at(0.9) - at(0.1));
}

async function packetsReal(packets: number, intervalMs: number): Promise<PacketOutcome> {
  collectGarbage();
  const { pool, token } = localWorkers();
  try {
    const run = new CloudRun({
      ...packetCounterRun(packets, pool, token),
      name: "sim-vs-real-packets",
      metricsIntervalMs: intervalMs,
      heartbeatMs: intervalMs,
    });
    const share = new CoreShare(pool, () => run.vms);
    const s = await run.run().finally(() => share.stop());
    const cpu = share.result();
    if (s.tuplesIn !== packets)
      throw new Error(`the real packet counter counted ${s.tuplesIn} packets of ${packets}`);
    return {
      steadyPerS: steadyRate(run.metricsRows(), packets),
      endToEndPerS: packets / s.simulatedSeconds,
      // Worker 0 hosts the source (and the sink), worker 1 the counter.
      sourceCpuUs: ((cpu.onCpuMs[0] ?? Number.NaN) * 1000) / packets,
      counterCpuUs: ((cpu.onCpuMs[1] ?? Number.NaN) * 1000) / packets,
      rows: run.metricsRows(),
      coreShare: cpu.share,
    };
  } finally {
    await pool.shutdown();
  }
}

/** The median of several real runs of the packet counter, figure by figure; the rows of the first. */
function medianPackets(runs: readonly PacketOutcome[]): PacketOutcome {
  const m = (figure: string, f: (p: PacketOutcome) => number) =>
    medianOfRuns(runs.map(f), `real packet counter: ${figure}`);
  return {
    steadyPerS: m("throughput, 10%-90% of the packets", (p) => p.steadyPerS),
    endToEndPerS: m("end-to-end throughput", (p) => p.endToEndPerS),
    sourceCpuUs: m("CPU per packet, source's worker", (p) => p.sourceCpuUs),
    counterCpuUs: m("CPU per packet, counter's worker", (p) => p.counterCpuUs),
    rows: runs[0].rows,
    coreShare: m("the workers' share of a core", (p) => p.coreShare),
  };
}

function packetsSim(
  packets: number,
  intervalMs: number,
  costs: PacketCosts,
  cal: LocalRuntimeParameters,
  speed: number,
) {
  const e = parseExperiment(
    {
      name: "sim-vs-real-packets",
      workload: { name: "packets", params: { packets, flows: 10_000, packetsPerMs: 0 } },
      cluster: { vms: 2, speed },
      network: { ...cal.network, bandwidthMbps: LOOPBACK_MBPS },
      fidelity: { batchSize: PACKET_BATCH, sourcePollMs: 5 },
      cost: {
        operators: Object.fromEntries(
          Object.entries(costs.tupleUs).map(([op, us]) => [op, { tupleUs: us, emitUs: 0 }]),
        ),
        serializeNsPerByte: costs.sendNsPerByte,
        deserializeNsPerByte: costs.receiveNsPerByte,
      },
      metricsIntervalMs: intervalMs,
    },
    "sim-vs-real-packets",
  );
  const sim = new Simulation(e, workloadPlan("packets", e.workload.params, 1));
  const s = sim.run();
  // CPU at speed 1: each VM's busy time times its speed.
  const cpuUs = (vm: number) =>
    (sim.runtime.hosts.filter((h) => h.vm.id === vm).reduce((t, h) => t + h.busyMs, 0) * speed * 1000) /
    packets;
  return {
    steadyPerS: steadyRate(sim.metrics.rows(), packets),
    endToEndPerS: packets / s.simulatedSeconds,
    sourceCpuUs: cpuUs(0),
    counterCpuUs: cpuUs(1),
    rows: sim.metrics.rows(),
  };
}

/** From the replacements' start to the delayed window's output: the p99 less the time to restore. */
function catchUp(o: Outcome): number | null {
  if (o.latencyP99Ms === null || o.detectionMs === null || o.restoreMs === null) return null;
  return o.latencyP99Ms - o.detectionMs - o.restoreMs;
}

/** |sim - real| / |real| to thousandths, or null when either is missing or real is 0. */
export function relativeError(sim: number | null, real: number | null): number | null {
  if (sim === null || real === null || real === 0 || !Number.isFinite(sim) || !Number.isFinite(real))
    return null;
  return Math.round((Math.abs(sim - real) / Math.abs(real)) * 1000) / 1000;
}

const r3 = (x: number | null) => (x === null || !Number.isFinite(x) ? null : Math.round(x * 1000) / 1000);

/**
 * Where the real runtime's time went, from instrumented runs of these experiments on this
 * machine (timestamps at every step in the coordinator and the workers, CPU profiles of
 * the workers; 2026-11-22, load average 1-4 on 2 cores; 4-7 runs each, medians): what was
 * found, and what became of it. Not re-measured by this report.
 */
const FINDINGS: readonly (readonly [string, string, string])[] = [
  [
    "stack traces with source maps",
    "the first failed gRPC call in a process (a dead worker fails several) read its stack, and tsx's source maps made that parse maps for 50-75 ms: the coordinator (delaying detection) and the dead worker's peers stalled",
    "fixed: no source maps in stack traces in workers, nor in the coordinator while it runs (detection 37-115 ms before, 11-38 after)",
  ],
  [
    "the next standby started at once",
    "spawning it blocked the coordinator 10-25 ms before the replacement's deploy call, and its start took a core for 1.5-2.5 s of this 2-core machine during the recovery",
    "fixed: the next standby starts 2 s after one is taken",
  ],
  [
    "connections opened on the recovery path",
    "the holder's restore to the replacement, the replacement's replay requests to its upstreams and its output to the sink each opened a connection first: 10-40 ms each",
    "fixed: a worker connects to its neighbours' workers when it deploys or learns of them; a new data stream's first credit is modelled (network.connectMs)",
  ],
  [
    "metrics intervals",
    "the real run closed its intervals every second from when it started, not at whole seconds, so its recovery time (caught up at an interval's end) was on another grid than the simulated one",
    "fixed: intervals end at whole multiples of the interval in run time",
  ],
  [
    "control round trips, deploy calls, detection",
    "across sessions (load 2-7): a control round trip 2.6-11 ms, a frame's 0.4-2 ms, a new stream's first credit 1-3 ms, a redeploy to 3 workers 4-21 ms, a standby's first redeploy 6.5-28 ms, detection 9-34 ms",
    "modelled, calibrated in the same session (the calibration table)",
  ],
  [
    "the recovery path under a burst",
    "after the kill every worker has work at once (broken streams, upstreams replaying, the holder encoding, the replacement restoring): each step of the recovery and of the split took 2-5 times its calibrated steady-state time (a hop 2.5-15 ms against 1.3-5.6 ms one way; telling the other workers 14-32 ms against a 4-11 ms fan-out; the holder's inbox wait up to 33 ms)",
    "partly modelled: the simulated VMs share this machine's cores (cluster.hostCores), which moved the simulated figures little (at 1 line a ms the simulated workers are rarely busy at once); the coordinator's work and other processes' load are not modelled",
  ],
  [
    "a cold replacement",
    "the standby runs the restore, start and replay code for the first time (V8 interprets first calls): start 3-17 ms, the replay of 1 s of input 10-34 ms, against a few ms warm; the restored-to-output segment is 25-155 ms real against 5-18 simulated",
    "not modelled (the deploy call's cold share is, through pool.deployMs)",
  ],
  [
    "the packet counter's workers",
    "waited for a core 55-70% of the time they were ready to run (other processes on the machine); on a core, 0.18 us per packet at the source's worker, 0.24-0.28 at the counter's",
    "modelled: VM speed = their share of a core; per-operator and per-byte CPU calibrated",
  ],
];

/** Calibrate, run every experiment both ways and build the report. */
export function simVsRealReport(o: NotebookOptions): Promise<Report> {
  return measuredReport("sim-vs-real", () => measureAndReport(o));
}

async function measureAndReport(o: NotebookOptions): Promise<Report> {
  const size = o.tiny ? TINY : o.quick ? QUICK : FULL;
  const { seconds, runs, seeds } = size;
  const lines = seconds * 1000;
  // The run time of the failure, and of the window end the split's pause is to hold.
  const atMs = size.atS * 1000;
  const load = new LoadLog();
  // Every probe, repetition and simulated seed is a run of the report's progress.
  o.runs?.expect(CALIBRATION_PROBES.length + 1 + 2 * runs + runs + 2 * seeds + 2);

  // The calibration, measured first (the same real code at every size: tiny only shortens it).
  o.onStep?.(
    `calibrating: probing a word count on ${WORKERS} local workers and ${size.calibration.standbys} standbys`,
  );
  const figures = await load.timeAsync("calibration: the runtime's probes", () =>
    measureLocalRuntime({
      quick: true,
      sizes: size.calibration,
      onProbe: (probe) => o.runs?.finished(`calibration probe: ${probe}`),
    }),
  );
  const cal = localRuntimeParameters(figures);

  // Every real run first, then every simulation: the simulations leave this process (the
  // real runs' coordinator) a large heap to collect, whose pauses would delay a real run.
  // The two word counts' runs alternate (failure, split, failure, ...), so that a machine
  // whose load drifts weighs on both alike.
  const real: Record<Kind, Outcome[]> = { failure: [], split: [] };
  for (let r = 0; r < runs; r++) {
    for (const kind of ["failure", "split"] as const) {
      const what = kind === "failure" ? "the word count that loses a worker" : "the word count split mid-run";
      const label = `real ${kind}, run ${r + 1} of ${runs}`;
      o.onStep?.(
        `running ${what} on ${WORKERS} local workers and a standby (${seconds} s, run ${r + 1} of ${runs})`,
      );
      real[kind].push(await load.timeAsync(label, () => runReal(kind, lines, atMs)));
      o.runs?.finished(label);
    }
  }
  const packetRuns: PacketOutcome[] = [];
  for (let r = 0; r < runs; r++) {
    const label = `real packet counter, run ${r + 1} of ${runs}`;
    o.onStep?.(
      `running the packet counter on 2 local workers (${size.packets} packets, run ${r + 1} of ${runs})`,
    );
    packetRuns.push(await load.timeAsync(label, () => packetsReal(size.packets, size.packetIntervalMs)));
    o.runs?.finished(label);
  }
  const pReal = medianPackets(packetRuns);
  o.onStep?.("calibrating: the packet counter's CPU costs, in-process and over gRPC");
  const packetCosts = await load.timeAsync("calibration: the packet counter's costs", () =>
    measurePacketCosts(size.packetCosts),
  );
  o.runs?.finished("calibration: the packet counter's costs");
  const outcomes = {} as Record<Kind, { sim: Outcome; real: ReturnType<typeof medianOutcome> }>;
  for (const kind of ["failure", "split"] as const) {
    o.onStep?.(`simulating the ${kind} (${seeds} seeds)`);
    const simRuns = Array.from({ length: seeds }, (_, i) => {
      const out = simulate(kind, lines, atMs, cal, packetCosts, i + 1);
      o.runs?.finished(`simulated ${kind}, seed ${i + 1}`);
      return out;
    });
    const sim = medianOutcome(simRuns, kind, "simulated");
    if (!sim.digestsAgree) throw new Error(`simulated ${kind} runs gave different outputs across seeds`);
    outcomes[kind] = { sim, real: medianOutcome(real[kind], kind, "real") };
  }
  o.onStep?.("simulating the packet counter");
  const pSim = packetsSim(size.packets, size.packetIntervalMs, packetCosts, cal, pReal.coreShare);
  o.runs?.finished("simulated packet counter");
  const pSim1 = packetsSim(size.packets, size.packetIntervalMs, packetCosts, cal, 1);
  o.runs?.finished("simulated packet counter at speed 1");

  // ---- the figures ----

  const { failure, split } = outcomes;
  const row = (what: string, metric: string, sim: number | null, real: number | null) => {
    for (const [side, x] of [
      ["simulated", sim],
      ["real", real],
    ] as const)
      if (x === null || !Number.isFinite(x))
        throw new MeasurementError(`${side} ${what}: ${metric}: no figure (${x})`);
    // The error of the figures as shown (to thousandths), so that the table checks against itself.
    const [simShown, realShown] = [r3(sim), r3(real)];
    const err = relativeError(simShown, realShown);
    return [what, metric, simShown, realShown, err, err === null ? "" : err <= TARGET ? "yes" : "no"];
  };
  const comparison: (string | number | null)[][] = [
    row("failure", "throughput (tuples out/s)", failure.sim.tuplesPerS, failure.real.tuplesPerS),
    row("failure", "latency p50 (ms)", failure.sim.latencyP50Ms, failure.real.latencyP50Ms),
    row("failure", "latency p99 (ms)", failure.sim.latencyP99Ms, failure.real.latencyP99Ms),
    row("failure", "failure to detected (ms)", failure.sim.detectionMs, failure.real.detectionMs),
    row("failure", "detected to restored and started (ms)", failure.sim.restoreMs, failure.real.restoreMs),
    row(
      "failure",
      "restored to the delayed window's output (p99 - failure to restored, ms)",
      catchUp(failure.sim),
      catchUp(failure.real),
    ),
    row("failure", "recovery time, to caught up (ms)", failure.sim.recoveryMs, failure.real.recoveryMs),
    row("scale out", "throughput (tuples out/s)", split.sim.tuplesPerS, split.real.tuplesPerS),
    row("scale out", "latency p50 (ms)", split.sim.latencyP50Ms, split.real.latencyP50Ms),
    row("scale out", "latency p99 (ms)", split.sim.latencyP99Ms, split.real.latencyP99Ms),
    row("scale out", "pause (ms)", split.sim.pauseMs, split.real.pauseMs),
    row("packets", "throughput, 10%-90% of the packets (tuples/s)", pSim.steadyPerS, pReal.steadyPerS),
    row("packets", "CPU per packet, source's worker (us)", pSim.sourceCpuUs, pReal.sourceCpuUs),
    row("packets", "CPU per packet, counter's worker (us)", pSim.counterCpuUs, pReal.counterCpuUs),
    [
      "failure",
      "output digest equal",
      failure.sim.digest,
      failure.real.digest,
      null,
      String(failure.sim.digest === failure.real.digest && failure.real.digestsAgree),
    ],
    [
      "scale out",
      "output digest equal",
      split.sim.digest,
      split.real.digest,
      null,
      String(split.sim.digest === split.real.digest && split.real.digestsAgree),
    ],
  ];
  const compared = comparison.filter((r) => r[5] === "yes" || r[5] === "no");
  const misses = compared.filter((r) => r[5] === "no");
  const verdict =
    `${compared.length - misses.length} of ${compared.length} compared figures are within ${TARGET * 100}%` +
    (misses.length === 0
      ? ". "
      : `; not: ${misses.map((r) => `${r[0]} ${r[1]} (${Math.round((r[4] as number) * 100)}%)`).join(", ")}. ` +
        "The FINDINGS table says where the real runtime's time goes that the simulator does not model: right " +
        "after a failure or during a split, every step runs on workers that all have work at once on 2 shared cores " +
        "(each hop several times its steady-state time, measured by the calibration), and on a replacement or new " +
        "part running its code for the first time. ");
  const repeated =
    runs === 1
      ? "of one run each (tiny sizes, for tests: one repetition only)"
      : `medians over ${runs} runs each, the failure's and the split's alternating`;
  const report = new Report(
    "sim-vs-real",
    "The simulator against the real runtime",
    `A windowed word count (${seconds} s of lines, one a ms, on ${WORKERS} workers and a standby) run in the simulator ` +
      `and on local worker processes: once losing worker ${FAILED} (count#3) at ${atMs / 1000} s under rsm, once ` +
      `splitting count#3 ${SPLIT_LEAD_MS} ms before the window ending at ${atMs / 1000} s; and SAND's packet counter ` +
      `(${size.packets} packets, as fast as they go, on 2 workers). Relative error: |simulated - real| / real ` +
      `(target ${TARGET * 100}%); simulated figures are medians over ${seeds} seeds (poll phases), real ones ` +
      `${repeated}; ${load.summary()}. ${verdict}` +
      `Calibration, measured first in the same session${o.tiny ? " (shortened: tiny sizes, for tests)" : ""} ` +
      "(as `npm run bench -- --only calibrate` measures it, measure/localRuntime.ts): while a failure-free run " +
      "of the same word count goes on, the coordinator sends " +
      `${figures.controlRoundTripMs.length} pause/paused round trips to its instances (a control message or a reply ` +
      "takes half of one: network.controlLatencyMs, replyLatencyMs), frames to its workers for an instance they do " +
      "not host, whose credit comes back at once (a batch takes half of that round trip: network.latencyMs), new data " +
      "streams until their first credit (a first batch waits for it: network.connectMs), a standby's first redeploy " +
      "with an instance and empty redeploys to three workers at once (a recovery's redeploy is those two calls: " +
      "pool.deployMs is their mean), and kills standbys (until the watch stream breaks: faultTolerance.detectionMs); " +
      "trimmed means (a tenth off each end). " +
      "Replacements and the split's new part go to a standby already running (pool.handoutMs 0). CPU: the cost " +
      "model's defaults (`--only calibrate`), with the data plane's CPU per byte at each end measured here (frames " +
      "streamed from one bare process to another: cost.serializeNsPerByte, deserializeNsPerByte), and for the " +
      "packet counter its operators' tupleUs (an instrumented in-process run, CPU time); its simulated VMs run at " +
      "the share of a core the real workers had while ready to run (/proc/<pid>/schedstat during the real run: " +
      "other processes share this machine). The calibration table gives " +
      "each parameter.",
    {
      command: `npx seep report sim-vs-real${o.quick ? " --quick" : ""}`,
      seed: 1,
      parameters: {
        workload: { ...PARAMS, lines },
        workers: WORKERS,
        failedWorker: FAILED,
        atMs,
        splitLeadMs: SPLIT_LEAD_MS,
        checkpointIntervalMs: RUN.checkpointIntervalMs,
        simulatedSeeds: seeds,
        realRuns: runs,
        packets: size.packets,
        simulator: { ...cal, pool: { handoutMs: 0, ...cal.pool } },
        load: load.spans,
      },
    },
  );
  const perSecond = (rows: readonly MetricsRow[]) => rows.map((r) => [r.timeS, r.tuplesOut] as const);
  report.figure(
    "failure",
    "Tuples out per second with the failure, simulated (first seed) and real (first run); the line marks the kill.",
    lineChart({
      title: "Word count losing a worker: simulated and real",
      xLabel: "time (s)",
      yLabel: "tuples out (per s)",
      series: [
        { name: "simulated", points: perSecond(failure.sim.rows) },
        { name: "real", points: perSecond(failure.real.rows) },
      ],
      markers: [{ x: atMs / 1000, label: `worker ${FAILED} killed` }],
    }),
    {
      columns: ["timeS", "simulated", "real"],
      rows: failure.sim.rows.map((r, i) => [r.timeS, r.tuplesOut, failure.real.rows[i]?.tuplesOut ?? null]),
    },
  );
  const perInterval = (rows: readonly MetricsRow[]) => rows.map((r) => [r.timeS, r.tuplesIn] as const);
  report.figure(
    "packets",
    `Packets in per ${size.packetIntervalMs} ms of the packet counter, simulated and real.`,
    lineChart({
      title: "Packet counter: simulated and real",
      xLabel: "time (s)",
      yLabel: `packets in (per ${size.packetIntervalMs} ms)`,
      series: [
        { name: "simulated", points: perInterval(pSim.rows) },
        { name: "real", points: perInterval(pReal.rows) },
      ],
    }),
    {
      columns: ["timeS", "simulated", "real"],
      rows: Array.from({ length: Math.max(pSim.rows.length, pReal.rows.length) }, (_, i) => [
        r3(pSim.rows[i]?.timeS ?? pReal.rows[i]?.timeS ?? null),
        pSim.rows[i]?.tuplesIn ?? null,
        pReal.rows[i]?.tuplesIn ?? null,
      ]),
    },
  );
  report.table("comparison", "Simulated against real", {
    columns: ["experiment", "metric", "simulated", "real", "relative error", `within ${TARGET * 100}%`],
    rows: comparison,
  });
  report.table("findings", "Where the real runtime's time went (instrumented runs; not re-measured here)", {
    columns: ["what", "measured", "done"],
    rows: FINDINGS.map((f) => [...f]),
  });
  const ms = (xs: readonly number[]) => r3(trimmedMean(xs));
  report.table("calibration", "The simulator's parameters for local workers, as measured in this session", {
    columns: ["parameter", "value", "measured as", "samples"],
    rows: [
      [
        "network.controlLatencyMs, replyLatencyMs",
        cal.network.controlLatencyMs,
        `half a pause -> paused round trip (${ms(figures.controlRoundTripMs)} ms)`,
        figures.controlRoundTripMs.length,
      ],
      [
        "network.latencyMs",
        cal.network.latencyMs,
        `half a frame -> credit round trip (${ms(figures.dataRoundTripMs)} ms)`,
        figures.dataRoundTripMs.length,
      ],
      [
        "network.connectMs",
        cal.network.connectMs,
        "a new data stream until its first credit",
        figures.streamOpenMs.length,
      ],
      [
        "pool.deployMs",
        cal.pool.deployMs,
        `half of a standby's first redeploy with an instance (${ms(figures.coldDeployMs)} ms) and empty redeploys to three workers at once (${ms(figures.fanOutMs)} ms)`,
        figures.coldDeployMs.length + figures.fanOutMs.length,
      ],
      [
        "faultTolerance.detectionMs",
        cal.detectionMs,
        `SIGKILL to the watch stream's breaking, median of ${figures.detectionMs.map((x) => r3(x)).join(", ")} ms`,
        figures.detectionMs.length,
      ],
      ["pool.handoutMs", 0, "a standby worker runs already", null],
      ...Object.entries(packetCosts.tupleUs).map(([op, us]) => [
        `packets: cost.operators.${op}.tupleUs`,
        us,
        "CPU time of its tasks in-process, less batchUs, per tuple (emitUs 0)",
        null,
      ]),
      [
        "cost.serializeNsPerByte",
        packetCosts.sendNsPerByte,
        "a process encoding frames and writing them over gRPC, CPU per byte",
        null,
      ],
      [
        "cost.deserializeNsPerByte",
        packetCosts.receiveNsPerByte,
        "a process reading frames over gRPC and decoding them, CPU per byte",
        null,
      ],
      [
        "packets: cluster.speed",
        r3(pReal.coreShare),
        "CPU time / (CPU time + waiting for a core) of the real workers during the run",
        null,
      ],
      [
        "(packets: end-to-end throughput, simulated; real)",
        `${Math.round(pSim.endToEndPerS)}; ${Math.round(pReal.endToEndPerS)}`,
        "packets over the run's time: the real run's includes its workers' start (deploy, first polls)",
        null,
      ],
      [
        "(packets at speed 1: throughput 10%-90%)",
        r3(pSim1.steadyPerS),
        "what the simulator gives for workers with a core each",
        null,
      ],
      [
        "(a call on an open connection; on a new one)",
        `${ms(figures.callMs)}; ${ms(figures.firstCallMs)}`,
        "an empty redeploy answered (not used: workers connect to their neighbours ahead)",
        figures.callMs.length,
      ],
      [
        "(word count: the real workers' share of a core)",
        r3(failure.real.coreShare),
        "during the real failure run (not used: its CPU work is small)",
        null,
      ],
    ],
  });
  report.table(
    "load",
    "The machine's load at the start and end of each measurement (1-minute load average)",
    {
      columns: [...LOAD_COLUMNS],
      rows: load.rows(),
    },
  );
  const warning = load.warning();
  if (warning !== null) report.warn(warning);
  const f0 = (x: number | null) => (x === null ? "none" : `${Math.round(x)}`);
  report.note("Beside the papers", [
    "This report anchors the simulated reports (recovery-time, failure-timeline, lrb-scaleout) to a real " +
      "runtime; the papers give no simulator to compare with, so its anchors are the papers' own real figures. " +
      "SEEP (SIGMOD 2013; ../shared/seeds/004_*.txt) recovers a failed operator from its upstream backup " +
      "(R+SM) on Amazon EC2, where a new VM takes 'order of mins' and is therefore taken from a pool kept ahead; " +
      "SAND (../shared/seeds/000_*.txt, Experiment 3) 'recover[s] in order of seconds' and its 'recovery time " +
      "is in proportion to checkpointing interval'; its packet counter runs at 9.6M packets/s on one " +
      "quad-core machine (Experiment 1).",
    `Here, on local worker processes with a standby already running (the pool kept ahead, handout 0), the real ` +
      `runtime detects the loss of a worker in ${f0(failure.real.detectionMs)} ms (a broken watch stream, not a ` +
      `heartbeat timeout) and has caught up ${f0(failure.real.recoveryMs)} ms after the failure; the simulator, ` +
      `calibrated in this session, gives ${f0(failure.sim.detectionMs)} and ${f0(failure.sim.recoveryMs)} ms. ` +
      "The shape agrees with SEEP's and SAND's (a replacement restored from a checkpoint, then a replay), the " +
      "scale differs: no VM is provisioned and the state is small, so what SEEP and SAND spend provisioning and " +
      "moving a large state is absent here; what remains is the detection, a restore and the replay of at most a " +
      "checkpoint interval (1 s), slowed by whatever else the machine runs (the load table). Where the " +
      "simulator and the real runtime differ, the FINDINGS table says why.",
    `The real packet counter here runs at ${Math.round(pReal.steadyPerS).toLocaleString("en-US")} packets/s ` +
      `(the simulator: ${Math.round(pSim.steadyPerS).toLocaleString("en-US")}), against SAND's 9.6M on a ` +
      `quad-core: Node.js workers on ${HOST_CORES} shared cores, every packet crossing gRPC between two ` +
      "processes, against SAND's C++ (sand-throughput compares the ratios).",
  ]);
  return report;
}
