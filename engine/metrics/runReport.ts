// What every runtime reports of a run in the same shape, so that simulated and real runs
// compare field by field: one output record per tuple a sink received, the latency
// figures of summary.json, and its recoveries from failures.

import type { RecoveryRecord } from "../faultTolerance/faultTolerance.js";
import { caughtUpAtMs, caughtUpBoundMs } from "../faultTolerance/recoveryTime.js";
import type { Metrics } from "./metrics.js";
import type { RunEndFields } from "./runEnd.js";

/** One tuple a sink received, as outputs.csv lists it. */
export interface OutputRecord {
  /** Run time (ms since event time 0) at which the sink processed it. */
  readonly timeMs: number;
  readonly sink: string;
  readonly instance: number;
  readonly key: number;
  readonly eventTimeMs: number;
  readonly value: unknown;
}

/** Latency percentiles of a run in milliseconds; null when no output came. */
export interface LatencyFiguresMs {
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/**
 * The fields every runtime's summary.json has, with the same meaning: a simulated and a
 * real run compare on these (how the run ended among them: ./runEnd.ts). Each runtime's
 * summary extends it with its own.
 */
export interface RunSummaryFields extends RunEndFields {
  readonly name: string;
  readonly seed: number;
  /** Seconds from event time 0 to the end of the run (virtual in the simulator). */
  readonly simulatedSeconds: number;
  /** Wall-clock seconds of the run; null until the caller, who may read the clock, sets it. */
  wallSeconds: number | null;
  readonly tuplesIn: number;
  readonly tuplesOut: number;
  readonly outputDigest: string;
  readonly latencyMs: LatencyFiguresMs;
  readonly vmsMax: number;
  readonly vmSeconds: number;
  readonly faultTolerance: string;
  /**
   * What the fault-tolerance protocol did: checkpoints (or marks) asked for, backups kept,
   * acks sent, backups re-made, global snapshots completed, rebuilds to a mark; null
   * without a protocol.
   */
  readonly faultToleranceCounts: FaultToleranceCounts | null;
}

/** Whether every output met a deadline, by the highest latency (null: no deadline set). */
export function deadlineMet(latency: LatencyFiguresMs, deadlineMs: number | undefined): boolean | null {
  return deadlineMs === undefined ? null : (latency.max ?? 0) <= deadlineMs;
}

/** Counters of a run's fault-tolerance protocol (engine/faultTolerance/faultTolerance.ts). */
export interface FaultToleranceCounts {
  readonly checkpoints: number;
  readonly backups: number;
  readonly acks: number;
  readonly rebackups: number;
  readonly snapshots: number;
  readonly rebuilds: number;
  /** Failed instances recovered onto several (parallel recovery). */
  readonly parallelRecoveries: number;
  /** Parallel recoveries given up for one replacement (output in flight before the checkpoint). */
  readonly parallelFallbacks: number;
}

/** A figure rounded to microseconds, as summaries print them. */
export function roundMs(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The whole-run latency figures of `metrics`. */
export function latencyFiguresMs(metrics: Metrics): LatencyFiguresMs {
  const l = metrics.latencySummary();
  if (l.count === 0) return { p50: null, p99: null, max: null };
  return { p50: roundMs(l.p50), p99: roundMs(l.p99), max: roundMs(l.max) };
}

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

/**
 * The summaries of a run's recoveries, with caught-up times from its deliveries (the bound
 * from its metrics rows): each recovery's window runs from its restore to the next failure
 * after it, or to the run's end (engine/faultTolerance/recoveryTime.ts).
 */
export function recoverySummaries(
  records: readonly RecoveryRecord[],
  metrics: Pick<Metrics, "rows" | "deliveries" | "inputEndMs">,
  nameOf: (instance: number) => string,
): RecoverySummary[] {
  const name = (id: number) => `${nameOf(id)}#${id}`;
  const rows = metrics.rows();
  const deliveries = metrics.deliveries();
  const failuresMs = records.map((r) => r.failedAtMs);
  return records.map((r) => {
    const restored = r.restoredAtMs;
    const caught =
      restored === null
        ? null
        : caughtUpAtMs(deliveries, caughtUpBoundMs(rows, r.failedAtMs), {
            restoredAtMs: restored,
            untilMs: Math.min(Number.POSITIVE_INFINITY, ...failuresMs.filter((f) => f > restored)),
            inputEndMs: metrics.inputEndMs,
          });
    return {
      failedAtMs: roundMs(r.failedAtMs),
      detectedAtMs: roundMs(r.detectedAtMs),
      restoredAtMs: restored === null ? null : roundMs(restored),
      caughtUpAtMs: caught === null ? null : roundMs(caught),
      recoveryMs: caught === null ? null : roundMs(caught - r.failedAtMs),
      instances: r.instances.map(name),
      rolledBack: r.rolledBack.map(name),
    };
  });
}

/** A scale out, migration or scale in, as summary.json reports it in both runtimes. */
export interface ScaleOutSummary {
  readonly kind: "scaleOut" | "migration" | "scaleIn";
  readonly operator: string;
  /** The instance split or kept ("name#id"), and the instances involved (itself first). */
  readonly instance: string;
  readonly instances: readonly string[];
  /** Run times: requested, upstreams paused (its VMs were ready), upstreams resumed (null: never). */
  readonly requestedAtMs: number;
  readonly pausedAtMs: number | null;
  readonly completedAtMs: number | null;
  /** Why it was given up before anything paused (no VM could be had); null: it was not. */
  readonly refused: string | null;
}

/** The summaries of a run's scale outs; `operatorName` names an operator by id. */
export function scaleOutSummaries(
  records: readonly {
    readonly kind: ScaleOutSummary["kind"];
    readonly operator: number;
    readonly instance: number;
    readonly instances: readonly number[];
    readonly requestedAtMs: number;
    readonly pausedAtMs: number | null;
    readonly completedAtMs: number | null;
    readonly refused?: string | null;
  }[],
  operatorName: (operator: number) => string,
): ScaleOutSummary[] {
  const time = (x: number | null) => (x === null ? null : roundMs(x));
  return records.map((r) => {
    const name = operatorName(r.operator);
    return {
      kind: r.kind,
      operator: name,
      instance: `${name}#${r.instance}`,
      instances: r.instances.map((id) => `${name}#${id}`),
      requestedAtMs: roundMs(r.requestedAtMs),
      pausedAtMs: time(r.pausedAtMs),
      completedAtMs: time(r.completedAtMs),
      refused: r.refused ?? null,
    };
  });
}
