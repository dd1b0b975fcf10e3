// SEEP's four state management primitives, as verbs on operator state. Scale out and
// failure recovery (later: engine protocols) are compositions of these.
//
//   checkpoint  consistent copy of processing, routing and buffer state, with timestamps
//   backup      hand the copy to its holder, which trims the output buffer it covers
//   restore     install a copy into a fresh instance
//   partition   split a copy by key-group ranges (and merge, its inverse)

import type { Checkpoint } from "./checkpoint.js";
import type { ControlMessage } from "./control.js";
import type { Instance } from "./instance.js";
import { instanceById, type PhysicalPlan, sendersOf } from "./physicalPlan.js";

export { merge, partition } from "./checkpoint.js";

/** Take a complete checkpoint of `instance` now. */
export function checkpoint<V>(instance: Instance<V>, id: number): Checkpoint<V> {
  return instance.checkpoint(id);
}

/** Hand `cp` to `holder`, which keeps it and trims its output buffer to what `cp` reflects. */
export function backup(cp: Checkpoint, holder: Instance): void {
  holder.handle({ type: "backup", checkpoint: cp });
}

/** Install `cp` into a fresh instance (one that has not started). */
export function restore(cp: Checkpoint, into: Instance): void {
  into.handle({ type: "restore", checkpoint: cp });
}

/**
 * The acks a checkpoint releases: one per upstream channel, telling the sender it may
 * trim its buffer to the checkpoint's position (the holder trims on `backup` itself).
 */
export function acksOf(cp: Checkpoint): { to: number; message: ControlMessage }[] {
  return cp.inputs
    .filter((p) => p.seq > 0)
    .map((p) => ({
      to: p.sender,
      message: { type: "ack", edge: p.edge, receiver: cp.instance, seq: p.seq },
    }));
}

/**
 * SEEP's choice of backup holder: one of the instance's upstream instances, picked by a
 * stable function of the instance id so that backups spread over the upstreams. Returns
 * -1 for a source (whose state is its position and is kept by the coordinator).
 */
export function backupHolder(plan: PhysicalPlan, instance: number): number {
  const spec = instanceById(plan, instance);
  const upstreams = plan.logical.edges
    .filter((e) => e.to === spec.operator)
    .flatMap((e) => sendersOf(plan, e, spec).map((s) => s.id));
  const unique = [...new Set(upstreams)].sort((a, b) => a - b);
  return unique.length === 0 ? -1 : unique[instance % unique.length];
}
