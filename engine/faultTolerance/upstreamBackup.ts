// upstream-backup: no state is checkpointed; the upstreams' output buffers are the backup.
//
//   every interval  coordinator -> each instance that runs: mark. The instance takes a mark
//                   (its input and output positions, event time and its state's horizon:
//                   the oldest event time its state still depends on; engine/instance.ts)
//                   and reports it (checkpointed) once its own output up to the mark is
//                   trimmed downstream
//                   the coordinator keeps the mark (it is small: positions only) and acks
//                   the upstreams with `beforeTimeMs`: they drop what the mark covers and
//                   the state no longer depends on
//   on a failure    a lost instance is deployed afresh and rebuilt to its mark: each
//                   upstream re-sends what it kept, the instance processes it with its
//                   output suppressed up to the mark's positions, then takes the mark's
//                   output positions and goes on. One without a mark starts from its
//                   initial state (nothing was trimmed for it).
//   reconfiguring   a re-slicing of key groups makes the initial state useless to rebuild
//                   from (a new part never had it, and its upstreams' buffers for the old
//                   instance went with the old routing). So each reconfiguration begins
//                   at a quiescent base (engine/reconfiguration/quiescentBase.ts), as under
//                   global-snapshot and source-replay; the base (its parts in) replaces
//                   every instance's mark as its backup, and its upstreams trim to it.
//                   From then on the base takes the initial state's place: an instance
//                   without a later mark is restored from its base, one with a later mark
//                   is rebuilt to it from its base (what the base covers is dropped from
//                   the upstreams' replays), and a rollback restarts from the base.
//
// Invariants: a mark is used only once the instance's output up to it is trimmed
// downstream, so no receiver can need output from before it; its input up to the mark is
// the same canonical sequence, so the rebuilt state equals the lost one for every window
// still open. A mark taken before the latest base is never used (it may cover less than the
// base, under the old key groups), and while a base is being taken no marks are asked for.
// A rebuild from a base misses only tuples the mark let its upstreams drop, which are older
// than the mark's horizon; what the base's state holds of them is closed before the mark is
// reached, with its output muted.

import type { ChannelPosition, Checkpoint } from "../checkpoint.js";
import { STORE } from "./backupPlacement.js";
import { type BackupOf, restoreFromBackup } from "./backupTable.js";
import { PerInstanceBackups } from "./strategy.js";

/** The upstream-backup strategy. */
export class UpstreamBackup extends PerInstanceBackups {
  readonly parallelRecovery = 1;
  /** The latest reconfiguration's base, by instance (empty before the first). */
  private base: ReadonlyMap<number, Checkpoint> = new Map();
  /** Marks asked for before the latest base have lower ids than this: never used. */
  private marksFrom = Number.NEGATIVE_INFINITY;
  /** True while a reconfiguration takes its base: no marks. */
  private held = false;
  /** Instances sent a rebuild that have not reached their marks yet. */
  private readonly rebuildsUnderWay = new Set<number>();

  get rebuilding(): boolean {
    return this.rebuildsUnderWay.size > 0;
  }

  rebuilt(id: number): void {
    this.rebuildsUnderWay.delete(id);
  }

  /** After a base every restart replays from it, a rebuild to a later mark included. */
  restartPositions(id: number): readonly ChannelPosition[] | undefined {
    return this.base.get(id)?.inputs;
  }

  override interval(): void {
    if (!this.held) super.interval();
  }

  /** Ask for a mark. */
  checkpoint(id: number): void {
    this.run.counts.checkpoints++;
    this.run.link.sendControl(id, { type: "mark", checkpointId: this.run.nextCheckpointId() });
  }

  /** A mark, its output trimmed downstream: kept (unless a later one is), and the upstreams may trim. */
  checkpointed(cp: Checkpoint): void {
    if (cp.id < this.marksFrom) return;
    const b = this.run.backups.get(cp.instance);
    if (
      b !== undefined &&
      b.checkpoint !== null &&
      b.checkpoint.horizonMs !== undefined &&
      b.checkpoint.id >= cp.id
    )
      return;
    this.run.backups.keepInStore(cp);
  }

  /** No marks while the base is taken (a mark under way is void once the base is in). */
  quiesce(then: () => void): void {
    this.held = true;
    then();
  }

  /** The base (its parts in) is every instance's backup; the upstreams trim to it. */
  adoptBase(checkpoints: ReadonlyMap<number, Checkpoint> | null): void {
    this.held = false;
    if (checkpoints === null) return;
    this.base = new Map(checkpoints);
    this.marksFrom = this.run.nextCheckpointId();
    for (const cp of checkpoints.values()) this.run.backups.keepInStore(cp);
  }

  /**
   * Restore replacement `id`: a rolled-back one from its base once there is one (its
   * upstreams roll back with it), else as any per-instance strategy.
   */
  override restore(id: number, rolledBack: boolean): void {
    this.rebuildsUnderWay.delete(id);
    const base = this.base.get(id);
    if (!rolledBack || base === undefined) {
      super.restore(id, rolledBack);
      return;
    }
    this.run.backups.set(id, { holder: STORE, checkpoint: base, positions: base });
    this.run.backups.trimmed.add(id);
    restoreFromBackup(this.run.link, id, this.run.backups.get(id)!);
  }

  /** Rebuild to the mark, from the base if there is one; a base itself is restored. */
  protected restoreFrom(id: number, b: BackupOf): void {
    const cp = b.checkpoint;
    if (b.holder !== STORE || cp === null || cp.horizonMs === undefined) {
      restoreFromBackup(this.run.link, id, b);
      return;
    }
    this.run.counts.rebuilds++;
    this.rebuildsUnderWay.add(id);
    const base = this.base.get(id);
    this.run.link.sendControl(
      id,
      base === undefined ? { type: "rebuild", mark: cp } : { type: "rebuild", mark: cp, base },
    );
  }
}
