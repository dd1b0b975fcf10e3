// source-replay: no checkpoints and no buffers kept. Every recovery restarts the lost
// instances and everything upstream of them from their initial state (rewind), and the
// sources replay their streams from the start; receivers drop by per-edge timestamp what
// they already have, so the output is exactly the failure-free output. The slowest
// recovery, with nothing to pay while no failure comes. Once a reconfiguration has
// re-sliced key groups the start of the stream is not a state of the plan any more: each
// reconfiguration begins at a quiescent base (engine/reconfiguration/quiescentBase.ts),
// and restarts begin from the latest base instead, the sources replaying from there.

import type { ChannelPosition, Checkpoint } from "../checkpoint.js";
import { STORE } from "./backupPlacement.js";
import { restoreFromBackup } from "./backupTable.js";
import { askCheckpoint, type FaultToleranceRun, type RecoveryStrategy, rewind } from "./strategy.js";

/** The source-replay strategy. */
export class SourceReplay implements RecoveryStrategy {
  readonly periodic = false;
  readonly parallelRecovery = 1;
  /** The latest reconfiguration's base, by instance (empty before the first). */
  private base: ReadonlyMap<number, Checkpoint> = new Map();

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

  /** From the latest base, or from the initial state before any. */
  restore(id: number): void {
    const cp = this.base.get(id);
    if (cp === undefined) rewind(this.run, id);
    else restoreFromBackup(this.run.link, id, { holder: STORE, checkpoint: cp, positions: cp });
  }

  quiesce(then: () => void): void {
    then();
  }

  adoptBase(checkpoints: ReadonlyMap<number, Checkpoint> | null): void {
    if (checkpoints !== null) this.base = new Map(checkpoints);
  }

  /** A restart replays from the base (what a lingering instance's release looks at). */
  restartPositions(id: number): readonly ChannelPosition[] | undefined {
    return this.base.get(id)?.inputs;
  }
}
