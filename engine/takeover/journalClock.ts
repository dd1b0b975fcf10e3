// The coordinator's clock under a journal. Timers get numbers of their own, given in the
// order the coordinator asks for them, so a replay names the same timer the same way; a
// timer firing is an input (journaled, then taken). While an entry is taken every reading
// gives the entry's time, so that a replay reads the times the journaled run read. In a
// replay timers are only kept, with their due times; going live sets them on the
// runtime's clock (one due during the outage fires at once). A crashed leader's timers
// are cancelled.

import type { Clock, TimerHandle } from "../runtime.js";
import type { JournalDriver } from "./journalDriver.js";

interface JournalTimer {
  readonly dueMs: number;
  readonly callback: () => void;
  /** The runtime clock's handle while set on it. */
  handle: TimerHandle | null;
}

/** A clock whose timers are inputs of the journal. */
export class JournalClock implements Clock {
  private nextTimer = 1;
  private readonly timers = new Map<number, JournalTimer>();

  constructor(
    private readonly clock: Clock,
    private readonly driver: JournalDriver,
  ) {}

  nowMs(): number {
    return this.driver.entryAtMs ?? this.clock.nowMs();
  }

  /** The runtime's time, whatever entry is being taken. */
  runtimeNowMs(): number {
    return this.clock.nowMs();
  }

  schedule(delayMs: number, callback: () => void): TimerHandle {
    const n = this.nextTimer++;
    const timer: JournalTimer = { dueMs: this.nowMs() + delayMs, callback, handle: null };
    this.timers.set(n, timer);
    if (this.driver.mode === "live") timer.handle = this.clock.schedule(delayMs, () => this.fire(n));
    return n;
  }

  cancel(handle: TimerHandle): void {
    const timer = this.timers.get(handle);
    if (timer === undefined) return;
    if (timer.handle !== null) this.clock.cancel(timer.handle);
    this.timers.delete(handle);
  }

  /** Fire timer `n` as the input it is: false when there is no such timer (a replay that diverged). */
  run(n: number): boolean {
    const timer = this.timers.get(n);
    if (timer === undefined) return false;
    this.timers.delete(n);
    timer.callback();
    return true;
  }

  /** Set the kept timers on the runtime's clock, at their due times (at once for one overdue). */
  goLive(): void {
    const now = this.clock.nowMs();
    for (const [n, timer] of this.timers)
      timer.handle = this.clock.schedule(Math.max(0, timer.dueMs - now), () => this.fire(n));
  }

  /** The leader is gone: none of its timers fires. */
  stop(): void {
    for (const timer of this.timers.values()) {
      if (timer.handle !== null) this.clock.cancel(timer.handle);
      timer.handle = null;
    }
  }

  /** Timers kept and not fired (for tests and the takeover's record). */
  get pending(): number {
    return this.timers.size;
  }

  private fire(n: number): void {
    if (this.driver.mode !== "live" || !this.timers.has(n)) return;
    this.driver.take({ kind: "timer", timer: n });
  }
}
