// The one place that maps keys to key groups and key groups to instances.
//
// Every stateful operator has a fixed number of key groups (its maximum parallelism).
// A key belongs to key group hash(key) mod maxKeyGroups, forever; an instance owns a
// contiguous, inclusive range of key groups. Rescaling re-slices ranges and never
// rehashes a key, so partitioning state is a matter of handing over whole key groups.

import { hashKey } from "./hash.js";

/** Default number of key groups of a stateful operator (its maximum parallelism). */
export const DEFAULT_MAX_KEY_GROUPS = 128;

/** The key group of an integer key, in [0, maxKeyGroups). */
export function keyGroupOf(key: number, maxKeyGroups: number): number {
  // Multiply-shift instead of modulo: uniform, branch-free and stable.
  return Math.floor((hashKey(key) * maxKeyGroups) / 4294967296);
}

/** An immutable, inclusive range of key groups [first, last]; empty when last < first. */
export class KeyGroupRange {
  private constructor(
    readonly first: number,
    readonly last: number,
  ) {}

  /** The range [first, last], inclusive. */
  static of(first: number, last: number): KeyGroupRange {
    if (!Number.isInteger(first) || !Number.isInteger(last) || first < 0) {
      throw new RangeError(`KeyGroupRange.of(${first}, ${last}): bounds must be non-negative integers`);
    }
    return last < first ? KeyGroupRange.EMPTY : new KeyGroupRange(first, last);
  }

  /** The range holding no key group. */
  static readonly EMPTY = new KeyGroupRange(0, -1);

  /** Number of key groups in the range. */
  get size(): number {
    return this.last - this.first + 1;
  }

  /** True when the range holds no key group. */
  get isEmpty(): boolean {
    return this.last < this.first;
  }

  /** True when key group `kg` lies in the range. */
  contains(kg: number): boolean {
    return kg >= this.first && kg <= this.last;
  }

  /** The key groups both ranges hold. */
  intersect(other: KeyGroupRange): KeyGroupRange {
    return KeyGroupRange.of(Math.max(this.first, other.first), Math.min(this.last, other.last));
  }

  /** True when both ranges hold the same key groups. */
  equals(other: KeyGroupRange): boolean {
    return (this.isEmpty && other.isEmpty) || (this.first === other.first && this.last === other.last);
  }

  /** `[first..last]`, for logs and traces. */
  toString(): string {
    return this.isEmpty ? "[]" : `[${this.first}..${this.last}]`;
  }
}

/**
 * Slice [0, maxKeyGroups) into `parallelism` contiguous ranges whose sizes differ by
 * at most one (Flink's assignment: range i starts at ceil(i * max / p)).
 */
export function sliceKeyGroups(maxKeyGroups: number, parallelism: number): KeyGroupRange[] {
  if (parallelism < 1 || parallelism > maxKeyGroups) {
    throw new RangeError(`parallelism ${parallelism} must be in [1, maxKeyGroups=${maxKeyGroups}]`);
  }
  const ranges: KeyGroupRange[] = [];
  for (let i = 0; i < parallelism; i++) {
    const first = Math.ceil((i * maxKeyGroups) / parallelism);
    const last = Math.ceil(((i + 1) * maxKeyGroups) / parallelism) - 1;
    ranges.push(KeyGroupRange.of(first, last));
  }
  return ranges;
}

/**
 * Split one range into `parts` contiguous ranges whose sizes differ by at most one
 * (scale-out of one instance into several).
 */
export function splitRange(range: KeyGroupRange, parts: number): KeyGroupRange[] {
  if (parts < 1 || parts > range.size) {
    throw new RangeError(`cannot split ${range} into ${parts} non-empty parts`);
  }
  return sliceKeyGroups(range.size, parts).map((r) =>
    KeyGroupRange.of(r.first + range.first, r.last + range.first),
  );
}

/** The union of adjacent ranges (scale-in); throws unless they tile one contiguous range. */
export function mergeRanges(ranges: readonly KeyGroupRange[]): KeyGroupRange {
  const sorted = ranges.filter((r) => !r.isEmpty).sort((a, b) => a.first - b.first);
  if (sorted.length === 0) return KeyGroupRange.EMPTY;
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].first !== sorted[i - 1].last + 1) {
      throw new RangeError(`ranges ${sorted[i - 1]} and ${sorted[i]} are not adjacent`);
    }
  }
  return KeyGroupRange.of(sorted[0].first, sorted[sorted.length - 1].last);
}

/**
 * Key group -> owner lookup built from ranges: an Int32Array indexed by key group, so
 * that routing a tuple costs one hash and one array read. Unowned key groups map to -1.
 */
export function ownerTable(maxKeyGroups: number, ranges: readonly KeyGroupRange[]): Int32Array {
  const owners = new Int32Array(maxKeyGroups).fill(-1);
  ranges.forEach((range, owner) => {
    for (let kg = range.first; kg <= range.last; kg++) {
      if (owners[kg] !== -1)
        throw new RangeError(`key group ${kg} is owned twice (${owners[kg]} and ${owner})`);
      owners[kg] = owner;
    }
  });
  return owners;
}
