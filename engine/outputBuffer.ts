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
   * them). Returns the number of tuples dropped.
   */
  trim(seq: number): number {
    let dropped = 0;
    while (this.head < this.batches.length) {
      const b = this.batches[this.head];
      if (b.lastSeq <= seq) {
        dropped += b.length;
        this.head++;
        continue;
      }
      if (b.firstSeq <= seq) {
        const rest = b.after(seq);
        dropped += b.length - rest.length;
        this.batches[this.head] = rest;
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
