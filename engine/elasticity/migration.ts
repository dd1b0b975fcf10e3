// Migration: move an instance X off a busy VM onto a VM from the pool. It is the stopping
// scale out (engine/elasticity/stoppingScaleOut.ts) with one part, X itself:
//
//   acquire     one VM is reserved from the pool (never a VM in use: X leaves its VM)
//   pause       every upstream of X holds its output and says what it had sent to X
//   checkpoint  X checkpoints once all of that has arrived
//   deploy      X, afresh under its id, on the new VM; restored from its whole checkpoint
//   resume      the upstreams send again from the checkpoint's positions (no new senders:
//               X keeps its identity, channels and output timestamps)
//
// So the migrated X continues exactly where the old one stopped, and the output is the
// output of a run without the migration.

import type { ScalingContext, ScalingOf } from "./scaling.js";
import { StoppingScaleOut } from "./stoppingScaleOut.js";

/** A migration of X to a VM from the pool: one part, none in place. */
export class Migration extends StoppingScaleOut {
  constructor(ctx: ScalingContext, of: ScalingOf) {
    super(ctx, of, 1, 0);
  }
}
