// Keyed processing state, held by the engine on behalf of an operator instance.
//
// Entries live in one Map per key group of the instance's range, so partitioning is
// free (see StateSnapshot). Checkpoints are copy-on-write at entry granularity: starting
// one costs O(1); while it is being copied, the first write to each not-yet-copied key
// saves the key's old value in an undo log, and the copy proceeds in bounded chunks
// between batches (`copyStep`). Processing never waits for more than one chunk.

import { type KeyGroupRange, keyGroupOf } from "./keyGroups.js";
import { StateSnapshot } from "./stateSnapshot.js";

/** How values are copied when a checkpoint must keep an old version; default: identity. */
export type CloneValue<V> = (value: V) => V;

const ABSENT: unique symbol = Symbol("absent");
type Saved<V> = V | typeof ABSENT;

/** A checkpoint copy in progress over the key groups of a KeyedState. */
class PendingCopy<V> {
  /** copied[i] = 1 once key group first+i is fully in `groups`. */
  readonly copied: Uint8Array;
  /** Old values of keys written after the snapshot instant, per key group not yet copied. */
  readonly undo: (Map<number, Saved<V>> | undefined)[];
  readonly groups: Map<number, V>[] = [];
  /** Index (into the range) of the key group being copied, and its resumable iterator. */
  next = 0;
  iterator: Iterator<[number, V]> | null = null;

  constructor(size: number) {
    this.copied = new Uint8Array(size);
    this.undo = new Array(size).fill(undefined);
  }
}

/** The keyed processing state of one instance, over its key-group range. */
export class KeyedState<V = unknown> {
  private groups: Map<number, V>[];
  private pending: PendingCopy<V> | null = null;
  /** Entries copied by the last `copyStep` (for cost accounting). */
  lastCopyStepEntries = 0;

  constructor(
    /** Key groups of the operator (its maximum parallelism). */
    readonly maxKeyGroups: number,
    /** The key groups this instance owns. */
    readonly range: KeyGroupRange,
    private readonly clone: CloneValue<V> = (v) => v,
  ) {
    this.groups = Array.from({ length: range.size }, () => new Map<number, V>());
  }

  /** A live state holding a copy of `snapshot` (its maps are not shared). */
  static restore<V>(snapshot: StateSnapshot<V>, clone: CloneValue<V> = (v) => v): KeyedState<V> {
    const state = new KeyedState<V>(snapshot.maxKeyGroups, snapshot.range, clone);
    // A snapshot decoded for this restore alone is taken over as it is: no entry copied.
    const adopted = snapshot.adopt();
    if (adopted !== null) {
      state.groups = adopted;
      return state;
    }
    snapshot.groups.forEach((g, i) => {
      const m = state.groups[i];
      for (const [k, v] of g) m.set(k, clone(v));
    });
    return state;
  }

  private groupIndex(key: number): number {
    const i = keyGroupOf(key, this.maxKeyGroups) - this.range.first;
    if (i < 0 || i >= this.groups.length) {
      throw new RangeError(`key ${key} is not in this instance's key groups ${this.range}`);
    }
    return i;
  }

  /** Record the current value of `key` before its first change since the snapshot instant. */
  private saveOld(i: number, key: number, copyValue: boolean): void {
    const p = this.pending!;
    if (p.copied[i] === 1) return;
    let undo = p.undo[i];
    if (undo === undefined) {
      undo = new Map();
      p.undo[i] = undo;
    } else if (undo.has(key)) {
      return;
    }
    const g = this.groups[i];
    undo.set(key, g.has(key) ? (copyValue ? this.clone(g.get(key) as V) : (g.get(key) as V)) : ABSENT);
  }

  /** The value of `key`, to read only (use `mutable` before changing it in place). */
  get(key: number): V | undefined {
    return this.groups[this.groupIndex(key)].get(key);
  }

  /** True when `key` has a value. */
  has(key: number): boolean {
    return this.groups[this.groupIndex(key)].has(key);
  }

  /** Set the value of `key`. */
  set(key: number, value: V): void {
    const i = this.groupIndex(key);
    if (this.pending !== null) this.saveOld(i, key, false);
    this.groups[i].set(key, value);
  }

  /** Remove `key`. */
  delete(key: number): boolean {
    const i = this.groupIndex(key);
    if (this.pending !== null) this.saveOld(i, key, false);
    return this.groups[i].delete(key);
  }

  /**
   * The value of `key`, which the caller may then change in place (a checkpoint in
   * progress keeps a clone of the old value). Undefined when the key has no value.
   */
  mutable(key: number): V | undefined {
    const i = this.groupIndex(key);
    if (this.pending !== null) this.saveOld(i, key, true);
    return this.groups[i].get(key);
  }

  /** Number of keys held. */
  get size(): number {
    let n = 0;
    for (const g of this.groups) n += g.size;
    return n;
  }

  /** Every (key, value), key group by key group, in insertion order within a group. */
  *entries(): IterableIterator<[number, V]> {
    for (const g of this.groups) yield* g.entries();
  }

  /** Keys of every key group, for operators that scan their state (e.g. window firing). */
  *keys(): IterableIterator<number> {
    for (const g of this.groups) yield* g.keys();
  }

  /** True while a checkpoint copy is in progress. */
  get copying(): boolean {
    return this.pending !== null;
  }

  /**
   * Start a checkpoint copy of the state as it is now. O(1): the copy itself is done by
   * `copyStep`, in chunks, while processing goes on.
   */
  beginCopy(): void {
    if (this.pending !== null) throw new Error("a checkpoint copy is already in progress");
    this.pending = new PendingCopy<V>(this.groups.length);
  }

  /**
   * Copy at most about `maxEntries` entries of the pending checkpoint. Returns the
   * snapshot once the copy is complete, otherwise null.
   */
  copyStep(maxEntries: number): StateSnapshot<V> | null {
    const p = this.pending;
    if (p === null) throw new Error("no checkpoint copy in progress");
    const start = Math.max(1, maxEntries);
    let budget = start;
    this.lastCopyStepEntries = 0;
    while (p.next < this.groups.length && budget > 0) {
      const i = p.next;
      const live = this.groups[i];
      let copy = p.groups[i];
      if (copy === undefined) {
        copy = new Map();
        p.groups[i] = copy;
        p.iterator = live.entries();
      }
      const it = p.iterator!;
      for (;;) {
        if (budget <= 0) {
          this.lastCopyStepEntries = start - budget;
          return null;
        }
        const r = it.next();
        if (r.done) break;
        copy.set(r.value[0], this.clone(r.value[1]));
        budget--;
      }
      // The iterator has seen the live map as it is now; the undo log restores what
      // changed since the snapshot instant (old values back, later insertions out).
      const undo = p.undo[i];
      if (undo !== undefined) {
        for (const [k, old] of undo) {
          if (old === ABSENT) copy.delete(k);
          else copy.set(k, old);
        }
        budget -= undo.size;
      }
      p.undo[i] = undefined;
      p.copied[i] = 1;
      p.iterator = null;
      p.next++;
    }
    this.lastCopyStepEntries = start - budget;
    if (p.next < this.groups.length) return null;
    this.pending = null;
    return new StateSnapshot(this.maxKeyGroups, this.range, p.groups);
  }

  /** Complete the pending copy at once (used when a checkpoint cannot wait). */
  copyAll(): StateSnapshot<V> {
    for (;;) {
      const s = this.copyStep(Number.MAX_SAFE_INTEGER);
      if (s !== null) return s;
    }
  }

  /** A snapshot taken and copied at once: `beginCopy` followed by `copyAll`. */
  snapshot(): StateSnapshot<V> {
    this.beginCopy();
    return this.copyAll();
  }
}
