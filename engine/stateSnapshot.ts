// A snapshot of keyed processing state: one immutable Map per key group of a range, or,
// for an operator with a record layout (recordState.ts), one immutable group of rows (each
// a key and its record) and extras per key group.
//
// Because state is stored per key group, partitioning a snapshot by key-group ranges
// hands whole groups to each part and merging hands them back: neither touches a key.

import { type KeyGroupRange, mergeRanges } from "./keyGroups.js";

/**
 * The records of one key group: `count` rows of width + 1 numbers in `rows` (row r at
 * r * (width + 1): the key, then the record's fields), and the extras of a few keys.
 */
export interface RecordGroupSnapshot {
  readonly count: number;
  readonly rows: Float64Array;
  readonly extras: ReadonlyMap<number, unknown>;
}

/** A key's value as the Map view of a snapshot of records shows it. */
export interface RecordView {
  readonly record: readonly number[];
  readonly extra?: unknown;
}

/** Snapshots a restore may adopt (kept aside, so that snapshots compare by content alone). */
const ADOPTABLE = new WeakSet<StateSnapshot<unknown>>();

/** An immutable copy of keyed processing state over a key-group range. */
export class StateSnapshot<V = unknown> {
  private maps: readonly ReadonlyMap<number, V>[] | null;
  /** Numbers per key of a snapshot of records; null for a snapshot of Maps. */
  readonly recordWidth: number | null;
  private records: readonly RecordGroupSnapshot[] | null;

  constructor(
    /** Key groups of the operator (its maximum parallelism). */
    readonly maxKeyGroups: number,
    /** The key groups this snapshot covers. */
    readonly range: KeyGroupRange,
    /** Entries of key group `range.first + i` at index i; never mutated. */
    groups: readonly ReadonlyMap<number, V>[],
    /**
     * True when nothing else refers to these maps (decoded from bytes for one restore):
     * a restore may then adopt them instead of copying every entry (`adopt`).
     */
    adoptable = false,
    /** Instead of `groups`: the records of an operator with a record layout (`ofRecords`). */
    records?: { readonly width: number; readonly groups: readonly RecordGroupSnapshot[] },
  ) {
    this.recordWidth = records?.width ?? null;
    this.records = records?.groups ?? null;
    const n = records === undefined ? groups.length : records.groups.length;
    if (n !== range.size) {
      throw new RangeError(`snapshot of ${range} needs ${range.size} key groups, got ${n}`);
    }
    this.maps = records === undefined ? groups : null;
    if (adoptable) ADOPTABLE.add(this);
  }

  /** A snapshot of records: `groups[i]` holds key group `range.first + i` (never mutated). */
  static ofRecords(
    maxKeyGroups: number,
    range: KeyGroupRange,
    width: number,
    groups: readonly RecordGroupSnapshot[],
    /** True when the groups were decoded for one restore alone (recordState.ts ownedRecordGroup). */
    adoptable = false,
  ): StateSnapshot<RecordView> {
    return new StateSnapshot<RecordView>(maxKeyGroups, range, [], adoptable, { width, groups });
  }

  /** The record groups of a snapshot of records (throws for a snapshot of Maps). */
  get recordGroups(): readonly RecordGroupSnapshot[] {
    if (this.records === null)
      throw new TypeError(
        this.recordWidth === null
          ? "not a snapshot of records"
          : "this snapshot's records were adopted by a live state",
      );
    return this.records;
  }

  /** Entries of key group `range.first + i` at index i (for records, a view built on each call). */
  get groups(): readonly ReadonlyMap<number, V>[] {
    if (this.records !== null)
      return this.records.map((g) => recordMap(g, this.recordWidth!) as Map<number, V>);
    if (this.maps === null) throw new Error("this snapshot's maps were adopted by a live state");
    return this.maps;
  }

  /**
   * The maps themselves, for a live state to own, when the snapshot is adoptable; the
   * snapshot is unusable afterwards (reading it throws). Null when it must be copied.
   */
  adopt(): Map<number, V>[] | null {
    if (!ADOPTABLE.has(this) || this.maps === null) return null;
    const maps = this.maps as Map<number, V>[];
    this.maps = null;
    ADOPTABLE.delete(this);
    return maps;
  }

  /**
   * The record groups themselves, for a live record state to own, when the snapshot is
   * adoptable (decoded by ownedRecordGroup); the snapshot is unusable afterwards (reading
   * its records throws). Null when they must be shared.
   */
  adoptRecords(): readonly RecordGroupSnapshot[] | null {
    if (!ADOPTABLE.has(this) || this.records === null) return null;
    const groups = this.records;
    this.records = null;
    ADOPTABLE.delete(this);
    return groups;
  }

  /** Number of keys held. */
  get size(): number {
    let n = 0;
    if (this.records !== null) for (const g of this.records) n += g.count;
    else for (const g of this.groups) n += g.size;
    return n;
  }

  /** The entries of key group `kg` (empty when outside the range). */
  group(kg: number): ReadonlyMap<number, V> {
    if (!this.range.contains(kg)) return EMPTY_GROUP;
    const i = kg - this.range.first;
    if (this.records !== null) return recordMap(this.records[i], this.recordWidth!) as Map<number, V>;
    return this.groups[i];
  }

  /** The value of `key` in key group `kg`. */
  get(kg: number, key: number): V | undefined {
    return this.group(kg).get(key);
  }

  /** Every (key, value), key group by key group. */
  *entries(): IterableIterator<[number, V]> {
    for (const g of this.groups) yield* g.entries();
  }

  /** Split by key-group ranges; each part holds exactly the key groups of its range. */
  partition(ranges: readonly KeyGroupRange[]): StateSnapshot<V>[] {
    return ranges.map((r) => {
      const part = this.range.intersect(r);
      if (!part.equals(r)) throw new RangeError(`range ${r} is not inside the snapshot's ${this.range}`);
      if (this.records !== null) {
        const groups = this.records.slice(r.first - this.range.first, r.last - this.range.first + 1);
        return StateSnapshot.ofRecords(this.maxKeyGroups, r, this.recordWidth!, groups) as StateSnapshot<V>;
      }
      return new StateSnapshot(
        this.maxKeyGroups,
        r,
        this.groups.slice(r.first - this.range.first, r.last - this.range.first + 1),
      );
    });
  }

  /** The inverse of `partition`: the union of snapshots over adjacent ranges. */
  static merge<V>(parts: readonly StateSnapshot<V>[]): StateSnapshot<V> {
    if (parts.length === 0) throw new RangeError("merge needs at least one snapshot");
    const maxKeyGroups = parts[0].maxKeyGroups;
    if (parts.some((p) => p.maxKeyGroups !== maxKeyGroups)) {
      throw new RangeError("cannot merge snapshots with different numbers of key groups");
    }
    const sorted = parts.filter((p) => !p.range.isEmpty).sort((a, b) => a.range.first - b.range.first);
    const range = mergeRanges(sorted.map((p) => p.range));
    const width = parts[0].recordWidth;
    if (parts.some((p) => p.recordWidth !== width)) {
      throw new RangeError("cannot merge snapshots of records of different widths, or records with Maps");
    }
    if (width !== null) {
      return StateSnapshot.ofRecords(
        maxKeyGroups,
        range,
        width,
        sorted.flatMap((p) => p.recordGroups),
      ) as StateSnapshot<V>;
    }
    return new StateSnapshot(
      maxKeyGroups,
      range,
      sorted.flatMap((p) => p.groups),
    );
  }
}

const EMPTY_GROUP: ReadonlyMap<number, never> = new Map<number, never>();

/** The Map view of a group of records of `width` numbers: each key's record as an array, with its extra if any. */
function recordMap(g: RecordGroupSnapshot, width: number): Map<number, RecordView> {
  const m = new Map<number, RecordView>();
  const stride = width + 1;
  for (let at = 0; at < g.count * stride; at += stride) {
    const key = g.rows[at];
    const record = Array.from(g.rows.subarray(at + 1, at + stride));
    const extra = g.extras.get(key);
    m.set(key, extra === undefined ? { record } : { record, extra });
  }
  return m;
}
