// Where each instance's latest backup is, as the coordinator knows it: with a holder (an
// upstream instance, SEEP's backup primitive) or in the coordinator's store (STORE), with
// the positions of its checkpoint. A backup releases the upstreams' buffers: each
// upstream is acked what the checkpoint covers and trims up to there (the holder trims
// itself). An instance whose upstreams trimmed for it can be recovered only from its
// backup; without one it restarts from its initial state with everything upstream.
//
// The coordinator relays every checkpoint to its holder and keeps the latest as a copy.
// Before any reconfiguration the copy is not used: a backup lost with its holder is lost
// (SEEP's fallback, a restart from the initial state, applies and is exact). Once a scale
// out, scale in, migration or parallel recovery has changed an instance's key groups,
// restarting anything from its initial state is no longer exact (a reconfigured
// instance's output began mid-stream, with positions a restart cannot regenerate), so a
// backup lost with its holder falls back to the coordinator's copy instead.

import type { Checkpoint } from "../checkpoint.js";
import type { ReconfigurationLink } from "../reconfiguration/link.js";
import { STORE } from "./backupPlacement.js";
import type { FaultToleranceCounts } from "./counts.js";
import type { InstanceStatus } from "./instanceStatus.js";

/** Where X's backup is, with the positions of its checkpoint. */
export interface BackupOf {
  readonly holder: number;
  /** The checkpoint (kept by the coordinator: STORE), or null (kept by `holder`). */
  readonly checkpoint: Checkpoint | null;
  /** The checkpoint's input positions and output sides. */
  readonly positions: Pick<Checkpoint, "inputs" | "outputs">;
  /** The coordinator's copy of a checkpoint kept by `holder` (used once the plan was reconfigured). */
  readonly copy?: Checkpoint;
  /**
   * Promoted while on its way (promotePending): the holder may not have it yet (its transfer
   * can be cut off), so what it restores may be an older one; nothing must rely on these positions.
   */
  readonly unconfirmed?: boolean;
}

/** The latest backup of each instance, the backups on their way, and who trimmed. */
export class BackupTable {
  /** Latest complete backup per instance: its holder (or STORE, with the checkpoint), and its positions. */
  private readonly backups = new Map<number, BackupOf>();
  /** Checkpoints sent to holders, waiting for backedUp. */
  readonly pending = new Map<number, Checkpoint>();
  /** The holder each pending checkpoint was sent to. */
  readonly pendingHolders = new Map<number, number>();
  /** Instances whose checkpoints have trimmed some upstream buffer. */
  readonly trimmed = new Set<number>();
  /** True once the plan was reconfigured: a backup lost with its holder falls back to its copy. */
  private copiesInUse = false;

  constructor(
    private readonly link: ReconfigurationLink,
    private readonly status: InstanceStatus,
    private readonly counts: FaultToleranceCounts,
  ) {}

  /** The latest backup of `id`, if any. */
  get(id: number): BackupOf | undefined {
    return this.backups.get(id);
  }

  /** True when `id` has a backup. */
  has(id: number): boolean {
    return this.backups.has(id);
  }

  /** `backup` is `id`'s latest. */
  set(id: number, backup: BackupOf): void {
    this.backups.set(id, backup);
  }

  /** `id`'s backup is lost. */
  delete(id: number): void {
    this.backups.delete(id);
  }

  /**
   * `id` failed: a checkpoint on its way to a holder that is not down (`isDown`) is its
   * backup from now on. The holder trims its buffer for it as it keeps it, so the restore
   * must go to it: it restores the latest it has (that one, unless its transfer was cut
   * off, when it never trimmed for it). Anything else on its way is void.
   */
  promotePending(id: number, isDown: (holder: number) => boolean): void {
    const cp = this.pending.get(id);
    const holder = this.pendingHolders.get(id);
    const current = this.backups.get(id);
    const currentId = current?.checkpoint?.id ?? current?.copy?.id ?? Number.NEGATIVE_INFINITY;
    if (cp === undefined || holder === undefined || isDown(holder) || cp.id <= currentId) {
      this.pending.delete(id);
      return;
    }
    this.backups.set(id, { holder, checkpoint: null, positions: cp, copy: cp, unconfirmed: true });
    this.trimmed.add(id);
  }

  /** True when `id` could not be rebuilt from its upstreams' buffers: they trimmed, and no backup is left. */
  unrecoverable(id: number): boolean {
    return !this.backups.has(id) && this.trimmed.has(id);
  }

  /** From now on a backup lost with its holder falls back to the coordinator's copy (the plan was reconfigured). */
  useCopies(): void {
    this.copiesInUse = true;
  }

  /**
   * The backups whose holder `isHolder` says is lost: dropped (or, once copies are in use,
   * moved to the store); returns whose backups were dropped.
   */
  dropHeldBy(isHolder: (holder: number) => boolean): number[] {
    // What was on its way to a lost holder will never be kept.
    for (const [x, h] of this.pendingHolders) if (isHolder(h)) this.pending.delete(x);
    const owners: number[] = [];
    for (const [x, b] of this.backups) {
      if (b.holder !== STORE && isHolder(b.holder) && !this.fallBackToCopy(x)) {
        this.backups.delete(x);
        owners.push(x);
      }
    }
    return owners;
  }

  /** `id`'s holder lost its backup: true when the coordinator's copy takes its place (copies in use). */
  fallBackToCopy(id: number): boolean {
    const b = this.backups.get(id);
    if (!this.copiesInUse || b?.copy === undefined) return false;
    this.backups.set(id, { holder: STORE, checkpoint: b.copy, positions: b.positions });
    return true;
  }

  /** Keep `cp` in the store as its instance's backup: its upstreams trim to it. */
  keepInStore(cp: Checkpoint): void {
    // An older checkpoint still on its way to a holder is superseded.
    if ((this.pending.get(cp.instance)?.id ?? Number.POSITIVE_INFINITY) < cp.id)
      this.pending.delete(cp.instance);
    this.backups.set(cp.instance, { holder: STORE, checkpoint: cp, positions: cp });
    this.trimmed.add(cp.instance);
    this.counts.backups++;
    this.acknowledge(cp, STORE);
  }

  /** `holder` keeps `cp` (it trimmed itself): the other upstreams trim to it. */
  keptBy(holder: number, cp: Checkpoint): void {
    this.backups.set(cp.instance, { holder, checkpoint: null, positions: cp, copy: cp });
    this.trimmed.add(cp.instance);
    this.counts.backups++;
    this.acknowledge(cp, holder);
  }

  /** Tell each upstream (but the holder, which trimmed itself) what the checkpoint covers. */
  acknowledge(cp: Checkpoint, holder: number): void {
    for (const p of cp.inputs) {
      if (p.seq <= 0 || p.sender === holder || this.status.away(p.sender)) continue;
      this.counts.acks++;
      this.link.sendControl(
        p.sender,
        cp.horizonMs === undefined
          ? { type: "ack", edge: p.edge, receiver: cp.instance, seq: p.seq }
          : { type: "ack", edge: p.edge, receiver: cp.instance, seq: p.seq, beforeTimeMs: cp.horizonMs },
      );
    }
  }
}

/** Restore replacement `id` from its backup: from the store, or by its holder. */
export function restoreFromBackup(link: ReconfigurationLink, id: number, backup: BackupOf): void {
  if (backup.holder === STORE) link.sendControl(id, { type: "restore", checkpoint: backup.checkpoint! });
  else link.sendControl(backup.holder, { type: "restoreBackup", instance: id });
}
