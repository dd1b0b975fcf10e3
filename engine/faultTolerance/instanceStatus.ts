// Which instances the fault-tolerance protocol leaves alone for now: those lost or being
// replaced by a recovery (down), those a scale out is deploying afresh (suspended), and
// those a parallel recovery replaced for good (gone). An instance away is not asked for
// checkpoints and not sent acks (its incarnation would drop them), and holds no backups.

import type { InstanceSpec } from "../physicalPlan.js";

/** The instances away, and those whose input ended. */
export class InstanceStatus {
  /** Instances lost or being replaced, until their replacement starts. */
  readonly down = new Set<number>();
  /** Instances a scale out is deploying afresh. */
  readonly suspended = new Set<number>();
  /** Instances replaced by a parallel recovery's parts (they never come back), with their operators. */
  readonly gone = new Map<number, number>();
  /** Instances a live scale out keeps from checkpointing (their snapshot holds their upstreams' buffers). */
  readonly frozen = new Set<number>();
  /** Instances that reported the end of their input. */
  readonly ended = new Set<number>();
  /** Ended instances asked for their last checkpoint. */
  private readonly finalCheckpoint = new Set<number>();

  /** True for an instance being replaced, by a recovery or a scale out. */
  away(id: number): boolean {
    return this.down.has(id) || this.suspended.has(id) || this.gone.has(id);
  }

  /** Of `specs`, the instances to checkpoint now: each that runs, but an ended one only once more. */
  dueForCheckpoint(specs: readonly InstanceSpec[]): number[] {
    const due: number[] = [];
    for (const spec of specs) {
      const id = spec.id;
      if (this.away(id) || this.frozen.has(id)) continue;
      if (this.ended.has(id)) {
        if (this.finalCheckpoint.has(id)) continue;
        this.finalCheckpoint.add(id);
      }
      due.push(id);
    }
    return due;
  }

  /** The replacement of `id` starts: it runs again, with its input still to come. */
  started(id: number): void {
    this.down.delete(id);
    this.ended.delete(id);
    this.finalCheckpoint.delete(id);
  }
}
