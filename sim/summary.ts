// The summary of a simulated run (summary.json): the figures a researcher compares
// across runs, seeds and strategies. Every field is a function of the experiment and
// its seed; `wallSeconds` is the one exception and is filled in by the caller, since
// the simulator never reads the wall clock. How the run ended (finished, stopped at
// `untilS`, or stalled, and which sinks never ended or were lost) is in the fields of
// engine/metrics/runEnd.ts.

import {
  deadlineMet,
  type FaultTolerance,
  type LogicalPlan,
  latencyFiguresMs,
  type Metrics,
  type OutputDigest,
  type RecoverySummary,
  type RunEndFields,
  type RunSummaryFields,
  recoverySummaries,
  roundMs,
  type ScaleOutSummary,
  scaleOutSummaries,
} from "../engine/index.js";
import type { Experiment } from "./experiment.js";
import type { Environment } from "./kernel.js";
import type { Network } from "./network.js";
import type { SimRuntime } from "./simRuntime.js";
import type { Trace } from "./trace.js";
import type { VmPool } from "./vmPool.js";

export type { RecoverySummary };

/** A failure the run saw: the VM, when, and the instances lost with it. */
export interface FailureRecord {
  readonly vm: number;
  readonly failedAtMs: number;
  readonly instances: readonly { readonly id: number; readonly operator: string }[];
}

/**
 * What the summary reads of a finished simulation (sim/simulation.ts's Simulation is one):
 * named here so that the summary does not import the simulation that makes it.
 */
export interface SummarizedRun {
  readonly experiment: Experiment;
  readonly plan: LogicalPlan;
  readonly env: Environment;
  readonly runtime: Pick<SimRuntime, "hosts" | "weight">;
  readonly metrics: Metrics;
  readonly trace: Trace;
  readonly digest: OutputDigest;
  readonly pool: VmPool;
  readonly network: Network;
  readonly faultTolerance: Pick<FaultTolerance, "records" | "counts"> | null;
  readonly failures: readonly FailureRecord[];
  readonly scaleOuts: Parameters<typeof scaleOutSummaries>[0];
  /** The operator name of instance `id`. */
  operatorOf(id: number): string;
}

/** The recoveries of a run, with caught-up times from its sinks' deliveries. */
export function recoveriesOf(sim: SummarizedRun): RecoverySummary[] {
  const ft = sim.faultTolerance;
  if (ft === null) return [];
  return recoverySummaries(ft.records, sim.metrics, (id) => sim.operatorOf(id));
}

/** A scale out, migration or scale in (engine/metrics/runReport.ts). */
export type ScaleOutRecord = ScaleOutSummary;

/** What summary.json holds for a simulated run. */
export interface SimSummary extends RunSummaryFields {
  readonly traceHash: string;
  readonly traceRecords: number;
  readonly events: number;
  readonly networkBytes: number;
  readonly failures: readonly FailureRecord[];
  readonly recoveries: readonly RecoverySummary[];
  readonly scaleOuts: readonly ScaleOutRecord[];
  /** Tuples the sources dropped by load shedding, and the share of those produced. */
  readonly shedTuples: number;
  readonly shedShare: number;
  /** Whether every output met `scaling.deadlineMs` (null: no deadline set). */
  readonly deadlineMet: boolean | null;
}

/** The summary of a simulation that ended at `endMs`, as `end` says. */
export function summarize(sim: SummarizedRun, endMs: number, vmsMax: number, end: RunEndFields): SimSummary {
  let shed = 0;
  for (const h of sim.runtime.hosts) if (h.instance.operator.kind === "source") shed += h.instance.shedTuples;
  const shedTuples = shed * sim.runtime.weight;
  const latency = latencyFiguresMs(sim.metrics);
  return {
    name: sim.experiment.name,
    seed: sim.experiment.seed,
    traceHash: sim.trace.hash(),
    traceRecords: sim.trace.length,
    simulatedSeconds: endMs / 1000,
    ...end,
    wallSeconds: null,
    events: sim.env.events,
    tuplesIn: sim.metrics.tuplesInTotal,
    tuplesOut: sim.metrics.tuplesOutTotal,
    outputDigest: sim.digest.digest(),
    latencyMs: latency,
    vmsMax,
    vmSeconds: roundMs(sim.pool.vmSeconds(endMs)),
    networkBytes: sim.network.bytesSent,
    faultTolerance: sim.experiment.faultTolerance.strategy,
    faultToleranceCounts: sim.faultTolerance === null ? null : { ...sim.faultTolerance.counts },
    failures: sim.failures,
    recoveries: recoveriesOf(sim),
    shedTuples,
    shedShare: sim.metrics.tuplesInTotal === 0 ? 0 : roundMs(shedTuples / sim.metrics.tuplesInTotal),
    deadlineMet: deadlineMet(latency, sim.experiment.scaling.deadlineMs),
    scaleOuts: scaleOutSummaries(sim.scaleOuts, (op) => sim.plan.operators[op].name),
  };
}
