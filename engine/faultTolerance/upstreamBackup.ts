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
//
// Invariant: a mark is used only once the instance's output up to it is trimmed
// downstream, so no receiver can need output from before it; its input up to the mark is
// the same canonical sequence, so the rebuilt state equals the lost one for every window
// still open.

import type { Checkpoint } from "../checkpoint.js";
import { STORE } from "./backupPlacement.js";
import { type BackupOf, restoreFromBackup } from "./backupTable.js";
import { PerInstanceBackups } from "./strategy.js";

/** The upstream-backup strategy. */
export class UpstreamBackup extends PerInstanceBackups {
  readonly parallelRecovery = 1;

  /** Ask for a mark. */
  checkpoint(id: number): void {
    this.run.counts.checkpoints++;
    this.run.link.sendControl(id, { type: "mark", checkpointId: this.run.nextCheckpointId() });
  }

  /** A mark, its output trimmed downstream: kept (unless a later one is), and the upstreams may trim. */
  checkpointed(cp: Checkpoint): void {
    const b = this.run.backups.get(cp.instance);
    if (b !== undefined && b.checkpoint !== null && b.checkpoint.id >= cp.id) return;
    this.run.backups.keepInStore(cp);
  }

  /** Rebuild to the mark (every mark is kept in the store). */
  protected restoreFrom(id: number, b: BackupOf): void {
    if (b.holder === STORE) {
      this.run.counts.rebuilds++;
      this.run.link.sendControl(id, { type: "rebuild", mark: b.checkpoint! });
    } else restoreFromBackup(this.run.link, id, b);
  }
}
