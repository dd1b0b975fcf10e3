// The queue of scheduled reconfigurations (an experiment's scaleOuts and scaleIns, on
// either runtime): each begins in its turn, once nothing is under way and those before it
// have begun. A later one must not overtake one waiting for a recovery, since its instance
// index assumes it came first. One given up goes first in line, looked at a retry later:
// the failure that gave it up is still being taken in when it is handed back.

import type { Clock } from "../runtime.js";
import type { ScaleOutRecord } from "./scaleOutRecord.js";

/** Scheduled reconfigurations due and not begun, in the order they are to begin. */
export class ScheduledScalings {
  private readonly waiting: (() => void)[] = [];
  /** Those begun and not over, by record: how to ask each again if it is given up. */
  private readonly underWay = new Map<ScaleOutRecord, () => void>();
  private pumpScheduled = false;

  constructor(
    private readonly clock: Clock,
    /** True while one may not begin (a reconfiguration, a recovery, or its replay under way). */
    private readonly blocked: () => boolean,
    private readonly retryMs: number,
    /** True once the run is over: nothing more begins. */
    private readonly stopped: () => boolean = () => false,
  ) {}

  /** `begin` a reconfiguration that is due now, after those waiting. */
  due(begin: () => void): void {
    this.waiting.push(begin);
    this.pump();
  }

  /** A scheduled reconfiguration began as `record`; `askAgain` begins it anew if it is given up. */
  begun(record: ScaleOutRecord, askAgain: () => void): void {
    this.underWay.set(record, askAgain);
  }

  /**
   * The coordinator was rebuilt (a takeover): its records are new objects, in the same
   * order as `before`'s; those begun are followed under their new records.
   */
  rebuilt(before: readonly ScaleOutRecord[], after: readonly ScaleOutRecord[]): void {
    for (const [record, again] of [...this.underWay]) {
      const at = before.indexOf(record);
      this.underWay.delete(record);
      if (at >= 0 && after[at] !== undefined) this.underWay.set(after[at], again);
    }
  }

  /**
   * The reconfiguration of `record` is over. A scheduled one given up (a failure before its
   * cut, or a recovery's replay that made its cut inexact) is asked again, first in line, a
   * retry from now: it waits, as any does, for the recovery and its replays to be over.
   */
  ended(record: ScaleOutRecord): void {
    const again = this.underWay.get(record);
    this.underWay.delete(record);
    if (again === undefined || record.refused === null || this.stopped()) return;
    this.waiting.unshift(again);
    this.pumpLater();
  }

  /** Look for the next due reconfiguration a retry from now. */
  private pumpLater(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    this.clock.schedule(this.retryMs, () => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Begin the next due reconfiguration unless something is under way; else look again later. */
  private pump(): void {
    if (this.pumpScheduled || this.waiting.length === 0 || this.stopped()) return;
    if (this.blocked()) {
      this.pumpLater();
      return;
    }
    this.waiting.shift()!();
    this.pump();
  }
}
