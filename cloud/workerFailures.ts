// Failed workers of a real run: those the run kills (fault injection, the `kills` of its
// options, with SIGKILL through the pool) and those declared dead (a watch stream that
// broke, or heartbeats unanswered too long). A dead worker is fenced (given back to the
// pool, so that one that only hangs cannot come back and send) and its instances are
// handed to the engine's fault-tolerance protocol, which under `none` counts them lost.
// The failure time is the kill's when the run killed it, else the detection time, as
// nothing better is known. A failure the protocol cannot recover from (one during a scale
// out) stops the run.

import { type PhysicalPlan, roundMs } from "../engine/index.js";
import type { InstanceDirectory } from "./instanceDirectory.js";
import type { WorkerFailure } from "./runSummary.js";
import type { RunWorkers } from "./runWorkers.js";
import type { VmPool } from "./vmPool.js";
import type { WorkerLink } from "./workerLink.js";

/** What failures need of the run. */
export interface WorkerFailuresHost {
  readonly pool: VmPool;
  readonly workers: RunWorkers;
  readonly directory: InstanceDirectory;
  /** Time since event time 0, in event-time ms. */
  runMs(): number;
  /** True once the run is stopping: its workers go anyway. */
  stopping(): boolean;
  /** The physical plan as it stands. */
  plan(): PhysicalPlan;
  /** The operator of an instance no longer in the plan (merged away, lingering, replaced), if known. */
  operatorOf?(id: number): number | undefined;
  /** Hand instances `ids`, failed at run time `failedAtMs`, to the fault-tolerance protocol. */
  instancesFailed(ids: number[], failedAtMs: number): void;
  /** Stop the run with this error. */
  abort(error: Error): void;
  /** The run's callback for a worker declared dead. */
  readonly onFailure?: (failure: WorkerFailure) => void;
  /** A failure may have ended the run (no more output can come): end it then. */
  endIfOver(): void;
  /** A worker was declared dead (under HA: the record says so soon). */
  lostWorker?(): void;
}

/** Kills workers on schedule and declares workers dead. */
export class WorkerFailures {
  /** The workers declared dead, in order. */
  readonly records: WorkerFailure[] = [];
  /** Run time each killed worker was killed at, by worker index. */
  private readonly killedAtMs = new Map<number, number>();

  constructor(private readonly host: WorkerFailuresHost) {}

  /**
   * SIGKILL worker `index` (fault injection); its failure time is now, and no earlier than
   * `scheduledAtMs` (a timer may fire a millisecond before the wall clock says it is due).
   */
  kill(index: number, scheduledAtMs = Number.NEGATIVE_INFINITY): void {
    const l = this.host.workers.links[index];
    if (l === undefined || !l.alive || this.host.stopping()) return;
    this.killedAtMs.set(index, Math.max(this.host.runMs(), scheduledAtMs));
    this.host.pool.kill?.(l.vm);
  }

  /** The failures an old leader declared (a new leader's, from the run's record). */
  restore(records: readonly WorkerFailure[]): void {
    this.records.push(...records);
  }

  /**
   * A new leader found worker `l` dead, and the journal says the old leader had handed its
   * instances to fault tolerance already (`known`: failed at `failedAtMs`, detected at
   * `detectedAtMs`, not redeployed since): it is recorded, and nothing is handed on again.
   */
  knownLost(l: WorkerLink, failedAtMs: number, detectedAtMs: number): void {
    if (!l.alive) return;
    l.alive = false;
    l.leftAtMs = detectedAtMs;
    const ids = this.host.directory.hostedBy(l.index);
    this.records.push({
      vm: l.index,
      address: l.vm.address,
      failedAtMs: roundMs(failedAtMs),
      detectedAtMs: roundMs(detectedAtMs),
      detectedVia: "stream",
      instances: this.named(ids),
    });
    void this.host.workers.release(l);
  }

  /** Worker `l` is declared dead, noticed `via` its stream or its heartbeats. */
  lost(l: WorkerLink, via: "stream" | "heartbeat"): void {
    const h = this.host;
    if (!l.alive || h.stopping()) return;
    l.alive = false;
    const detectedAtMs = h.runMs();
    l.leftAtMs = detectedAtMs;
    const failedAtMs = this.killedAtMs.get(l.index) ?? detectedAtMs;
    const ids = h.directory.hostedBy(l.index);
    const failure: WorkerFailure = {
      vm: l.index,
      address: l.vm.address,
      failedAtMs: roundMs(failedAtMs),
      detectedAtMs: roundMs(detectedAtMs),
      detectedVia: via,
      instances: this.named(ids),
    };
    this.records.push(failure);
    h.lostWorker?.();
    void h.workers.release(l);
    try {
      if (ids.length > 0) h.instancesFailed(ids, failedAtMs);
    } catch (e) {
      // The protocol cannot recover from this failure (one during a scale out): stop the run.
      h.abort(e instanceof Error ? e : new Error(String(e)));
    }
    h.onFailure?.(failure);
    h.endIfOver();
  }

  /** Instances `ids` with their operators' names. */
  private named(ids: readonly number[]): WorkerFailure["instances"] {
    const plan = this.host.plan();
    const operators = plan.logical.operators;
    const spec = (id: number) => plan.instances.find((i) => i.id === id);
    return ids.map((id) => {
      const op = spec(id)?.operator ?? this.host.operatorOf?.(id);
      return { id, operator: op === undefined ? "?" : operators[op].name };
    });
  }
}
