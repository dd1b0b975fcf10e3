// The summary of a simulated run (summary.json): the figures a researcher compares
// across runs, seeds and strategies. Every field is a function of the experiment and
// its seed; `wallSeconds` is the one exception and is filled in by the caller, since
// the simulator never reads the wall clock.

import { caughtUpAtMs, latencyFiguresMs, type RunSummaryFields, roundMs } from "../engine/index.js";
import type { FailureRecord, Simulation } from "./simulation.js";

/**
 * A recovery from a failure (README, "Fault tolerance"): when the VM failed, when the
 * coordinator knew, when every replacement was restored and started, and when the output
 * had caught up; `recoveryMs` runs from the failure to caught up (null: it never did).
 */
export interface RecoverySummary {
  readonly failedAtMs: number;
  readonly detectedAtMs: number;
  readonly restoredAtMs: number | null;
  readonly caughtUpAtMs: number | null;
  readonly recoveryMs: number | null;
  /** The instances lost, as "operator#id". */
  readonly instances: readonly string[];
  /** Instances restarted from their initial state (source replay, or a lost backup). */
  readonly rolledBack: readonly string[];
}

/** The recoveries of a run, with caught-up times from its metrics. */
export function recoveriesOf(sim: Simulation): RecoverySummary[] {
  const ft = sim.faultTolerance;
  if (ft === null) return [];
  const rows = sim.metrics.rows();
  const name = (id: number) => `${sim.operatorOf(id)}#${id}`;
  return ft.records.map((r) => {
    const caught = r.restoredAtMs === null ? null : caughtUpAtMs(rows, r.failedAtMs, r.restoredAtMs);
    return {
      failedAtMs: roundMs(r.failedAtMs),
      detectedAtMs: roundMs(r.detectedAtMs),
      restoredAtMs: r.restoredAtMs === null ? null : roundMs(r.restoredAtMs),
      caughtUpAtMs: caught,
      recoveryMs: caught === null ? null : roundMs(caught - r.failedAtMs),
      instances: r.instances.map(name),
      rolledBack: r.rolledBack.map(name),
    };
  });
}

/** A scale-out of an operator (filled by the scaling policies). */
export interface ScaleOutRecord {
  readonly operator: string;
  readonly atMs: number;
  readonly from: number;
  readonly to: number;
}

/** What summary.json holds for a simulated run. */
export interface SimSummary extends RunSummaryFields {
  readonly traceHash: string;
  readonly traceRecords: number;
  readonly events: number;
  readonly networkBytes: number;
  readonly failures: readonly FailureRecord[];
  readonly recoveries: readonly RecoverySummary[];
  readonly scaleOuts: readonly ScaleOutRecord[];
}

/** The summary of a finished simulation that ended at `endMs`. */
export function summarize(sim: Simulation, endMs: number, vmsMax: number): SimSummary {
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
    latencyMs: latencyFiguresMs(sim.metrics),
    vmsMax,
    vmSeconds: roundMs(sim.pool.vmSeconds(endMs)),
    networkBytes: sim.network.bytesSent,
    faultTolerance: sim.experiment.faultTolerance.strategy,
    failures: sim.failures,
    recoveries: recoveriesOf(sim),
    scaleOuts: [],
  };
}
