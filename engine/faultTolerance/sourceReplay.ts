// source-replay: no checkpoints and no buffers kept. Every recovery restarts the lost
// instances and everything upstream of them from their initial state (rewind), and the
// sources replay their streams from the start; receivers drop by per-edge timestamp what
// they already have, so the output is exactly the failure-free output. The slowest
// recovery, with nothing to pay while no failure comes.

import type { Checkpoint } from "../checkpoint.js";
import { askCheckpoint, type FaultToleranceRun, type RecoveryStrategy, rewind } from "./strategy.js";

/** The source-replay strategy. */
export class SourceReplay implements RecoveryStrategy {
  readonly periodic = false;
  readonly parallelRecovery = 1;

  constructor(private readonly run: FaultToleranceRun) {}

  interval(): void {}

  checkpoint(id: number): void {
    askCheckpoint(this.run, id);
  }

  checkpointed(_cp: Checkpoint): void {}

  recovering(): Iterable<number> {
    return [];
  }

  /** Every replaced instance restarts, with everything upstream of it. */
  rollsBack(): boolean {
    return true;
  }

  restore(id: number): void {
    rewind(this.run, id);
  }
}
