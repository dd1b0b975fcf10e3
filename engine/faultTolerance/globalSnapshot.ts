// global-snapshot: SAND's scheme, on the coordinator's side.
//
//   every interval  the coordinator starts a global snapshot at the sources (unless one is
//                   under way or an instance is down); markers (channel positions) flow
//                   downstream; an instance checkpoints once every input's marker is in,
//                   and goes on processing meanwhile
//   complete        once every instance's part is in, the snapshot is the one to roll back
//                   to: each part is kept in the store and the upstreams trim to it (output
//                   buffers are kept until the whole snapshot is complete)
//   on a failure    the lost instances and everything downstream of them roll back to the
//                   last complete snapshot (or to their initial state before the first);
//                   a snapshot under way is abandoned; their upstreams replay
//   reconfiguring   a reconfiguration waits for the snapshot under way and begins at a
//                   quiescent base (engine/reconfiguration/quiescentBase.ts); no snapshot
//                   begins until the base, its parts in, is the snapshot to roll back to
//
// Invariant: only a complete snapshot is ever restored, so the rolled-back instances hold
// one consistent cut, and every tuple after it is still in some upstream's buffer.

import type { Checkpoint } from "../checkpoint.js";
import { downstreamCone, STORE } from "./backupPlacement.js";
import { restoreFromBackup } from "./backupTable.js";
import { askCheckpoint, type FaultToleranceRun, type RecoveryStrategy, rewind } from "./strategy.js";

/** The global-snapshot strategy. */
export class GlobalSnapshot implements RecoveryStrategy {
  readonly periodic = true;
  readonly parallelRecovery = 1;
  /** The global snapshot under way: its id and the checkpoints in so far. */
  private snapshot: { readonly id: number; readonly parts: Map<number, Checkpoint> } | null = null;
  /** A reconfiguration takes its base: no snapshot begins. */
  private held = false;
  /** The reconfiguration waiting for the snapshot under way to complete. */
  private waiting: (() => void) | null = null;

  constructor(private readonly run: FaultToleranceRun) {}

  /** Start a global snapshot at the sources, unless one is under way or an instance is down. */
  interval(): void {
    if (this.held || this.snapshot !== null || this.run.status.down.size > 0) return;
    const id = this.run.nextCheckpointId();
    this.snapshot = { id, parts: new Map() };
    this.run.counts.checkpoints++;
    const plan = this.run.plan.current;
    for (const spec of plan.instances) {
      if (plan.logical.operators[spec.operator].kind === "source") {
        this.run.link.sendControl(spec.id, { type: "snapshot", snapshotId: id });
      }
    }
  }

  checkpoint(id: number): void {
    askCheckpoint(this.run, id);
  }

  /** A part of the global snapshot under way; once all are in, it is the one to roll back to. */
  checkpointed(cp: Checkpoint): void {
    const s = this.snapshot;
    if (s === null || cp.id !== s.id) return;
    s.parts.set(cp.instance, cp);
    if (s.parts.size < this.run.plan.current.instances.length) return;
    this.snapshot = null;
    this.install(s.parts.values());
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.();
  }

  /** `parts`, one per instance of the plan, are the snapshot to roll back to: kept in the store, the upstreams trim to it. */
  private install(parts: Iterable<Checkpoint>): void {
    this.run.counts.snapshots++;
    for (const part of parts) {
      this.run.backups.set(part.instance, { holder: STORE, checkpoint: part, positions: part });
      this.run.counts.backups++;
      this.run.backups.acknowledge(part, STORE);
    }
  }

  /** No snapshot begins; `then` once the one under way (if any) is complete. */
  quiesce(then: () => void): void {
    this.held = true;
    if (this.snapshot === null) then();
    else this.waiting = then;
  }

  /** The reconfiguration's base is the snapshot to roll back to (null: given up); snapshots begin again. */
  adoptBase(checkpoints: ReadonlyMap<number, Checkpoint> | null): void {
    this.held = false;
    this.waiting = null;
    if (checkpoints !== null) this.install(checkpoints.values());
  }

  /** The snapshot under way is abandoned; everything downstream of the replaced rolls back. */
  recovering(replaced: readonly number[]): Iterable<number> {
    this.snapshot = null;
    this.waiting = null;
    return downstreamCone(this.run.plan.current, replaced);
  }

  rollsBack(): boolean {
    return false;
  }

  /** From the last complete snapshot, or from the initial state before the first. */
  restore(id: number): void {
    const b = this.run.backups.get(id);
    if (b === undefined) rewind(this.run, id);
    else restoreFromBackup(this.run.link, id, b);
  }
}
