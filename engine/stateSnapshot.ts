// A snapshot of keyed processing state: one immutable Map per key group of a range.
//
// Because state is stored per key group, partitioning a snapshot by key-group ranges
// hands whole maps to each part and merging hands them back: neither touches a key.

import { type KeyGroupRange, mergeRanges } from "./keyGroups.js";

/** Snapshots a restore may adopt (kept aside, so that snapshots compare by content alone). */
const ADOPTABLE = new WeakSet<StateSnapshot<unknown>>();

/** An immutable copy of keyed processing state over a key-group range. */
export class StateSnapshot<V = unknown> {
  private maps: readonly ReadonlyMap<number, V>[] | null;

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
  ) {
    if (groups.length !== range.size) {
      throw new RangeError(`snapshot of ${range} needs ${range.size} key groups, got ${groups.length}`);
    }
    this.maps = groups;
    if (adoptable) ADOPTABLE.add(this);
  }

  /** Entries of key group `range.first + i` at index i. */
  get groups(): readonly ReadonlyMap<number, V>[] {
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

  /** Number of keys held. */
  get size(): number {
    let n = 0;
    for (const g of this.groups) n += g.size;
    return n;
  }

  /** The entries of key group `kg` (empty when outside the range). */
  group(kg: number): ReadonlyMap<number, V> {
    return this.range.contains(kg) ? this.groups[kg - this.range.first] : EMPTY_GROUP;
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
    return new StateSnapshot(
      maxKeyGroups,
      range,
      sorted.flatMap((p) => p.groups),
    );
  }
}

const EMPTY_GROUP: ReadonlyMap<number, never> = new Map<number, never>();
