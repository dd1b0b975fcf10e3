// Canonical input order: an instance with several input channels hands its operator the
// tuples of all channels merged in one order that depends only on the channels' tuple
// sequences, never on when batches arrived or how they were cut. This is what makes a
// replay after a failure regenerate exactly the same output (tuple for tuple, timestamp
// for timestamp), so that receivers can drop duplicates by timestamp alone.
//
// The order is a k-way merge by (event time, channel rank), each channel taken in its own
// timestamp order. A tuple is released only once the instance's low watermark W (the
// lowest watermark over all channels) has passed it: every channel promises that what it
// sends later has an event time of at least its watermark, so nothing that would sort
// before a tuple with event time < W can still arrive. Releasing stops at the first head
// that is not below W; a later, higher W resumes the same merge, so the released sequence
// is the same however W advanced. A channel that breaks its promise (a tuple older than
// a watermark it sent) has it counted as late and delivered as soon as it is a head.

import type { Batch } from "./batch.js";

/** Where released tuples go: one run of consecutive tuples of one channel at a time. */
export type MergeSink = (edge: number, sender: number, run: Batch) => void;

interface Channel {
  readonly edge: number;
  readonly sender: number;
  /** Ties in event time go to the lower rank: (edge, sender) order. */
  readonly rank: number;
  readonly queue: Batch[];
  /** Index of the head batch in `queue`. */
  head: number;
  /** Offset of the head tuple in the head batch. */
  offset: number;
  /** Highest watermark seen on the channel. */
  watermarkMs: number;
}

/** The k-way merge of an instance's input channels. */
export class InputMerge {
  private readonly channels: Channel[] = [];
  private readonly byKey = new Map<number, Channel>();
  /** Tuples queued and not yet released. */
  heldTuples = 0;
  /** Tuples that arrived with an event time below a watermark their channel had sent. */
  lateTuples = 0;

  /** Queue the fresh tuples of a batch of channel (edge, sender). */
  push(edge: number, sender: number, batch: Batch): void {
    const c = this.channel(edge, sender);
    if (batch.length > 0) {
      const times = batch.eventTimesMs;
      for (let i = 0; i < batch.length; i++) if (times[i] < c.watermarkMs) this.lateTuples++;
      c.queue.push(batch);
      this.heldTuples += batch.length;
    }
    if (batch.watermarkMs > c.watermarkMs) c.watermarkMs = batch.watermarkMs;
  }

  private channel(edge: number, sender: number): Channel {
    const key = edge * 0x100000 + sender;
    let c = this.byKey.get(key);
    if (c === undefined) {
      c = { edge, sender, rank: key, queue: [], head: 0, offset: 0, watermarkMs: Number.NEGATIVE_INFINITY };
      this.byKey.set(key, c);
      this.channels.push(c);
    }
    return c;
  }

  /**
   * Release, in canonical order, every queued tuple that sorts before the first tuple
   * with an event time of at least `watermarkMs`. Returns the number released.
   */
  release(watermarkMs: number, sink: MergeSink): number {
    let released = 0;
    for (;;) {
      // The channel with the least head, and the least head among the others.
      let best: Channel | null = null;
      let bestTime = Number.POSITIVE_INFINITY;
      let nextTime = Number.POSITIVE_INFINITY;
      let nextRank = Number.POSITIVE_INFINITY;
      for (const c of this.channels) {
        if (c.head >= c.queue.length) continue;
        const t = c.queue[c.head].eventTimesMs[c.offset];
        if (best === null || t < bestTime || (t === bestTime && c.rank < best.rank)) {
          if (best !== null) {
            nextTime = bestTime;
            nextRank = best.rank;
          }
          best = c;
          bestTime = t;
        } else if (t < nextTime || (t === nextTime && c.rank < nextRank)) {
          nextTime = t;
          nextRank = c.rank;
        }
      }
      if (best === null || !(bestTime < watermarkMs)) return released;
      // The run: tuples of `best` that stay below W and sort before the other channels' heads.
      const batch = best.queue[best.head];
      const times = batch.eventTimesMs;
      const bound = Math.min(watermarkMs, nextTime);
      const tieOk = best.rank < nextRank;
      let end = best.offset + 1;
      while (end < batch.length) {
        const t = times[end];
        if (t < bound || (t === nextTime && tieOk && t < watermarkMs)) end++;
        else break;
      }
      const run = batch.slice(best.offset, end);
      if (end >= batch.length) {
        best.queue[best.head] = undefined as unknown as Batch;
        best.head++;
        best.offset = 0;
        if (best.head === best.queue.length) {
          best.queue.length = 0;
          best.head = 0;
        }
      } else {
        best.offset = end;
      }
      released += run.length;
      this.heldTuples -= run.length;
      sink(best.edge, best.sender, run);
    }
  }

  /** The earliest event time among the held tuples of channel (edge, sender) (Infinity: none). */
  minHeldTimeMs(edge: number, sender: number): number {
    const c = this.byKey.get(edge * 0x100000 + sender);
    let t = Number.POSITIVE_INFINITY;
    if (c === undefined) return t;
    for (let b = c.head; b < c.queue.length; b++) {
      const times = c.queue[b].eventTimesMs;
      for (let i = b === c.head ? c.offset : 0; i < times.length; i++) if (times[i] < t) t = times[i];
    }
    return t;
  }

  /** Forget everything queued (the instance was restored from a checkpoint). */
  clear(): void {
    for (const c of this.channels) {
      c.queue.length = 0;
      c.head = 0;
      c.offset = 0;
      c.watermarkMs = Number.NEGATIVE_INFINITY;
    }
    this.heldTuples = 0;
  }
}
