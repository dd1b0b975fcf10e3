// A queue of (event time, key) pairs in time order: the event-time timers of a keyed
// operator (when each key's state may be let go). Entries mostly arrive in time order, so
// a push is usually an append; a timer is not checkpointed but rebuilt from the keyed state
// when the operator opens (restored included), as the engine's time windows do theirs.

/** (time, key) pairs, earliest first; ties in arrival order. */
export class TimeQueue {
  private times: number[] = [];
  private keys: number[] = [];
  private head = 0;

  /** Entries queued. */
  get size(): number {
    return this.times.length - this.head;
  }

  /** The earliest time queued, or Infinity when the queue is empty. */
  peekTime(): number {
    return this.head < this.times.length ? this.times[this.head] : Number.POSITIVE_INFINITY;
  }

  /** The key of the earliest entry (the queue must not be empty). */
  peekKey(): number {
    if (this.head >= this.times.length) throw new RangeError("the queue is empty");
    return this.keys[this.head];
  }

  /** Queue `key` at `timeMs`. */
  push(timeMs: number, key: number): void {
    const times = this.times;
    let j = times.length;
    while (j > this.head && times[j - 1] > timeMs) j--;
    if (j === times.length) {
      times.push(timeMs);
      this.keys.push(key);
    } else {
      times.splice(j, 0, timeMs);
      this.keys.splice(j, 0, key);
    }
  }

  /** Drop the earliest entry. */
  pop(): void {
    if (this.head >= this.times.length) throw new RangeError("the queue is empty");
    this.head++;
    if (this.head === this.times.length) {
      this.times.length = 0;
      this.keys.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && 2 * this.head >= this.times.length) {
      this.times = this.times.slice(this.head);
      this.keys = this.keys.slice(this.head);
      this.head = 0;
    }
  }

  /** A queue of `entries` ([time, key] in any order). */
  static of(entries: readonly (readonly [number, number])[]): TimeQueue {
    const q = new TimeQueue();
    const sorted = [...entries].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    q.times = sorted.map((e) => e[0]);
    q.keys = sorted.map((e) => e[1]);
    return q;
  }
}
