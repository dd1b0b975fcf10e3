// Real time for the engine on workers: milliseconds since the run's start epoch (the
// coordinator's wall clock when event time 0 arrives), so that every worker of a run
// reads comparable times, and timers on Node's own.

import type { Clock, TimerHandle } from "../engine/index.js";

/** The wall clock, as offsets from a run's start. */
export class RealClock implements Clock {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private next = 1;

  constructor(
    /** Wall-clock milliseconds since the epoch at which the run's time is 0. */
    readonly startEpochMs: number,
  ) {}

  nowMs(): number {
    return Date.now() - this.startEpochMs;
  }

  schedule(delayMs: number, callback: () => void): TimerHandle {
    const handle = this.next++;
    this.timers.set(
      handle,
      setTimeout(() => {
        this.timers.delete(handle);
        callback();
      }, delayMs),
    );
    return handle;
  }

  cancel(handle: TimerHandle): void {
    const t = this.timers.get(handle);
    if (t !== undefined) clearTimeout(t);
    this.timers.delete(handle);
  }

  /** Cancel every pending timer. */
  cancelAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
