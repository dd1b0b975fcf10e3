// What a real run is made of (CloudRunOptions), what follows from it (its scalings, the
// standby workers it keeps, the most workers it may have in use, whether its workers keep
// what they sent, its operators' state codecs), and the checks made before any worker
// starts, so that a mistake in them is one line and no worker is left behind.

import {
  type ControlReply,
  type ElasticityOptions,
  type FaultToleranceOptions,
  JSON_STATE_CODEC,
  type LogicalPlan,
  type OutputRecord,
  type StateCodec,
} from "../engine/index.js";
import type { TlsFiles } from "./auth.js";
import type { CodecOf } from "./controlWire.js";
import type { CloudRunHa } from "./failover/cloudRunHa.js";
import type { InstanceStats } from "./gen/seep/v1/seep.js";
import {
  checkRunScaling,
  type RunScalingOptions,
  type ScheduledScaleIn,
  type ScheduledScaleOut,
} from "./runScaling.js";
import type { WorkerFailure } from "./runSummary.js";
import type { VmPool } from "./vmPool.js";

/** One tuple a sink received (the same record as a simulated run's). */
export type CloudOutput = OutputRecord;

/** A worker to SIGKILL during the run: its index (0-based, among the run's initial workers) and when. */
export interface WorkerKill {
  readonly worker: number;
  /** Run time (event-time ms since event time 0, as failedAtMs and the metrics count it). */
  readonly atMs: number;
}

/** What a real run is made of. */
export interface CloudRunOptions {
  readonly name: string;
  readonly pool: VmPool;
  readonly poolKind: string;
  readonly workers: number;
  readonly token: string;
  /** The coordinator's certificate, key and the run's CA: every call to a worker goes over mutual TLS. */
  readonly tls?: TlsFiles;
  /**
   * The largest message taken in from a worker, in bytes (messageLimits.ts; the workers'
   * own bound is given to them by the pool). Default DEFAULT_MESSAGE_BYTES_MAX.
   */
  readonly messageBytesMax?: number;
  /** The workload by name, as the workers resolve it, and the plan it gives here. */
  readonly workload: string;
  readonly params: Record<string, unknown>;
  readonly plan: LogicalPlan;
  readonly seed: number;
  readonly batchSize: number;
  readonly sourcePollMs: number;
  /** Event-time ms replayed per wall-clock ms (default 1: real time); outputs' times are in event time. */
  readonly replaySpeed?: number;
  /** The event time the replay starts at (default 0; a window of a longer stream starts later). */
  readonly startEventTimeMs?: number;
  /** Stop after this much run time even if the stream goes on. */
  readonly untilMs?: number;
  readonly heartbeatMs?: number;
  /**
   * How long a worker may leave heartbeats unanswered before it is declared dead (default:
   * SEEP_HEARTBEAT_TIMEOUT_MS, else 30000). A worker busy with a long task (the checkpoint
   * of a large state, a major GC, a starved process on a busy machine) is not dead; a dead
   * one breaks its watch stream at once, so this only has to catch one that hangs.
   */
  readonly heartbeatTimeoutMs?: number;
  readonly metricsIntervalMs?: number;
  /** The fault-tolerance strategy and its parameters (default: none). */
  readonly faultTolerance?: FaultToleranceOptions;
  /**
   * Standby workers: started and deployed with the run, hosting nothing, to host
   * replacements at once (default: 1 under a strategy other than none, else 0).
   */
  readonly standbyWorkers?: number;
  /** Workers to kill during the run (needs a pool that can kill). */
  readonly kills?: readonly WorkerKill[];
  /** Scale outs and migrations to carry out during the run (strategy none or rsm). */
  readonly scaleOuts?: readonly ScheduledScaleOut[];
  /** Scale ins to carry out during the run (strategy none or rsm). */
  readonly scaleIns?: readonly ScheduledScaleIn[];
  /** The outputs' latency deadline (`scaling.deadlineMs`): the summary says whether every output met it. */
  readonly deadlineMs?: number;
  /** How scale outs move state (`scaling.stateTransfer`): pause (default, every strategy) or live (strategy none or rsm). */
  readonly stateTransfer?: "pause" | "live";
  /** The threshold policy (`scaling.policy: threshold`); absent: none. */
  readonly policy?: ElasticityOptions;
  /**
   * Workers started ahead, waiting in the pool for the scale outs the threshold policy
   * decides (the simulator's `pool.prewarmed` VMs); default 0: each is started when needed,
   * which takes seconds (a local process on a busy machine) to minutes (EC2).
   */
  readonly prewarmedWorkers?: number;
  /**
   * The most workers the run may have in use (standbys aside): a scale out that would
   * need more is refused. Default: the highest `maxVms` of the policy's scale-out rules,
   * else no bound.
   */
  readonly maxWorkers?: number;
  /** Every tuple a sink received. */
  readonly onOutput?: (o: CloudOutput) => void;
  /** Progress, every metrics interval. */
  readonly onProgress?: (runMs: number, tuplesIn: number, tuplesOut: number) => void;
  /** A worker was declared dead. */
  readonly onFailure?: (failure: WorkerFailure) => void;
  /**
   * Every heartbeat's per-instance totals (tuples processed, busy ms, queue), at the run time
   * the worker took them: for benchmarks that follow one instance's work.
   */
  readonly onInstanceStats?: (stats: readonly InstanceStats[], atMs: number) => void;
  /** Every reply an instance sent to the coordinator (checkpoints included, decoded). */
  readonly onReply?: (reply: ControlReply) => void;
  /** High availability: this coordinator leads the run under a fencing epoch, and a standby may take over (cloudRunHa.ts). */
  readonly ha?: CloudRunHa;
}

/**
 * Check `o` before any worker starts, under fault-tolerance strategy `strategy`: every
 * kill names one of the run's workers at a time >= 0, on a pool that can kill, and the
 * scalings suit the plan and the strategy. Throws a RangeError or a ScaleOutError.
 */
export function checkRunOptions(o: CloudRunOptions, strategy: string): void {
  for (const k of o.kills ?? []) {
    if (!Number.isInteger(k.worker) || k.worker < 0 || k.worker >= o.workers)
      throw new RangeError(
        `kill: worker ${k.worker} is not one of the run's workers (0 to ${o.workers - 1})`,
      );
    if (!Number.isFinite(k.atMs) || k.atMs < 0) throw new RangeError(`kill: time ${k.atMs} ms must be >= 0`);
  }
  if ((o.kills?.length ?? 0) > 0 && o.pool.kill === undefined)
    throw new RangeError(`the ${o.poolKind} pool cannot kill workers`);
  // Live state transfer works under every strategy: under rsm the retired instance lingers
  // for its receivers' replays (its worker stays until it retires for good); under the
  // others the hand-over is taken at a quiescent base; a given-up scale out's new instances
  // are discarded (recovery.ts).
  checkRunScaling(scalingOf(o), o.plan, strategy);
}

/** The run's scalings: the scheduled scale outs and scale ins, and the threshold policy (null: none). */
export function scalingOf(o: CloudRunOptions): RunScalingOptions {
  return { scaleOuts: o.scaleOuts ?? [], scaleIns: o.scaleIns ?? [], policy: o.policy ?? null };
}

/** True when the run may scale: its workers keep their sent output. */
export function isElastic(o: CloudRunOptions): boolean {
  const s = scalingOf(o);
  return s.scaleOuts.length > 0 || s.scaleIns.length > 0 || s.policy !== null;
}

/**
 * The most workers the run may have in use (standbys aside): `maxWorkers`, else the
 * highest `maxVms` of the policy's scale-out rules, else no bound.
 */
export function maxWorkersOf(o: CloudRunOptions): number {
  const rules = o.policy?.policy.rules.filter((r) => r.action === "scaleOut") ?? [];
  return (
    o.maxWorkers ?? (rules.length === 0 ? Number.POSITIVE_INFINITY : Math.max(...rules.map((r) => r.maxVms)))
  );
}

/** The state codec of each operator of `plan`, by operator id (JSON when it names none). */
export function codecOfPlan(plan: LogicalPlan): CodecOf {
  const codecs = plan.operators.map(
    (op) => (op.stateCodec as StateCodec<unknown> | undefined) ?? JSON_STATE_CODEC,
  );
  return (op) => codecs[op] ?? JSON_STATE_CODEC;
}

/** Standby workers the run keeps: `standbyWorkers`, else one under a strategy other than none. */
export function standbysOf(o: CloudRunOptions, strategy: string): number {
  return o.standbyWorkers ?? (strategy === "none" ? 0 : 1);
}
