// What a fault-tolerance strategy is, on the coordinator's side, and what it works with.
// Each strategy (rsm.ts, upstreamBackup.ts, sourceReplay.ts, globalSnapshot.ts) is the
// periodic part of its protocol (checkpoints and backups, marks, or global snapshots) and
// its answers to a recovery's questions: whom to roll back to the initial state, and how
// to restore each replacement. The recovery's own steps (replace, restore, start) are the
// same for all (recovery.ts).

import type { ChannelPosition, Checkpoint } from "../checkpoint.js";
import type { ControlReply } from "../control.js";
import type { InstanceIds } from "../physicalPlan.js";
import type { ReconfigurationLink } from "../reconfiguration/link.js";
import type { RunPlan } from "../reconfiguration/runPlan.js";
import type { BackupOf, BackupTable } from "./backupTable.js";
import type { FaultToleranceCounts } from "./counts.js";
import type { InstanceStatus } from "./instanceStatus.js";
import type { FaultToleranceOptions } from "./options.js";

/** The fault-tolerance state of a run, which the strategies and recoveries share. */
export interface FaultToleranceRun {
  readonly options: FaultToleranceOptions;
  readonly link: ReconfigurationLink;
  readonly plan: RunPlan;
  readonly ids: InstanceIds;
  readonly backups: BackupTable;
  readonly status: InstanceStatus;
  readonly counts: FaultToleranceCounts;
  /** A fresh checkpoint id (ids ascend over the run). */
  nextCheckpointId(): number;
}

/** One fault-tolerance strategy. */
export interface RecoveryStrategy {
  /** True when it works every checkpointIntervalMs. */
  readonly periodic: boolean;
  /** Every interval: checkpoints, marks or a global snapshot. */
  interval(): void;
  /** Ask instance `id` for a checkpoint now (to re-make a backup lost with its holder). */
  checkpoint(id: number): void;
  /** A checkpoint (or mark, or snapshot part) of an instance that runs, of its current key groups. */
  checkpointed(cp: Checkpoint): void;
  /** A holder kept a backup (rsm). */
  backedUp?(reply: ControlReply & { readonly type: "backedUp" }): void;
  /**
   * A recovery of `replaced` begins: the instances it rolls back beyond those without a
   * usable backup (a global snapshot's: everything downstream of them).
   */
  recovering(replaced: readonly number[]): Iterable<number>;
  /** True when replaced instance `id` restarts from its initial state, with everything upstream. */
  rollsBack(id: number, forced: boolean): boolean;
  /** Restore replacement `id` (deployed afresh), from its backup or from its initial state. */
  restore(id: number, rolledBack: boolean): void;
  /** Parallel recovery onto this many instances (1: none). */
  readonly parallelRecovery: number;
  /**
   * A reconfiguration wants a quiescent base (engine/reconfiguration/quiescentBase.ts):
   * stop the periodic work, `then` once none is under way.
   */
  quiesce?(then: () => void): void;
  /** The base of a reconfiguration, its parts in (null: it was given up): every later restart begins from it. */
  adoptBase?(checkpoints: ReadonlyMap<number, Checkpoint> | null): void;
  /**
   * The input positions a restart of `id` replays from, when they are not its backup's
   * (after a base under upstream backup, where a rebuild starts from the base, not the
   * mark, and under source replay, which keeps no backups); a lingering sender is released
   * only once these cover the end of its streams.
   */
  restartPositions?(id: number): readonly ChannelPosition[] | undefined;
  /** Instance `id` has rebuilt its state (upstream backup's `rebuilt`). */
  rebuilt?(id: number): void;
  /** True while a restored instance still rebuilds its state: no reconfiguration begins. */
  readonly rebuilding?: boolean;
}

/** Ask instance `id` for a checkpoint under a fresh id. */
export function askCheckpoint(run: FaultToleranceRun, id: number): void {
  run.counts.checkpoints++;
  run.link.sendControl(id, { type: "checkpoint", checkpointId: run.nextCheckpointId() });
}

/** Restart replacement `id` from its initial state. */
export function rewind(run: FaultToleranceRun, id: number): void {
  run.link.sendControl(id, { type: "rewind" });
}

/**
 * False for a checkpoint taken before a scale out changed its instance's key groups (it is
 * no longer the instance's state), or of an instance merged away.
 */
export function ofCurrentRange(plan: RunPlan, cp: Checkpoint): boolean {
  const spec = plan.current.instances.find((s) => s.id === cp.instance);
  return spec?.range.equals(cp.range) ?? false;
}

/**
 * A strategy that asks every instance that runs for a checkpoint (or a mark) every
 * interval, and rolls back only the replaced instances it cannot restore: those whose
 * upstreams trimmed for them and whose backup is lost (rsm, upstream-backup).
 */
export abstract class PerInstanceBackups implements RecoveryStrategy {
  readonly periodic = true;
  abstract readonly parallelRecovery: number;

  constructor(protected readonly run: FaultToleranceRun) {}

  abstract checkpoint(id: number): void;
  abstract checkpointed(cp: Checkpoint): void;
  /** Restore replacement `id` from its backup `b`. */
  protected abstract restoreFrom(id: number, b: BackupOf): void;

  interval(): void {
    for (const id of this.run.status.dueForCheckpoint(this.run.plan.current.instances)) this.checkpoint(id);
  }

  recovering(): Iterable<number> {
    return [];
  }

  rollsBack(id: number, forced: boolean): boolean {
    return forced || this.run.backups.unrecoverable(id);
  }

  /**
   * A rolled-back instance restarts from its initial state and forgets its backup: that
   * checkpoint's buffers were trimmed for downstreams that have rolled back with it, so it
   * could not replay what they now ask for. Its next checkpoint protects it again.
   */
  restore(id: number, rolledBack: boolean): void {
    const b = this.run.backups.get(id);
    if (rolledBack) this.run.backups.delete(id);
    if (b === undefined || rolledBack) rewind(this.run, id);
    else this.restoreFrom(id, b);
  }
}
