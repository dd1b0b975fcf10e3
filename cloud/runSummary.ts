// The summary of a real run (summary.json), with the same fields as a simulated run's
// where they mean the same thing, so the two can be compared field by field. Fields that
// only a simulator has (the trace, kernel events) are null.

import type { RecoverySummary, RunSummaryFields, ScaleOutSummary } from "../engine/index.js";

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
