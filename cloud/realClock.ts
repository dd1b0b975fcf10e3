// Real time for the engine: milliseconds since the run's start epoch (the coordinator's
// wall clock when event time 0 arrives), so that every worker of a run reads comparable
// times, and timers on Node's own. A clock with a speed runs in event-time terms: at
// replay speed s it reads s ms per wall-clock ms and its timers fire s times sooner
// (the coordinator's clock, so that its times compare with event times and metrics).

import type { Clock, TimerHandle } from "../engine/index.js";

/** The wall clock, as offsets from a run's start. */
export class RealClock implements Clock {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private next = 1;

  constructor(
    /** Wall-clock milliseconds since the epoch at which the run's time is 0. */
    readonly startEpochMs: number,
    /** Clock milliseconds per wall-clock millisecond. */
    readonly speed = 1,
  ) {
    if (!(speed > 0)) throw new RangeError(`clock speed ${speed} must be > 0`);
  }

  nowMs(): number {
    return (Date.now() - this.startEpochMs) * this.speed;
  }

  schedule(delayMs: number, callback: () => void): TimerHandle {
    const handle = this.next++;
    this.timers.set(
      handle,
      setTimeout(() => {
        this.timers.delete(handle);
        callback();
      }, delayMs / this.speed),
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
