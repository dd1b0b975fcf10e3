// A digest of what the sinks received, for comparing runs that must agree on results
// but may interleave keys differently (another parallelism, a recovery, a scale out).
// Order matters only within one (sink operator, key): each such stream folds a canonical
// encoding of its records, (event time, value), into its own running 64-bit hash, and
// the digest hashes those per-stream hashes sorted by (sink, key). Numbers and strings
// are folded in directly; only arrays and objects are walked, so a record costs a few
// map lookups and integer operations.
// A snapshot (`snapshot`, `restore`) holds the per-stream hashes as they are, so a digest
// restored from one and fed the records after it ends as the uninterrupted digest does: a
// run's new coordinator goes on from the old one's last snapshot. It is compact: each sink's
// name once with its stream count, then four columns over all streams (key, both lanes,
// record count), 24 bytes a stream.

import { fmix32 } from "../hash.js";
import { hex32, lane1Step, lane2Step } from "./hash64.js";
import {
  OutputStateError,
  restoreOf,
  SnapshotKind,
  type SnapshotReader,
  type SnapshotWriter,
  snapshotOf,
} from "./snapshotBytes.js";

// Scratch float for reading the two 32-bit words of a number.
const scratch = new Float64Array(1);
const scratchWords = new Int32Array(scratch.buffer);
const LOW_WORD = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : 1;

// Type tags of the canonical encoding; every encoded value is self-delimiting.
const TAG_UNDEFINED = 1;
const TAG_NULL = 2;
const TAG_FALSE = 3;
const TAG_TRUE = 4;
const TAG_NUMBER = 5;
const TAG_STRING = 6;
const TAG_ARRAY = 7;
const TAG_OBJECT = 8;
const TAG_BIGINT = 9;
const RECORD_MARK = 0x5eed;

/** Order-insensitive across keys, order-sensitive within a key: a digest of sink output. */
export class OutputDigest {
  // sink operator -> key -> slot in the lane arrays.
  private readonly slots = new Map<string, Map<number, number>>();
  private lane1 = new Int32Array(256);
  private lane2 = new Int32Array(256);
  private records = new Float64Array(256);
  private used = 0;
  private total = 0;
  // Lanes of the stream being folded into.
  private h1 = 0;
  private h2 = 0;

  /** Fold one record a sink received into the stream of (sinkOperator, key). */
  add(sinkOperator: string, key: number, eventTimeMs: number, value: unknown): void {
    let keys = this.slots.get(sinkOperator);
    if (keys === undefined) {
      keys = new Map();
      this.slots.set(sinkOperator, keys);
    }
    let slot = keys.get(key);
    if (slot === undefined) {
      slot = this.newSlot();
      keys.set(key, slot);
    }
    this.h1 = this.lane1[slot];
    this.h2 = this.lane2[slot];
    this.word(RECORD_MARK);
    this.number(eventTimeMs);
    this.value(value);
    this.lane1[slot] = this.h1;
    this.lane2[slot] = this.h2;
    this.records[slot]++;
    this.total++;
  }

  /** Number of records added. */
  get count(): number {
    return this.total;
  }

  /** The digest as 16 hex digits: equal for equal per-(sink, key) sequences, whatever the interleaving. */
  digest(): string {
    this.h1 = 0x3c6ef372;
    this.h2 = 0x0bb67ae8 | 0;
    const sinks = [...this.slots.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    for (const sink of sinks) {
      const keys = this.slots.get(sink)!;
      this.string(sink);
      this.word(keys.size);
      for (const key of [...keys.keys()].sort((x, y) => x - y)) {
        const slot = keys.get(key)!;
        this.number(key);
        this.number(this.records[slot]);
        this.word(fmix32(this.lane1[slot]));
        this.word(fmix32(this.lane2[slot] ^ 0x27d4eb2f));
      }
    }
    this.number(this.total);
    let h1 = fmix32(this.h1);
    let h2 = fmix32(this.h2);
    h1 = (h1 + h2) | 0;
    h2 = (h2 + h1) | 0;
    return hex32(h1) + hex32(h2);
  }

  /** The digest's state as bytes, for `OutputDigest.restore`. */
  snapshot(): Uint8Array {
    return snapshotOf(SnapshotKind.outputDigest, (w) => this.writeSnapshot(w));
  }

  /** A digest that goes on exactly where the one whose `snapshot()` gave `bytes` stood. */
  static restore(bytes: Uint8Array): OutputDigest {
    return restoreOf(bytes, SnapshotKind.outputDigest, OutputDigest.readSnapshot);
  }

  /** Write the state into a snapshot under way (./outputState.ts bundles it with others). */
  writeSnapshot(w: SnapshotWriter): void {
    const n = this.used;
    const keys = new Float64Array(n);
    const lane1 = new Int32Array(n);
    const lane2 = new Int32Array(n);
    const records = new Float64Array(n);
    w.f64(this.total);
    w.u32(this.slots.size);
    let at = 0;
    for (const [sink, streams] of this.slots) {
      w.string(sink);
      w.u32(streams.size);
      for (const [key, slot] of streams) {
        keys[at] = key;
        lane1[at] = this.lane1[slot];
        lane2[at] = this.lane2[slot];
        records[at] = this.records[slot];
        at++;
      }
    }
    for (const column of [keys, lane1, lane2, records]) w.array(column);
  }

  /** Read a digest's state that `writeSnapshot` wrote. */
  static readSnapshot(r: SnapshotReader): OutputDigest {
    const total = r.f64("digest record count");
    const sinkCount = r.count("digest sinks", 8);
    const sinks: [string, number][] = [];
    let n = 0;
    for (let i = 0; i < sinkCount; i++) {
      const sink = r.string("digest sink name");
      const streams = r.count(`streams of sink ${sink}`, 24);
      sinks.push([sink, streams]);
      n += streams;
    }
    const capacity = Math.max(256, n);
    const keys = r.f64s(n, "digest stream keys");
    const d = new OutputDigest();
    d.lane1 = r.i32s(n, "digest lane 1", capacity);
    d.lane2 = r.i32s(n, "digest lane 2", capacity);
    d.records = r.f64s(n, "digest record counts", capacity);
    d.used = n;
    d.total = total;
    let slot = 0;
    for (const [sink, count] of sinks) {
      if (d.slots.has(sink)) throw new OutputStateError(`the digest names sink ${sink} twice`);
      const streams = new Map<number, number>();
      for (const end = slot + count; slot < end; slot++) streams.set(keys[slot], slot);
      if (streams.size !== count) throw new OutputStateError(`the digest repeats a key of sink ${sink}`);
      d.slots.set(sink, streams);
    }
    let sum = 0;
    for (let i = 0; i < n; i++) sum += d.records[i];
    if (sum !== total)
      throw new OutputStateError(`the digest's streams hold ${sum} records, its total says ${total}`);
    return d;
  }

  private newSlot(): number {
    if (this.used === this.lane1.length) {
      const n = this.used * 2;
      this.lane1 = copyInto(this.lane1, new Int32Array(n));
      this.lane2 = copyInto(this.lane2, new Int32Array(n));
      this.records = copyInto(this.records, new Float64Array(n));
    }
    const slot = this.used++;
    this.lane1[slot] = 0x9747b28c | 0;
    this.lane2[slot] = 0x5bd1e995;
    return slot;
  }

  /** Fold a 32-bit word into both lanes (murmur3's block step, with other constants in lane 2). */
  private word(w: number): void {
    this.h1 = lane1Step(this.h1, w);
    this.h2 = lane2Step(this.h2, w);
  }

  /** Fold a number's 64 bits; -0 counts as 0 and every NaN as the same NaN. */
  private number(n: number): void {
    if (Number.isNaN(n)) {
      this.word(0);
      this.word(0x7ff80000);
      return;
    }
    scratch[0] = n === 0 ? 0 : n;
    this.word(scratchWords[LOW_WORD]);
    this.word(scratchWords[1 - LOW_WORD]);
  }

  /** Fold a string's length, then its UTF-16 code units two to a word. */
  private string(s: string): void {
    const n = s.length;
    this.word(n);
    let i = 0;
    for (; i + 1 < n; i += 2) this.word(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
    if (i < n) this.word(s.charCodeAt(i));
  }

  /**
   * Fold a JSON-like value: undefined, null, booleans, numbers, bigints, strings, arrays,
   * typed arrays (as arrays of numbers) and plain objects (keys sorted; a property whose
   * value is undefined counts as absent, as in JSON). Anything else is refused.
   */
  private value(v: unknown): void {
    switch (typeof v) {
      case "number":
        this.word(TAG_NUMBER);
        this.number(v);
        return;
      case "string":
        this.word(TAG_STRING);
        this.string(v);
        return;
      case "undefined":
        this.word(TAG_UNDEFINED);
        return;
      case "boolean":
        this.word(v ? TAG_TRUE : TAG_FALSE);
        return;
      case "bigint":
        this.word(TAG_BIGINT);
        this.string(v.toString());
        return;
      case "object":
        this.object(v);
        return;
      default:
        throw new TypeError(`cannot digest a sink value of type ${typeof v}`);
    }
  }

  private object(v: object | null): void {
    if (v === null) {
      this.word(TAG_NULL);
      return;
    }
    if (Array.isArray(v)) {
      this.word(TAG_ARRAY);
      this.word(v.length);
      for (const item of v) this.value(item);
      return;
    }
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const items = v as unknown as ArrayLike<number | bigint>;
      this.word(TAG_ARRAY);
      this.word(items.length);
      for (let i = 0; i < items.length; i++) this.value(items[i]);
      return;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`cannot digest a sink value of class ${v.constructor?.name ?? "unknown"}`);
    }
    const record = v as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    this.word(TAG_OBJECT);
    this.word(keys.length);
    for (const k of keys) {
      this.string(k);
      this.value(record[k]);
    }
  }
}

function copyInto<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
