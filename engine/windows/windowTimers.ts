// Window timers: which keys have a window to fire at which window end. They are derived
// from keyed state (each key's next window end), so they are not checkpointed: an
// operator rebuilds them from its state when it opens, after a restore included.
//
// Window ends sit in a binary min-heap of distinct ends, each with the keys due there (an
// array: a key registered twice at one end is taken once); firing takes ends in increasing
// order and each end's keys in increasing order, which makes emission order independent of
// arrival order and of partitioning. Registering is a push, so that rebuilding the timers
// of a million restored keys costs a million pushes, not a million set insertions.

/** Keys due at window ends, taken end by end in increasing order. */
export class WindowTimers {
  private readonly heap: number[] = [];
  private readonly due = new Map<number, number[]>();
  /** The end last registered at, and its keys (most registrations are at the end before them). */
  private lastEndMs = Number.NaN;
  private lastKeys: number[] | null = null;

  /** Number of distinct ends pending. */
  get size(): number {
    return this.heap.length;
  }

  /** Register `key` as due at `endMs` (registering twice is harmless). */
  add(endMs: number, key: number): void {
    if (endMs === this.lastEndMs) {
      this.lastKeys!.push(key);
      return;
    }
    let keys = this.due.get(endMs);
    if (keys === undefined) {
      keys = [];
      this.due.set(endMs, keys);
      this.push(endMs);
    }
    keys.push(key);
    this.lastEndMs = endMs;
    this.lastKeys = keys;
  }

  /** The earliest pending end, or Infinity when none is pending. */
  nextMs(): number {
    return this.heap.length === 0 ? Number.POSITIVE_INFINITY : this.heap[0];
  }

  /** Remove the earliest end and return its keys in increasing order. */
  takeNext(): number[] {
    const endMs = this.pop();
    const sorted = Float64Array.from(this.due.get(endMs) ?? []).sort();
    this.due.delete(endMs);
    if (endMs === this.lastEndMs) {
      this.lastEndMs = Number.NaN;
      this.lastKeys = null;
    }
    const keys: number[] = [];
    for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) keys.push(sorted[i]);
    return keys;
  }

  private push(value: number): void {
    const h = this.heap;
    let i = h.length;
    h.push(value);
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      if (h[parent] <= value) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = value;
  }

  private pop(): number {
    const h = this.heap;
    if (h.length === 0) throw new RangeError("no window end pending");
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const c = l + 1 < h.length && h[l + 1] < h[l] ? l + 1 : l;
        if (h[c] >= last) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
