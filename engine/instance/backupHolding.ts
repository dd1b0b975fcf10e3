// Backup holding (SEEP's `backup` primitive), the holder's side: an upstream instance keeps
// the checkpoints of downstream instances next to its output buffers, and restores a
// replacement from them.
//
// Steps: `backup` keeps the checkpoint (replacing the instance's older one), trims the
// buffers to the positions it reflects (what the holder itself sent), and replies
// `backedUp`. `restoreBackup` sends the kept checkpoint to a fresh replacement as
// `restore`; with parts (parallel recovery), it partitions it by the parts' key-group
// ranges into new identities, keeps each part as the backup of its instance and sends it
// as a `restore` with `resent` (the upstreams re-send to the parts). A holder without the
// backup replies `backupMissing`.
//
// Invariant: a kept checkpoint covers what the holder trimmed from the buffers for it, so a
// restore from it plus a replay from the buffers loses nothing.

import { asNewInstancePart, type Checkpoint, partition } from "../checkpoint.js";
import type { ControlMessage, ControlType } from "../control.js";
import type { InstanceController, InstanceProtocol } from "./protocol.js";

type RestoreBackup = Extract<ControlMessage, { type: "restoreBackup" }>;

/** What backup holding asks of its instance. */
type Control = Pick<InstanceController, "id" | "outputs" | "send">;

/** Checkpoints held for downstream instances. */
export class BackupHolding implements InstanceProtocol {
  readonly messages: readonly ControlType[] = ["backup", "restoreBackup"];
  /** Downstream instance -> its checkpoint held here. */
  readonly backups = new Map<number, Checkpoint>();

  constructor(private readonly ctl: Control) {}

  handle(message: ControlMessage): void {
    if (message.type === "backup") this.keep(message.checkpoint);
    else if (message.type === "restoreBackup") this.restore(message);
  }

  /** Keep a downstream instance's checkpoint and trim the buffer it covers. */
  private keep(cp: Checkpoint): void {
    const c = this.ctl;
    this.backups.set(cp.instance, cp);
    for (const pos of cp.inputs) {
      if (pos.sender === c.id) c.outputs.find(pos.edge)?.ack(cp.instance, pos.seq);
    }
    c.send("coordinator", { type: "backedUp", holder: c.id, instance: cp.instance, checkpointId: cp.id });
  }

  /** Restore a replacement (or, with parts, its parallel parts) from the backup held for it. */
  private restore(message: RestoreBackup): void {
    const c = this.ctl;
    const cp = this.backups.get(message.instance);
    if (cp === undefined) {
      c.send("coordinator", { type: "backupMissing", holder: c.id, instance: message.instance });
    } else if (message.parts !== undefined) {
      // Parallel recovery: each part under a new identity, kept as its backup.
      const parts = partition(
        cp,
        message.parts.map((p) => p.range),
      ).map(asNewInstancePart);
      this.backups.delete(message.instance);
      message.parts.forEach((p, i) => {
        this.backups.set(p.instance, parts[i]);
        c.send(p.instance, { type: "restore", checkpoint: parts[i], resent: true });
      });
    } else {
      c.send(message.instance, { type: "restore", checkpoint: cp });
    }
  }
}
