// The summary of a simulated run (summary.json): the figures a researcher compares
// across runs, seeds and strategies. Every field is a function of the experiment and
// its seed; `wallSeconds` is the one exception and is filled in by the caller, since
// the simulator never reads the wall clock.

import {
  deadlineMet,
  latencyFiguresMs,
  type RecoverySummary,
  type RunSummaryFields,
  recoverySummaries,
  roundMs,
  type ScaleOutSummary,
  scaleOutSummaries,
} from "../engine/index.js";

export type { RecoverySummary };

import type { FailureRecord, Simulation } from "./simulation.js";

/** The recoveries of a run, with caught-up times from its metrics. */
export function recoveriesOf(sim: Simulation): RecoverySummary[] {
  const ft = sim.faultTolerance;
  if (ft === null) return [];
  return recoverySummaries(ft.records, sim.metrics.rows(), (id) => sim.operatorOf(id));
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

/** The summary of a finished simulation that ended at `endMs`. */
export function summarize(sim: Simulation, endMs: number, vmsMax: number): SimSummary {
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
