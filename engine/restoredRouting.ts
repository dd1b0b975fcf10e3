// Routing state on restore: a backup older than the latest reconfiguration of its
// instance's receivers (a scale out, scale in or parallel recovery re-sliced their key
// groups after the checkpoint) carries routing that is no longer the plan's. The restored
// instance routes by the plan's routing instead, and its buffered tuples go with it: each
// one moves to the receiver that owns its key now, keeping its timestamp, and each
// receiver's channel is re-linked (a batch names its predecessor) so that no receiver sees
// a gap that is not there.
//
// A live scale out's shadows hold copies of tuples their instance's channel holds too (same
// timestamps): each tuple moves once.
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
  // Every buffered tuple in timestamp order (channels of one edge share its timestamps,
  // and their batches interleave), each to its owner's builder: one batch per owner.
  const batches = own.flatMap((c) => c.batches);
  const at: { readonly seq: number; readonly b: number; readonly i: number }[] = [];
  for (let b = 0; b < batches.length; b++)
    for (let i = 0; i < batches[b].length; i++) at.push({ seq: batches[b].seqs[i], b, i });
  at.sort((x, y) => x.seq - y.seq);
  const builders = routing.receivers.map(() => new BatchBuilder(fieldCount));
  // The watermark of the batch each owner's last tuple came from (its sender's event time then).
  const watermarks = routing.receivers.map(() => Number.NEGATIVE_INFINITY);
  let last = Number.NaN;
  for (const { seq, b, i } of at) {
    // A live scale out's shadow holds copies of what its instance was sent: one of each.
    if (seq === last) continue;
    last = seq;
    const slot = router.slotOf(batches[b].keys[i]);
    builders[slot].pushFrom(batches[b], i, batches[b].seqs[i]);
    watermarks[slot] = batches[b].watermarkMs;
  }
  // Each moved-to channel names as predecessor where the earliest buffer began: its
  // receiver drops what it has, and sees no gap that is not there.
  const prevSeq = Math.min(...own.filter((c) => c.batches.length > 0).map((c) => c.batches[0].prevSeq));
  const lists = new Map<number, Batch[]>();
  for (let slot = 0; slot < builders.length; slot++) {
    if (builders[slot].length === 0) continue;
    lists.set(routing.receivers[slot], [builders[slot].build(watermarks[slot], prevSeq)]);
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
