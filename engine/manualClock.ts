// A clock that moves only when told to: the in-process runtime's time, and the model
// for any deterministic runtime. Timers due at the same time run in scheduling order.

import type { Clock, TimerHandle } from "./runtime.js";

interface Timer {
  readonly atMs: number;
  readonly handle: TimerHandle;
  readonly callback: () => void;
}

/** A deterministic clock advanced explicitly. */
export class ManualClock implements Clock {
  private now = 0;
  private nextHandle = 1;
  private timers: Timer[] = [];

  nowMs(): number {
    return this.now;
  }

  schedule(delayMs: number, callback: () => void): TimerHandle {
    if (!(delayMs >= 0)) throw new RangeError(`delay ${delayMs} ms must be >= 0`);
    const timer = { atMs: this.now + delayMs, handle: this.nextHandle++, callback };
    // Keep timers sorted by (time, handle): insertion after every timer due no later.
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1].atMs > timer.atMs) i--;
    this.timers.splice(i, 0, timer);
    return timer.handle;
  }

  cancel(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.handle !== handle);
  }

  /** Time of the next timer, or Infinity. */
  nextTimerMs(): number {
    return this.timers.length === 0 ? Number.POSITIVE_INFINITY : this.timers[0].atMs;
  }

  /** Move time forward to `atMs`, running every timer due by then, in order. */
  advanceTo(atMs: number): void {
    if (atMs < this.now) throw new RangeError(`cannot move the clock back from ${this.now} to ${atMs}`);
    while (this.timers.length > 0 && this.timers[0].atMs <= atMs) {
      const t = this.timers.shift()!;
      this.now = t.atMs;
      t.callback();
    }
    this.now = atMs;
  }

  /** Move time forward by `deltaMs`. */
  advance(deltaMs: number): void {
    this.advanceTo(this.now + deltaMs);
  }
}
