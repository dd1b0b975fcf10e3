// Input positions of one instance: per channel (edge, sender), the timestamp of the last
// tuple received and of the last processed, and the sender's watermark. Receiving drops
// whatever a channel has delivered before, which makes replays idempotent; the
// instance's event time is the lowest watermark over its channels.

import type { Batch } from "./batch.js";
import type { ChannelPosition } from "./checkpoint.js";

/** The received position of a channel waiting for a resync batch. */
const RESYNC = -1;

/** Channel positions and watermarks of one instance. */
export class InputChannels {
  private readonly index = new Map<number, number>();
  private readonly edges: number[] = [];
  private readonly senders: number[] = [];
  private received: number[] = [];
  private processed: number[] = [];
  private watermarks: number[] = [];

  private static keyOf(edge: number, sender: number): number {
    return edge * 0x100000 + sender;
  }

  /** Declare a channel this instance receives from (its watermark counts from now on). */
  expect(edge: number, sender: number): number {
    const key = InputChannels.keyOf(edge, sender);
    const known = this.index.get(key);
    if (known !== undefined) return known;
    const i = this.edges.length;
    this.index.set(key, i);
    this.edges.push(edge);
    this.senders.push(sender);
    this.received.push(0);
    this.processed.push(0);
    this.watermarks.push(Number.NEGATIVE_INFINITY);
    return i;
  }

  /** Stop waiting for a channel's watermark (its sender was removed by a reconfiguration). */
  forget(edge: number, sender: number): void {
    const i = this.index.get(InputChannels.keyOf(edge, sender));
    if (i !== undefined) this.watermarks[i] = Number.POSITIVE_INFINITY;
  }

  /** Number of channels. */
  get count(): number {
    return this.edges.length;
  }

  /**
   * Take in a batch from a channel: returns the tuples not delivered before (possibly
   * none) and updates the channel's watermark and received position; returns null, and
   * changes nothing, when an earlier batch of the channel is missing (a replay will
   * bring both).
   */
  accept(edge: number, sender: number, batch: Batch): Batch | null {
    const i = this.expect(edge, sender);
    let prev = batch.prevSeq;
    if (prev < 0) {
      // A resync batch (outputEdge.ts): its predecessor is -(prev + 1); a channel being
      // rebuilt starts after it.
      prev = -prev - 1;
      if (this.received[i] === RESYNC) {
        // What the channel already holds (a rebuild from a base) is dropped.
        const from = Math.max(prev, this.processed[i]);
        this.received[i] = from;
        this.processed[i] = from;
      }
    }
    const seen = this.received[i];
    if (seen === RESYNC || prev > seen) return null;
    if (batch.watermarkMs > this.watermarks[i]) this.watermarks[i] = batch.watermarkMs;
    if (batch.length === 0) return batch;
    const fresh =
      batch.lastSeq <= seen ? batch.slice(0, 0) : batch.firstSeq > seen ? batch : batch.after(seen);
    if (fresh.length > 0) this.received[i] = fresh.lastSeq;
    return fresh;
  }

  /**
   * Take the channel from the next resync batch on (a rebuilding instance does not know
   * where its upstream's kept buffer starts); everything before that batch is dropped, and
   * so is everything up to `heldSeq` (what the instance's state already reflects).
   */
  resync(edge: number, sender: number, heldSeq = 0): void {
    const i = this.expect(edge, sender);
    this.received[i] = RESYNC;
    this.processed[i] = heldSeq;
    this.watermarks[i] = Number.NEGATIVE_INFINITY;
  }

  /** True while a channel waits for its resync batch. */
  resyncing(edge: number, sender: number): boolean {
    const i = this.index.get(InputChannels.keyOf(edge, sender));
    return i !== undefined && this.received[i] === RESYNC;
  }

  /** Record that the operator has processed `batch` of channel (edge, sender). */
  markProcessed(edge: number, sender: number, batch: Batch): void {
    if (batch.length === 0) return;
    const i = this.expect(edge, sender);
    if (batch.lastSeq > this.processed[i]) this.processed[i] = batch.lastSeq;
  }

  /** The lowest watermark over all channels (-Infinity before every channel was heard). */
  watermarkMs(): number {
    let w = Number.POSITIVE_INFINITY;
    for (const x of this.watermarks) if (x < w) w = x;
    return this.watermarks.length === 0 ? Number.NEGATIVE_INFINITY : w;
  }

  /** Processed positions, sorted by (edge, sender): what a checkpoint reflects. */
  positions(): ChannelPosition[] {
    return this.edges
      .map((edge, i) => ({
        edge,
        sender: this.senders[i],
        seq: this.processed[i],
        watermarkMs: this.watermarks[i],
      }))
      .sort((a, b) => a.edge - b.edge || a.sender - b.sender);
  }

  /**
   * Reset every channel to checkpointed positions: later deliveries after them are taken.
   * A channel this instance was not deployed to expect (its sender left the plan since the
   * checkpoint: merged away, or replaced by a parallel recovery) is ended: nothing more
   * comes on it, and its watermark no longer holds the instance's event time back.
   */
  restore(positions: readonly ChannelPosition[]): void {
    for (const p of positions) {
      const known = this.index.has(InputChannels.keyOf(p.edge, p.sender));
      const i = this.expect(p.edge, p.sender);
      this.received[i] = p.seq;
      this.processed[i] = p.seq;
      this.watermarks[i] = known ? p.watermarkMs : Number.POSITIVE_INFINITY;
    }
  }

  /** The received position of a channel (0 when nothing was received). */
  receivedSeq(edge: number, sender: number): number {
    const i = this.index.get(InputChannels.keyOf(edge, sender));
    return i === undefined ? 0 : this.received[i];
  }

  /** True once a channel's sender ended its stream (its watermark is Infinity). */
  ended(edge: number, sender: number): boolean {
    const i = this.index.get(InputChannels.keyOf(edge, sender));
    return i !== undefined && this.watermarks[i] === Number.POSITIVE_INFINITY;
  }

  /** The processed position of a channel (0 when nothing was processed). */
  processedSeq(edge: number, sender: number): number {
    const i = this.index.get(InputChannels.keyOf(edge, sender));
    return i === undefined ? 0 : this.processed[i];
  }
}
