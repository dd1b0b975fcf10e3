// Routing state on restore: a backup older than the latest reconfiguration of its
// instance's receivers (a scale out, scale in or parallel recovery re-sliced their key
// groups after the checkpoint) carries routing that is no longer the plan's. The restored
// instance routes by the plan's routing instead, and its buffered tuples go with it: each
// one moves to the receiver that owns its key now, keeping its timestamp, and each
// receiver's channel is re-linked (a batch names its predecessor) so that no receiver sees
// a gap that is not there.
//
// Invariant: no tuple reaches a receiver that does not own its key group; a receiver
// drops what it has already (timestamps at or below its position), so tuples moved to a
// receiver that took them over at a cut after the checkpoint are harmless.

import { type Batch, BatchBuilder } from "./batch.js";
import type { BufferedChannel, OutputPosition } from "./checkpoint.js";
import { ALL_RECEIVERS, Router, type RoutingState } from "./router.js";

/** An edge's restored output position and buffers, moved over to `routing` (the plan's). */
export function underPlanRouting(
  position: OutputPosition,
  buffered: readonly BufferedChannel[],
  routing: RoutingState,
  fieldCount: number,
): { position: OutputPosition; buffered: BufferedChannel[] } {
  const own = buffered.filter((b) => b.edge === position.edge);
  const others = buffered.filter((b) => b.edge !== position.edge);
  const current = new Set(routing.receivers);
  if (routing.contract !== "key" || own.every((c) => current.has(c.receiver) && ownsAll(routing, c))) {
    return { position: { ...position, routing }, buffered: [...others, ...own] };
  }
  const router = new Router(routing);
  // Every buffered batch in timestamp order (channels of one edge share its timestamps).
  const batches = own.flatMap((c) => c.batches).sort((a, b) => a.firstSeq - b.firstSeq);
  const lists = new Map<number, Batch[]>();
  const builders = routing.receivers.map(() => new BatchBuilder(fieldCount));
  for (const b of batches) {
    // One pass per batch: each tuple to its owner's builder, then one batch per owner.
    for (let i = 0; i < b.length; i++) builders[router.slotOf(b.keys[i])].pushFrom(b, i, b.seqs[i]);
    for (let slot = 0; slot < builders.length; slot++) {
      if (builders[slot].length === 0) continue;
      const r = routing.receivers[slot];
      const list = lists.get(r) ?? [];
      const prev = list.length === 0 ? b.prevSeq : list[list.length - 1].lastSeq;
      list.push(builders[slot].build(b.watermarkMs, Math.min(prev, b.prevSeq)));
      lists.set(r, list);
    }
  }
  // Each channel goes on from its last buffered tuple now (a tuple moved away is not on it
  // any more); a channel whose tuples all moved away, from where its buffer began.
  const sentTo = new Map(position.sentTo.filter(([r]) => current.has(r)));
  for (const c of own)
    if (c.batches.length > 0 && sentTo.has(c.receiver)) sentTo.set(c.receiver, c.batches[0].prevSeq);
  for (const [r, list] of lists) sentTo.set(r, list[list.length - 1].lastSeq);
  const moved = [...lists].map(([receiver, batches]) => ({ edge: position.edge, receiver, batches }));
  return {
    position: { ...position, routing, sentTo: [...sentTo].sort((a, b) => a[0] - b[0]) },
    buffered: [...others, ...moved],
  };
}

function ownerOf(router: Router, key: number): number {
  const slot = router.slotOf(key);
  return slot === ALL_RECEIVERS ? -1 : router.state.receivers[slot];
}

/** True when every tuple buffered on channel `c` belongs to its receiver under `routing`. */
function ownsAll(routing: RoutingState, c: BufferedChannel): boolean {
  const router = new Router(routing);
  for (const b of c.batches)
    for (let i = 0; i < b.length; i++) if (ownerOf(router, b.keys[i]) !== c.receiver) return false;
  return true;
}
