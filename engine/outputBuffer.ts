// Buffer state: the tuples an instance has sent on one channel (edge, receiver) that
// the receiver's checkpoints do not yet cover. Batches are immutable, so a snapshot of
// a buffer is a copy of an array of references, and trimming a partly acked batch
// keeps a view of its tail.

import type { Batch } from "./batch.js";

/** The output buffer of one channel: sent batches in timestamp order. */
export class OutputBuffer {
  private batches: Batch[] = [];
  private head = 0;
  private tuples = 0;

  constructor(initial: readonly Batch[] = []) {
    for (const b of initial) this.append(b);
  }

  /** Number of tuples held. */
  get length(): number {
    return this.tuples;
  }

  /** Timestamp of the newest tuple held, or NaN when empty. */
  get lastSeq(): number {
    return this.head < this.batches.length ? this.batches[this.batches.length - 1].lastSeq : Number.NaN;
  }

  /** Keep a sent batch; its timestamps must follow those already held. */
  append(batch: Batch): void {
    if (batch.length === 0) return;
    const last = this.lastSeq;
    if (batch.firstSeq <= last) {
      throw new RangeError(`batch starting at ${batch.firstSeq} does not follow timestamp ${last}`);
    }
    this.batches.push(batch);
    this.tuples += batch.length;
  }

  /**
   * Drop every tuple whose timestamp is at most `seq` (the receiver has checkpointed
   * them). With `beforeTimeMs`, drop only the leading run of those tuples whose event
   * times are before it (upstream backup: the receiver's state no longer depends on
   * them). Returns the number of tuples dropped.
   */
  trim(seq: number, beforeTimeMs: number = Number.POSITIVE_INFINITY): number {
    let dropped = 0;
    while (this.head < this.batches.length) {
      const b = this.batches[this.head];
      let n = 0;
      if (beforeTimeMs === Number.POSITIVE_INFINITY) {
        if (b.lastSeq <= seq) n = b.length;
        else while (n < b.length && b.seqs[n] <= seq) n++;
      } else {
        while (n < b.length && b.seqs[n] <= seq && b.eventTimesMs[n] < beforeTimeMs) n++;
      }
      if (n === b.length) {
        dropped += n;
        this.head++;
        continue;
      }
      if (n > 0) {
        this.batches[this.head] = b.slice(n).with(b.watermarkMs, b.seqs[n - 1]);
        dropped += n;
      }
      break;
    }
    this.tuples -= dropped;
    if (this.head > 64 && this.head * 2 > this.batches.length) {
      this.batches = this.batches.slice(this.head);
      this.head = 0;
    }
    return dropped;
  }

  /** Timestamp of the oldest tuple held, or NaN when empty. */
  get firstSeq(): number {
    return this.head < this.batches.length ? this.batches[this.head].firstSeq : Number.NaN;
  }

  /** The tuples whose timestamp is greater than `seq`, in order (for replay). */
  replayFrom(seq: number): Batch[] {
    const out: Batch[] = [];
    for (let i = this.head; i < this.batches.length; i++) {
      const b = this.batches[i];
      if (b.lastSeq <= seq) continue;
      out.push(b.firstSeq > seq ? b : b.after(seq));
    }
    return out;
  }

  /** The batches held now; later appends and trims do not change the returned array. */
  snapshot(): Batch[] {
    return this.batches.slice(this.head);
  }
}
