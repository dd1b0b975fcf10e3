// rsm: SEEP's recovery using state management, on the coordinator's side.
//
//   every interval  coordinator -> each instance that runs: checkpoint
//                   instance -> coordinator: checkpointed (the checkpoint)
//                   coordinator -> holder (an upstream on another VM): backup; the holder
//                   keeps it and trims its output buffer to it (or, with no such
//                   upstream or backupPlacement store, the coordinator keeps it)
//                   holder -> coordinator: backedUp; coordinator -> other upstreams: ack
//   on a failure    the lost instances are deployed afresh on one VM from the pool, under
//                   their ids (recovery.ts); each is restored by its holder (restoreBackup
//                   -> restore) or from the store, and on start asks its upstreams to
//                   replay from the checkpoint's positions. Deterministic replay (canonical
//                   input order, per-edge timestamps, receivers dropping what they have)
//                   and the sinks' ledger make the output exactly the failure-free output.
//                   With parallelRecovery k > 1, a lost keyed instance alone on its VM is
//                   restored onto k new instances instead (parallelRecovery.ts).
//   fallback        an instance whose backup was lost with its holder (two failures at
//                   once) and whose upstreams have trimmed their buffers cannot be rebuilt
//                   from them: it and everything upstream of it restart from their initial
//                   state and the sources replay (source replay, for that part).
//
// Invariant: an upstream trims for an instance only what a backup of that instance covers,
// so until the backup is lost the instance can always be restored and replayed to.

import type { Checkpoint } from "../checkpoint.js";
import type { ControlReply } from "../control.js";
import { backupHolderOf, STORE } from "./backupPlacement.js";
import { type BackupOf, restoreFromBackup } from "./backupTable.js";
import { askCheckpoint, type FaultToleranceRun, ofCurrentRange, PerInstanceBackups } from "./strategy.js";

/** The rsm strategy. */
export class Rsm extends PerInstanceBackups {
  readonly parallelRecovery: number;

  constructor(run: FaultToleranceRun) {
    super(run);
    this.parallelRecovery = run.options.parallelRecovery ?? 1;
  }

  checkpoint(id: number): void {
    askCheckpoint(this.run, id);
  }

  /** Back the checkpoint up to its holder, or keep it in the store. */
  checkpointed(cp: Checkpoint): void {
    const { backups, link, status } = this.run;
    const holder = backupHolderOf(this.run.plan.current, cp.instance, this.run.options.backupPlacement);
    if (holder === STORE || status.away(holder)) {
      backups.keepInStore(cp);
      return;
    }
    backups.pending.set(cp.instance, cp);
    backups.pendingHolders.set(cp.instance, holder);
    link.sendControl(holder, { type: "backup", checkpoint: cp });
  }

  /** The holder keeps the backup: it is the instance's latest, and the other upstreams trim. */
  backedUp(reply: ControlReply & { readonly type: "backedUp" }): void {
    const { backups, status } = this.run;
    const cp = backups.pending.get(reply.instance);
    if (cp === undefined || cp.id !== reply.checkpointId || status.down.has(reply.holder)) return;
    if (!ofCurrentRange(this.run.plan, cp)) return;
    backups.pending.delete(reply.instance);
    backups.keptBy(reply.holder, cp);
  }

  /** From the store, or by its holder (restoreBackup -> restore). */
  protected restoreFrom(id: number, b: BackupOf): void {
    restoreFromBackup(this.run.link, id, b);
  }
}
