// Batches: what moves between instances. A batch is a set of parallel columns, so the
// real runtime can ship each column as one byte array without touching single tuples:
// keys, event times and per-edge timestamps (sequence numbers) as Float64Arrays, numeric
// payload fields as Float64Arrays, and an optional column of arbitrary payload values.
//
// A tuple is row i of a batch: (keys[i], eventTimesMs[i], seqs[i], fields[*][i], values[i]).
// Sequence numbers are stamped per (sender instance, output edge) and increase along
// every channel; acks, trimming, replay and duplicate elimination are all in terms of them.
// They are sparse on a channel (an edge's tuples are spread over its receivers), so each
// batch also names the timestamp of the tuple sent before it on the same channel
// (`prevSeq`): a receiver that has not seen that tuple knows a batch went missing.

import type { OutputCut } from "./outputCut.js";

/** An immutable batch of tuples, stored as columns. */
export class Batch {
  constructor(
    /** Number of tuples. */
    readonly length: number,
    /** Integer keys (safe integers; intern strings to integers at the source). */
    readonly keys: Float64Array,
    /** Event time of each tuple, in milliseconds. */
    readonly eventTimesMs: Float64Array,
    /** Per-edge timestamp of each tuple; strictly increasing within a batch. */
    readonly seqs: Float64Array,
    /** Numeric payload columns, each `length` long. */
    readonly fields: readonly Float64Array[],
    /** Arbitrary payload column, or null when no tuple carries one. */
    readonly values: readonly unknown[] | null,
    /** The sender's low watermark when it sent this batch; Infinity marks the end of its stream. */
    readonly watermarkMs: number,
    /** Timestamp of the last tuple sent before this batch on the same channel (0: none). */
    readonly prevSeq: number = 0,
    /** Where the sender stood when it flushed this batch, when it stamps cuts (engine/outputCut.ts). */
    readonly cut: OutputCut | null = null,
  ) {}

  /** A batch with no tuples that only carries a watermark (Infinity: end of stream). */
  static watermark(watermarkMs: number, fieldCount = 0, prevSeq = 0): Batch {
    const none = new Float64Array(0);
    return new Batch(0, none, none, none, new Array(fieldCount).fill(none), null, watermarkMs, prevSeq);
  }

  /** The same tuples in columns of their own (for a batch that views memory reused elsewhere). */
  copy(): Batch {
    const { length, keys, eventTimesMs, seqs, fields, values, watermarkMs, prevSeq, cut } = this;
    return new Batch(
      length,
      keys.slice(),
      eventTimesMs.slice(),
      seqs.slice(),
      fields.map((f) => f.slice()),
      values === null ? null : values.slice(),
      watermarkMs,
      prevSeq,
      cut,
    );
  }

  /** Timestamp of the first tuple, or NaN for an empty batch. */
  get firstSeq(): number {
    return this.length === 0 ? Number.NaN : this.seqs[0];
  }

  /** Timestamp of the last tuple, or NaN for an empty batch. */
  get lastSeq(): number {
    return this.length === 0 ? Number.NaN : this.seqs[this.length - 1];
  }

  /** Rows [from, to) as a new batch that shares this batch's memory (no copy). */
  slice(from: number, to: number = this.length): Batch {
    from = Math.max(0, from);
    to = Math.min(this.length, to);
    if (from === 0 && to === this.length) return this;
    const n = Math.max(0, to - from);
    return new Batch(
      n,
      this.keys.subarray(from, from + n),
      this.eventTimesMs.subarray(from, from + n),
      this.seqs.subarray(from, from + n),
      this.fields.map((f) => f.subarray(from, from + n)),
      this.values === null ? null : this.values.slice(from, from + n),
      this.watermarkMs,
      from === 0 ? this.prevSeq : this.seqs[from - 1],
      this.cut,
    );
  }

  /** Index of the first tuple whose timestamp is greater than `seq` (binary search). */
  indexAfter(seq: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seqs[mid] <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The tuples whose timestamp is greater than `seq`. */
  after(seq: number): Batch {
    return this.slice(this.indexAfter(seq));
  }

  /** The same tuples under another watermark and channel predecessor. */
  with(watermarkMs: number, prevSeq: number): Batch {
    if (watermarkMs === this.watermarkMs && prevSeq === this.prevSeq) return this;
    const { length, keys, eventTimesMs, seqs, fields, values, cut } = this;
    return new Batch(length, keys, eventTimesMs, seqs, fields, values, watermarkMs, prevSeq, cut);
  }

  /** The same tuples stamped with the sender's cut. */
  withCut(cut: OutputCut): Batch {
    const { length, keys, eventTimesMs, seqs, fields, values, watermarkMs, prevSeq } = this;
    return new Batch(length, keys, eventTimesMs, seqs, fields, values, watermarkMs, prevSeq, cut);
  }
}

const INITIAL_CAPACITY = 64;

function grow(a: Float64Array, capacity: number): Float64Array {
  const b = new Float64Array(capacity);
  b.set(a);
  return b;
}

/**
 * Appends tuples column by column and hands out immutable batches. Appending does not
 * allocate per tuple (columns double when full); `build` gives the columns away and
 * starts fresh ones, so a built batch is never written again.
 */
export class BatchBuilder {
  private keys: Float64Array;
  private times: Float64Array;
  private seqs: Float64Array;
  private cols: Float64Array[];
  private vals: unknown[] | null = null;
  private capacity: number;
  /** Number of tuples appended since the last build. */
  length = 0;

  constructor(
    /** Number of numeric payload columns. */
    readonly fieldCount = 0,
    capacity = INITIAL_CAPACITY,
  ) {
    this.capacity = capacity;
    this.keys = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
    this.seqs = new Float64Array(capacity);
    this.cols = Array.from({ length: fieldCount }, () => new Float64Array(capacity));
  }

  /** Double the columns' capacity (kept out of `push`, so that `push` stays small enough to inline). */
  private grow(): void {
    const capacity = Math.max(INITIAL_CAPACITY, this.capacity * 2);
    this.keys = grow(this.keys, capacity);
    this.times = grow(this.times, capacity);
    this.seqs = grow(this.seqs, capacity);
    for (let c = 0; c < this.cols.length; c++) this.cols[c] = grow(this.cols[c], capacity);
    this.capacity = capacity;
  }

  /** Append one tuple; `row` holds its numeric fields (at least `fieldCount` of them). */
  push(key: number, eventTimeMs: number, seq: number, value?: unknown, row?: ArrayLike<number>): void {
    const i = this.length;
    if (i === this.capacity) this.grow();
    this.keys[i] = key;
    this.times[i] = eventTimeMs;
    this.seqs[i] = seq;
    const cols = this.cols;
    if (cols.length > 0) {
      if (row === undefined) throw new TypeError(`this port has ${cols.length} numeric fields; pass a row`);
      for (let c = 0; c < cols.length; c++) cols[c][i] = row[c];
    }
    if (value !== undefined || this.vals !== null) this.pushValue(i, value);
    this.length = i + 1;
  }

  /**
   * Append `length` tuples given as columns (keys, event times, at least `fieldCount` field
   * columns), without values; the first under timestamp `firstSeq`, each next one more.
   */
  pushColumns(
    length: number,
    keys: Float64Array,
    eventTimesMs: Float64Array,
    firstSeq: number,
    fields: readonly Float64Array[],
  ): void {
    const cols = this.cols;
    if (fields.length < cols.length)
      throw new TypeError(
        `this port has ${cols.length} numeric fields; pass as many columns, not ${fields.length}`,
      );
    const at = this.length;
    while (at + length > this.capacity) this.grow();
    this.keys.set(keys.subarray(0, length), at);
    this.times.set(eventTimesMs.subarray(0, length), at);
    const seqs = this.seqs;
    for (let i = 0; i < length; i++) seqs[at + i] = firstSeq + i;
    for (let c = 0; c < cols.length; c++) cols[c].set(fields[c].subarray(0, length), at);
    if (this.vals !== null) for (let i = 0; i < length; i++) this.vals.push(undefined);
    this.length = at + length;
  }

  /** Append tuple `i`'s value (undefined: none) to the values column, making it at the first value. */
  private pushValue(i: number, value: unknown): void {
    if (this.vals === null) this.vals = new Array(i).fill(undefined);
    this.vals.push(value);
  }

  /** Append row `i` of `batch` under a new timestamp (used when re-routing a replay). */
  pushFrom(batch: Batch, i: number, seq: number): void {
    const j = this.length;
    if (j === this.capacity) this.grow();
    this.keys[j] = batch.keys[i];
    this.times[j] = batch.eventTimesMs[i];
    this.seqs[j] = seq;
    for (let c = 0; c < this.cols.length; c++) this.cols[c][j] = batch.fields[c][i];
    const value = batch.values === null ? undefined : batch.values[i];
    if (value !== undefined || this.vals !== null) this.pushValue(j, value);
    this.length = j + 1;
  }

  /** Forget the tuples appended since the last build. */
  clear(): void {
    this.vals = null;
    this.length = 0;
  }

  /**
   * The tuples appended so far as a batch that views the builder's columns (no copy),
   * valid only until the next tuple is appended; the builder starts empty again. For a
   * batch handed to a transport that copies it out at once (Transport.copiesBatches).
   */
  view(watermarkMs: number, prevSeq = 0): Batch {
    return this.handOut(false, watermarkMs, prevSeq);
  }

  /**
   * The tuples appended so far, as an exact-size batch (one memcpy per column); the
   * builder keeps its columns and starts empty again.
   */
  build(watermarkMs: number, prevSeq = 0): Batch {
    return this.handOut(true, watermarkMs, prevSeq);
  }

  /** The tuples appended so far as a batch, in copies of the columns or views of them; then start empty. */
  private handOut(copy: boolean, watermarkMs: number, prevSeq: number): Batch {
    const n = this.length;
    const part = (c: Float64Array) => (copy ? c.slice(0, n) : c.subarray(0, n));
    const batch = new Batch(
      n,
      part(this.keys),
      part(this.times),
      part(this.seqs),
      this.cols.map(part),
      this.vals,
      watermarkMs,
      prevSeq,
    );
    this.vals = null;
    this.length = 0;
    return batch;
  }
}
