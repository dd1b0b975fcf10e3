// Input channels: duplicates dropped by timestamp, gaps refused, and the resync a
// rebuilding instance (upstream backup) uses to take a channel from its upstream's kept
// buffer.

import { describe, expect, it } from "vitest";
import { type Batch, BatchBuilder } from "../../engine/batch.js";
import { InputChannels } from "../../engine/inputChannels.js";
import { resyncPrevSeq } from "../../engine/outputEdge.js";

function batch(seqs: readonly number[], prevSeq: number, watermarkMs = 0): Batch {
  const b = new BatchBuilder(0);
  for (const q of seqs) b.push(q, q, q);
  return b.build(watermarkMs, prevSeq);
}

describe("InputChannels", () => {
  it("drops what a channel delivered before and refuses a batch after a gap", () => {
    const c = new InputChannels();
    expect([...c.accept(0, 1, batch([1, 2], 0))!.seqs]).toEqual([1, 2]);
    expect([...c.accept(0, 1, batch([1, 2, 4], 0))!.seqs]).toEqual([4]);
    expect(c.accept(0, 1, batch([9], 7))).toBeNull();
    expect(c.receivedSeq(0, 1)).toBe(4);
  });

  it("a resyncing channel drops everything until a resync batch, then goes on from its predecessor", () => {
    const c = new InputChannels();
    c.expect(0, 1);
    c.resync(0, 1);
    expect(c.resyncing(0, 1)).toBe(true);
    // Live output that overtook the replay is dropped (the replay brings it again).
    expect(c.accept(0, 1, batch([20, 21], 19, 50))).toBeNull();
    const first = c.accept(0, 1, batch([12, 15], resyncPrevSeq(10), 30));
    expect([...first!.seqs]).toEqual([12, 15]);
    expect(c.resyncing(0, 1)).toBe(false);
    expect(c.processedSeq(0, 1)).toBe(10);
    expect(c.watermarkMs()).toBe(30);
    expect([...c.accept(0, 1, batch([19, 20, 21], 15, 50))!.seqs]).toEqual([19, 20, 21]);
  });

  it("a resync batch with nothing kept (watermark only) starts the channel after the last tuple sent", () => {
    const c = new InputChannels();
    c.resync(0, 1);
    expect(c.accept(0, 1, batch([], resyncPrevSeq(8), 40))!.length).toBe(0);
    expect(c.receivedSeq(0, 1)).toBe(8);
    expect([...c.accept(0, 1, batch([9], 8, 41))!.seqs]).toEqual([9]);
  });

  it("a channel resyncing over what its state holds (a rebuild from a base) drops it from the resync batch", () => {
    const c = new InputChannels();
    c.restore([{ edge: 0, sender: 1, seq: 10, watermarkMs: 30 }]);
    c.resync(0, 1, c.processedSeq(0, 1));
    expect(c.processedSeq(0, 1)).toBe(10);
    // The upstream still keeps tuples from 7 on: those up to 10 are in the state already.
    expect([...c.accept(0, 1, batch([7, 9, 10, 12], resyncPrevSeq(6), 40))!.seqs]).toEqual([12]);
    expect(c.processedSeq(0, 1)).toBe(10);
    expect(c.receivedSeq(0, 1)).toBe(12);
    // Kept from 15 on (what the mark let go of is older than its horizon): taken from there.
    const d = new InputChannels();
    d.restore([{ edge: 0, sender: 1, seq: 10, watermarkMs: 30 }]);
    d.resync(0, 1, 10);
    expect([...d.accept(0, 1, batch([15, 16], resyncPrevSeq(14), 40))!.seqs]).toEqual([15, 16]);
    expect(d.processedSeq(0, 1)).toBe(14);
  });

  it("a channel that is not resyncing reads a resync batch's predecessor as a plain one", () => {
    const c = new InputChannels();
    c.accept(0, 1, batch([1, 2, 3], 0));
    expect([...c.accept(0, 1, batch([2, 3, 5], resyncPrevSeq(1)))!.seqs]).toEqual([5]);
    expect(c.accept(0, 1, batch([9], resyncPrevSeq(7)))).toBeNull();
  });
});
