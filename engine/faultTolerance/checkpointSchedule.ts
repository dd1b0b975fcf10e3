// The fault-tolerance protocol's clock: every checkpointIntervalMs, on the run's clock,
// the strategy's periodic step (checkpoints, marks or a global snapshot), until the run
// is over. The engine sets no timer of its own: the runtime's clock schedules it.

import type { Clock, TimerHandle } from "../runtime.js";

/** A periodic step on the run's clock, until stopped. */
export class CheckpointSchedule {
  private timer: TimerHandle | null = null;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly onInterval: () => void,
  ) {}

  /** Begin: the first step one interval from now. */
  start(): void {
    this.timer = this.clock.schedule(this.intervalMs, () => this.tick());
  }

  /** No more steps (the run is over). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.cancel(this.timer);
    this.timer = null;
  }

  private tick(): void {
    this.timer = null;
    if (this.stopped) return;
    this.onInterval();
    this.timer = this.clock.schedule(this.intervalMs, () => this.tick());
  }
}
