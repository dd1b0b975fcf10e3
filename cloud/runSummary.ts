// The summary of a real run (summary.json), with the same fields as a simulated run's
// where they mean the same thing, so the two can be compared field by field. Fields that
// only a simulator has (the trace, kernel events) are null. VM time counts each worker
// from when it joined the run to when it left (or the run's end); standbys never taken
// are left out of it. A run that ended with sinks that could not end any more (under
// strategy none, waiting on a lost instance) stalled, as a simulated run can.

import {
  type Coordinator,
  deadlineMet,
  latencyFiguresMs,
  type Metrics,
  type OutputDigest,
  type PhysicalPlan,
  type RecoverySummary,
  type RunStop,
  type RunSummaryFields,
  recoverySummaries,
  roundMs,
  runEndFields,
  type ScaleOutSummary,
  scaleOutSummaries,
  sinkEnds,
} from "../engine/index.js";
import type { WorkerSpan } from "./runWorkers.js";

/** A worker the fault detector declared dead. */
export interface WorkerFailure {
  /** Index of the worker (the physical plan's VM number). */
  readonly vm: number;
  readonly address: string;
  /**
   * Run time (ms since event time 0) at which it failed: when the run killed it (`--kill`),
   * else when it was detected, as nothing better is known.
   */
  readonly failedAtMs: number;
  /** Run time at which it was declared dead. */
  readonly detectedAtMs: number;
  /** How it was noticed: its watch stream broke, or it missed heartbeats. */
  readonly detectedVia: "stream" | "heartbeat";
  readonly instances: readonly { readonly id: number; readonly operator: string }[];
}

/** What summary.json holds for a real run. */
export interface RunSummary extends RunSummaryFields {
  /** Which pool ran it: local or ec2. */
  readonly runtime: string;
  /** Only a simulator has a trace and kernel events. */
  readonly traceHash: null;
  readonly events: null;
  readonly failures: readonly WorkerFailure[];
  readonly recoveries: readonly RecoverySummary[];
  readonly scaleOuts: readonly ScaleOutSummary[];
  /** Tuples the sources dropped by load shedding, and their share of the tuples in (as simulated). */
  readonly shedTuples: number;
  readonly shedShare: number;
  /** Whether every output met the experiment's `scaling.deadlineMs` (null: none set). */
  readonly deadlineMet: boolean | null;
}

/** What a real run's summary is made of, at its end. */
export interface RunSummaryParts {
  readonly name: string;
  readonly seed: number;
  /** Which pool ran it: local or ec2. */
  readonly runtime: string;
  /** Run time at the end (event-time ms). */
  readonly endMs: number;
  readonly metrics: Metrics;
  readonly digest: OutputDigest;
  /** The most workers in use at once. */
  readonly vmsMax: number;
  /** When each worker joined and left the run (run-time ms; left null: still in at the end). */
  readonly spans: readonly WorkerSpan[];
  readonly strategy: string;
  /** Why the run ended: by itself, at `untilMs`, or stalled (every sink left waits on a lost instance). */
  readonly stop: RunStop;
  /** The engine's coordinator (null: the plan never started). */
  readonly coordinator: Coordinator | null;
  /** The physical plan as it stands at the end. */
  readonly plan: PhysicalPlan;
  readonly failures: readonly WorkerFailure[];
  /** Tuples the sources shed. */
  readonly shedTuples: number;
  /** The outputs' latency deadline, if the experiment set one. */
  readonly deadlineMs?: number;
}

/** The summary of a real run from its parts. */
export function summarize(p: RunSummaryParts): RunSummary {
  const vmMs = p.spans
    .filter((l) => !l.standby)
    .reduce((s, l) => s + Math.max(0, (l.leftAtMs ?? p.endMs) - l.joinedAtMs), 0);
  const operators = p.plan.logical.operators;
  const nameOf = (id: number) => {
    const op =
      p.plan.instances.find((i) => i.id === id)?.operator ?? p.coordinator?.faultTolerance?.operatorOf(id);
    return op === undefined ? "?" : operators[op].name;
  };
  const ft = p.coordinator?.faultTolerance;
  const scaleOuts = scaleOutSummaries(p.coordinator?.scaling?.records ?? [], (op) => operators[op].name);
  const latency = latencyFiguresMs(p.metrics);
  const tuplesIn = p.metrics.tuplesInTotal;
  return {
    name: p.name,
    seed: p.seed,
    runtime: p.runtime,
    traceHash: null,
    simulatedSeconds: roundMs(p.endMs / 1000),
    ...runEndFields(
      p.stop,
      roundMs(p.endMs),
      sinkEnds(p.plan, p.coordinator),
      "every sink left waits on a lost instance (strategy none)",
    ),
    wallSeconds: null,
    events: null,
    tuplesIn,
    tuplesOut: p.metrics.tuplesOutTotal,
    outputDigest: p.digest.digest(),
    latencyMs: latency,
    vmsMax: p.vmsMax,
    vmSeconds: roundMs(vmMs / 1000),
    faultTolerance: p.strategy,
    faultToleranceCounts: ft ? { ...ft.counts } : null,
    failures: p.failures,
    recoveries: recoverySummaries(ft?.records ?? [], p.metrics, nameOf),
    scaleOuts,
    shedTuples: p.shedTuples,
    shedShare: tuplesIn === 0 ? 0 : roundMs(p.shedTuples / tuplesIn),
    deadlineMet: deadlineMet(latency, p.deadlineMs),
  };
}
