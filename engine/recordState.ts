// Keyed state as records: for an operator whose state per key is a fixed number of numbers
// (its `recordWidth`), the values live in typed arrays instead of one object per key, so
// that what the fault-tolerance and scaling primitives do to state costs about a memcpy:
//
//   layout      per key group of the instance's range: one Float64Array of rows, row r at
//               r * stride holding the key then the record's fields (stride = width + 1: a
//               record of 7 numbers and its key are one 64-byte cache line, so that a
//               tuple's find, reads and writes touch one line beside the index's), an
//               open-addressing index from key to row (Int32Array, row + 1, linear probing,
//               load <= 1/2, built on first use), and a Map of "extras" for the rare key
//               whose state does not fit its record (any value, carried through the
//               operator's StateCodec).
//   checkpoint  beginCopy takes the snapshot at once: every group's rows are shared with it
//               (subarray views, nothing copied) and marked shared; the first write to a
//               shared group copies that group (a memcpy of its rows, its extras cloned)
//               before changing it. copyStep only walks the groups, counting their keys
//               against the step's budget, so that a runtime's chunked copy (and the
//               simulator's cost of it) is accounted as for a KeyedState.
//   restore     the snapshot's rows are taken as they are (shared: copied on first write);
//               a group's index is rebuilt when the group is first used. A snapshot decoded
//               for one restore alone (adoptable) was decoded into rows of its own, with
//               room to grow and their index built (`ownedRecordGroup`, as the chunks came
//               in): the restore adopts them, and nothing is copied or indexed after it.
//   partition   whole key groups (StateSnapshot.partition); encode and decode turn rows into
//               columns and back (checkpointCodec.ts: on the wire a column that holds one
//               value throughout goes as that value).
//
// Invariants: a shared array is never written; a snapshot's groups never change; rows are
// dense (a removal moves the group's last row into the hole), so a row handle is valid only
// until the next insert or removal in its group. A handle is the key group's index times
// 2^32 plus the row's offset in its group's rows (row * stride), so that a field is one add.

import { type KeyGroupRange, keyGroupOf } from "./keyGroups.js";
import { type RecordGroupSnapshot, StateSnapshot } from "./stateSnapshot.js";

/** How the extras of a group are copied when a shared group is first written (default: identity). */
export type CloneExtra = (value: unknown) => unknown;

const TWO_32 = 4294967296;
const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

/** A hash of a key's 64 bits, for the index within a key group (independent of keyGroupOf's). */
function slotHash(key: number): number {
  // Other keys than 32-bit integers out of line, so that this inlines (as hashKey).
  let h = (key | 0) === key ? Math.imul(key, 0x85ebca6b) : wideSlotHash(key);
  h ^= h >>> 15;
  return Math.imul(h, 0xc2b2ae35) ^ (h >>> 13);
}

/** slotHash's first step for a key that is not a 32-bit integer: its two words mixed. */
function wideSlotHash(key: number): number {
  scratch[0] = key;
  return Math.imul(scratchWords[0] ^ Math.imul(scratchWords[1], 0x9e3779b1), 0x85ebca6b);
}

/** Rows of room an owned group is decoded with, beyond its rows: a quarter more, at least 8 in all. */
function roomFor(count: number): number {
  return Math.max(8, Math.ceil(count * 1.25));
}

/** An index of the first `count` rows (keys at r * stride) for a capacity of `capacity` rows (load <= 1/2). */
function indexOf(rows: Float64Array, stride: number, count: number, capacity: number): Int32Array {
  let size = 8;
  while (size < 2 * capacity) size *= 2;
  const index = new Int32Array(size);
  const mask = size - 1;
  for (let row = 0; row < count; row++) {
    let s = slotHash(rows[row * stride]) & mask;
    while (index[s] !== 0) s = (s + 1) & mask;
    index[s] = row + 1;
  }
  return index;
}

/** The index of each group decoded by ownedRecordGroup, for the restore that adopts it. */
const OWNED_INDEX = new WeakMap<RecordGroupSnapshot, Int32Array>();

/**
 * A key group decoded for one restore alone: `keys` and `columns` (views of the bytes
 * received, or null for a column whose every row is `constants[f]`) laid out as rows of its
 * own, with room to grow, and its index built. A restore of an adoptable snapshot
 * (StateSnapshot.adoptRecords) takes them as they are; any other use sees a snapshot's
 * group as ever (a view of `count` rows).
 */
export function ownedRecordGroup(
  keys: Float64Array,
  columns: readonly (Float64Array | null)[],
  constants: readonly number[],
  extras: ReadonlyMap<number, unknown>,
): RecordGroupSnapshot {
  const count = keys.length;
  const stride = columns.length + 1;
  const capacity = roomFor(count);
  const rows = rowsOf(keys, columns, constants, capacity);
  const group: RecordGroupSnapshot = { count, rows: rows.subarray(0, count * stride), extras };
  OWNED_INDEX.set(group, indexOf(rows, stride, count, capacity));
  return group;
}

/**
 * Rows (stride columns.length + 1) of `keys` and `columns` (null: every row holds
 * `constants[f]`), with room for `capacity` rows: the inverse of `columnOf` and the keys.
 */
export function rowsOf(
  keys: Float64Array,
  columns: readonly (Float64Array | null)[],
  constants: readonly number[],
  capacity = keys.length,
): Float64Array {
  const count = keys.length;
  const stride = columns.length + 1;
  const rows = new Float64Array(capacity * stride);
  for (let r = 0, at = 0; r < count; r++, at += stride) rows[at] = keys[r];
  for (let f = 0; f < columns.length; f++) {
    const column = columns[f];
    if (column === null) {
      const value = constants[f];
      for (let at = f + 1; at < count * stride; at += stride) rows[at] = value;
    } else for (let r = 0, at = f + 1; r < count; r++, at += stride) rows[at] = column[r];
  }
  return rows;
}

/** Column `at` of `g`'s rows (0: the keys, f + 1: field f), `stride` numbers a row, written into `into`. */
export function columnOf(
  g: RecordGroupSnapshot,
  stride: number,
  at: number,
  into: Float64Array,
): Float64Array {
  const rows = g.rows;
  for (let r = 0, i = at; r < g.count; r++, i += stride) into[r] = rows[i];
  return into;
}

/** The live records of one key group. */
class Group {
  /** Row r at r * stride: the key, then field f at r * stride + 1 + f. */
  rows: Float64Array;
  count: number;
  /** row + 1 per slot, 0 for an empty slot; null until first used. */
  index: Int32Array | null = null;
  extras: Map<number, unknown> | null;
  /** True while `rows` and `extras` are also a snapshot's: copy before writing. */
  shared: boolean;
  readonly stride: number;

  constructor(
    readonly width: number,
    from?: RecordGroupSnapshot,
  ) {
    this.stride = width + 1;
    if (from === undefined) {
      this.rows = new Float64Array(0);
      this.count = 0;
      this.extras = null;
      this.shared = false;
      return;
    }
    if (from.rows.length !== from.count * this.stride)
      throw new RangeError(
        `a record group of ${from.count} keys of ${width} numbers needs ${from.count * this.stride} numbers of rows, not ${from.rows.length}`,
      );
    this.rows = from.rows;
    this.count = from.count;
    this.extras = from.extras.size === 0 ? null : (from.extras as Map<number, unknown>);
    this.shared = true;
  }

  /** Rows the arrays have room for. */
  get capacity(): number {
    return this.rows.length / this.stride;
  }

  /** The index, built when first asked for. */
  slots(): Int32Array {
    if (this.index === null) this.rebuild(this.capacity);
    return this.index!;
  }

  /** Rebuild the index for a capacity of `capacity` rows. */
  rebuild(capacity: number): void {
    this.index = indexOf(this.rows, this.stride, this.count, capacity);
  }

  /**
   * Take the rows of a group decoded by ownedRecordGroup as this group's own (whole, with
   * their room), with its index: nothing is copied or indexed.
   */
  adopt(from: RecordGroupSnapshot): this {
    const index = OWNED_INDEX.get(from);
    if (index === undefined) throw new TypeError("only a group decoded by ownedRecordGroup can be adopted");
    OWNED_INDEX.delete(from);
    this.rows = new Float64Array(from.rows.buffer, from.rows.byteOffset);
    this.index = index;
    this.extras = from.extras.size === 0 ? null : new Map(from.extras);
    this.shared = false;
    return this;
  }

  /** The index slot holding `key`, or else the empty slot where it would go. */
  probe(key: number): number {
    const index = this.slots();
    const mask = index.length - 1;
    const { rows, stride } = this;
    let s = slotHash(key) & mask;
    for (let r = index[s]; r !== 0 && rows[(r - 1) * stride] !== key; r = index[s]) s = (s + 1) & mask;
    return s;
  }

  /** The row of `key`, or -1. */
  find(key: number): number {
    return this.slots()[this.probe(key)] - 1;
  }

  /** Stop sharing: copy the rows (with room for `capacity` rows) and clone the extras. */
  own(capacity: number, clone: CloneExtra): void {
    const rows = new Float64Array(capacity * this.stride);
    rows.set(this.rows.subarray(0, this.count * this.stride));
    this.rows = rows;
    if (this.shared && this.extras !== null) {
      const extras = new Map<number, unknown>();
      for (const [k, v] of this.extras) extras.set(k, clone(v));
      this.extras = extras;
    }
    this.shared = false;
  }

  /** The group as a snapshot sees it (a view of the rows, which become shared). */
  share(): RecordGroupSnapshot {
    this.shared = true;
    return {
      count: this.count,
      rows: this.rows.subarray(0, this.count * this.stride),
      extras: this.extras ?? EMPTY_EXTRAS,
    };
  }
}

const EMPTY_EXTRAS: ReadonlyMap<number, unknown> = new Map();

/** The keyed state of one instance of an operator with a record layout. */
export class RecordState {
  private groups: Group[];
  /** Key groups walked by the pending checkpoint's copySteps (-1: no checkpoint in progress). */
  private walked = -1;
  private snapshot: StateSnapshot | null = null;
  /** Entries counted by the last `copyStep` (for cost accounting). */
  lastCopyStepEntries = 0;
  /** Scratch of accumulate: each field's constant increment, or its increments per key. */
  private readonly constantScratch = new Float64Array(64);
  private readonly perKeyScratch: (ArrayLike<number> | null)[] = new Array(64).fill(null);
  /** Scratch of findAll: each tuple's key group. */
  private groupScratch = new Int32Array(0);

  constructor(
    /** Key groups of the operator (its maximum parallelism). */
    readonly maxKeyGroups: number,
    /** The key groups this instance owns. */
    readonly range: KeyGroupRange,
    /** Numbers a key's record holds. */
    readonly width: number,
    private readonly cloneExtra: CloneExtra = (v) => v,
  ) {
    if (!Number.isInteger(width) || width < 1 || width > 64)
      throw new RangeError(`record width ${width} must be an integer from 1 to 64`);
    this.groups = Array.from({ length: range.size }, () => new Group(width));
  }

  /** A live state over the records of `snapshot` (its arrays shared until first written). */
  static restore(snapshot: StateSnapshot, cloneExtra: CloneExtra = (v) => v): RecordState {
    const width = snapshot.recordWidth;
    if (width === null) throw new TypeError("a record state restores from a snapshot of records only");
    const state = new RecordState(snapshot.maxKeyGroups, snapshot.range, width, cloneExtra);
    const owned = snapshot.adoptRecords();
    state.groups =
      owned === null
        ? snapshot.recordGroups.map((g) => new Group(width, g))
        : owned.map((g) => new Group(width, g).adopt(g));
    return state;
  }

  private groupOf(key: number): number {
    const i = keyGroupOf(key, this.maxKeyGroups) - this.range.first;
    if (i < 0 || i >= this.groups.length) {
      throw new RangeError(`key ${key} is not in this instance's key groups ${this.range}`);
    }
    return i;
  }

  /** The row handle of `key` (valid until the next insert or removal), or -1 when absent. */
  find(key: number): number {
    const gi = this.groupOf(key);
    const g = this.groups[gi];
    const row = g.find(key);
    return row < 0 ? -1 : gi * TWO_32 + row * g.stride;
  }

  /**
   * The row handle of each of `keys[0..length)` into `into` (-1 for a key not held), in one
   * pass: the lookups of different tuples do not wait on each other, so that the processor
   * overlaps their cache misses (a find per tuple between other work waits for each). The
   * handles stay valid across inserts (rows only move on removal) but not across a remove.
   */
  findAll(keys: ArrayLike<number>, length: number, into: Float64Array): void {
    const groups = this.groups;
    const maxKeyGroups = this.maxKeyGroups;
    const first = this.range.first;
    const stride = this.width + 1;
    if (this.groupScratch.length < length) this.groupScratch = new Int32Array(length);
    const gis = this.groupScratch;
    // First each tuple's home slot and what it holds (loads that wait on nothing before them)...
    for (let i = 0; i < length; i++) {
      const key = keys[i];
      let gi = keyGroupOf(key, maxKeyGroups) - first;
      if (gi < 0 || gi >= groups.length) gi = this.groupOf(key);
      const index = groups[gi].slots();
      gis[i] = gi;
      into[i] = index[slotHash(key) & (index.length - 1)] - 1;
    }
    // ...then the rows they name, checked against the keys (a collision probes again).
    for (let i = 0; i < length; i++) {
      const gi = gis[i];
      const g = groups[gi];
      let row = into[i];
      if (row >= 0 && g.rows[row * stride] !== keys[i]) row = g.find(keys[i]);
      into[i] = row < 0 ? -1 : gi * TWO_32 + row * stride;
    }
  }

  /** Add `key` (absent) with a record of zeros; its row handle. */
  insert(key: number): number {
    const gi = this.groupOf(key);
    const g = this.groups[gi];
    const slot = g.probe(key);
    if (g.index![slot] !== 0) throw new RangeError(`key ${key} is already in the state`);
    return gi * TWO_32 + this.insertAt(g, key, slot) * g.stride;
  }

  /**
   * For each i below `length`, add `increments[f]` (a number, or its element i) to field f
   * of the record of `keys[i]`, a record of zeros inserted first for a key not held: as
   * find, insert, get and set tuple by tuple (same records, same rows), in one pass. The
   * per-key sum of a batch (a count, a total), without a row handle per tuple.
   */
  accumulate(
    keys: ArrayLike<number>,
    length: number,
    increments: readonly (number | ArrayLike<number>)[],
  ): void {
    const width = this.width;
    if (increments.length !== width)
      throw new RangeError(`accumulate takes ${width} increments (one per field), not ${increments.length}`);
    const constant = this.constantScratch;
    const perKey = this.perKeyScratch;
    for (let f = 0; f < width; f++) {
      const inc = increments[f];
      constant[f] = typeof inc === "number" ? inc : 0;
      perKey[f] = typeof inc === "number" ? null : inc;
    }
    const [by0, by1] = perKey;
    const [k0, k1] = constant;
    const groups = this.groups;
    const maxKeyGroups = this.maxKeyGroups;
    const first = this.range.first;
    const stride = width + 1;
    for (let i = 0; i < length; i++) {
      const key = keys[i];
      // groupOf and probe, inlined (a call each per tuple was most of the time).
      const gi = keyGroupOf(key, maxKeyGroups) - first;
      const g = gi >= 0 && gi < groups.length ? groups[gi] : groups[this.groupOf(key)];
      const index = g.index ?? g.slots();
      const mask = index.length - 1;
      const held = g.rows;
      let slot = slotHash(key) & mask;
      let row = index[slot] - 1;
      while (row >= 0 && held[row * stride] !== key) {
        slot = (slot + 1) & mask;
        row = index[slot] - 1;
      }
      if (row < 0) row = this.insertAt(g, key, slot);
      else if (g.shared) g.own(g.capacity, this.cloneExtra);
      // The first two fields unrolled (most records have one or two), any more in a loop.
      const rows = g.rows;
      const at = row * stride + 1;
      rows[at] += by0 === null ? k0 : by0[i];
      if (width > 1) {
        rows[at + 1] += by1 === null ? k1 : by1[i];
        for (let f = 2; f < width; f++) {
          const by = perKey[f];
          rows[at + f] += by === null ? constant[f] : by[i];
        }
      }
    }
    perKey.fill(null, 0, width);
  }

  /** Put `key` (absent, its index slot `slot` from probe) in group `g` with a record of zeros; its row. */
  private insertAt(g: Group, key: number, slot: number): number {
    const capacity = g.capacity;
    if (g.shared || g.count === capacity)
      g.own(g.count === capacity ? Math.max(8, g.count * 2) : capacity, this.cloneExtra);
    const row = g.count++;
    const at = row * g.stride;
    g.rows[at] = key;
    g.rows.fill(0, at + 1, at + g.stride);
    // The probe's empty slot is still the key's (own() leaves the index as it is), unless the index must grow.
    if (2 * g.count > g.index!.length) g.rebuild(g.capacity);
    else g.index![slot] = row + 1;
    return row;
  }

  /** Remove `key` and its extra; false when it was absent. */
  remove(key: number): boolean {
    const gi = this.groupOf(key);
    const g = this.groups[gi];
    let hole = g.probe(key);
    const index = g.index!;
    const row = index[hole] - 1;
    if (row < 0) return false;
    if (g.shared) g.own(g.capacity, this.cloneExtra);
    const { rows, stride } = g;
    const mask = index.length - 1;
    // Backward-shift deletion of the key's slot, then the last row moves into the hole.
    for (let s = (hole + 1) & mask; index[s] !== 0; s = (s + 1) & mask) {
      const home = slotHash(rows[(index[s] - 1) * stride]) & mask;
      if (((s - home) & mask) >= ((s - hole) & mask)) {
        index[hole] = index[s];
        hole = s;
      }
    }
    index[hole] = 0;
    const last = g.count - 1;
    if (row !== last) {
      const lastKey = rows[last * stride];
      let s = slotHash(lastKey) & mask;
      while (index[s] !== last + 1) s = (s + 1) & mask;
      index[s] = row + 1;
      rows.copyWithin(row * stride, last * stride, (last + 1) * stride);
    }
    g.count = last;
    g.extras?.delete(key);
    return true;
  }

  /** Field `field` of the record at `handle`. */
  get(handle: number, field: number): number {
    const gi = (handle / TWO_32) | 0;
    return this.groups[gi].rows[handle - gi * TWO_32 + 1 + field];
  }

  /** Set field `field` of the record at `handle`. */
  set(handle: number, field: number, value: number): void {
    const gi = (handle / TWO_32) | 0;
    const g = this.groups[gi];
    if (g.shared) g.own(g.capacity, this.cloneExtra);
    g.rows[handle - gi * TWO_32 + 1 + field] = value;
  }

  /** The key at `handle`. */
  keyAt(handle: number): number {
    const gi = (handle / TWO_32) | 0;
    return this.groups[gi].rows[handle - gi * TWO_32];
  }

  /** The extra of `key`, to read only. */
  extra(key: number): unknown {
    return this.groups[this.groupOf(key)].extras?.get(key);
  }

  /** The extra of `key`, which the caller may change in place (a snapshot keeps its own). */
  mutableExtra(key: number): unknown {
    const g = this.groups[this.groupOf(key)];
    if (g.shared) g.own(g.capacity, this.cloneExtra);
    return g.extras?.get(key);
  }

  /** Set (or, with undefined, drop) the extra of `key`, which must be in the state. */
  setExtra(key: number, value: unknown): void {
    const g = this.groups[this.groupOf(key)];
    if (g.find(key) < 0) throw new RangeError(`key ${key} has no record for an extra`);
    if (g.shared) g.own(g.capacity, this.cloneExtra);
    if (value === undefined) g.extras?.delete(key);
    else {
      g.extras ??= new Map();
      g.extras.set(key, value);
    }
  }

  /** Number of keys held. */
  get size(): number {
    let n = 0;
    for (const g of this.groups) n += g.count;
    return n;
  }

  /** Call `f` with every key and its row handle, key group by key group, row by row (no insert or removal meanwhile). */
  forEach(f: (key: number, handle: number) => void): void {
    for (let gi = 0; gi < this.groups.length; gi++) {
      const g = this.groups[gi];
      const { rows, stride } = g;
      for (let at = 0; at < g.count * stride; at += stride) f(rows[at], gi * TWO_32 + at);
    }
  }

  /** True while a checkpoint is in progress. */
  get copying(): boolean {
    return this.walked >= 0;
  }

  /** Take the snapshot of the state as it is now (O(key groups)); copySteps then deliver it. */
  beginCopy(): void {
    if (this.walked >= 0) throw new Error("a checkpoint copy is already in progress");
    this.snapshot = StateSnapshot.ofRecords(
      this.maxKeyGroups,
      this.range,
      this.width,
      this.groups.map((g) => g.share()),
    );
    this.walked = 0;
  }

  /** Walk about `maxEntries` keys of the pending checkpoint; the snapshot once every group is walked. */
  copyStep(maxEntries: number): StateSnapshot | null {
    if (this.walked < 0 || this.snapshot === null) throw new Error("no checkpoint copy in progress");
    const start = Math.max(1, maxEntries);
    let budget = start;
    const groups = this.snapshot.recordGroups;
    while (this.walked < groups.length && budget > 0) budget -= groups[this.walked++].count;
    this.lastCopyStepEntries = start - budget;
    if (this.walked < groups.length) return null;
    const done = this.snapshot;
    this.snapshot = null;
    this.walked = -1;
    return done;
  }
}
