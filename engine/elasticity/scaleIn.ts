// Scale in: merge instance Y into X, its neighbour in key-group order. X keeps its
// identity and VM; Y ends its output streams and retires. The same cut as a scale out's,
// the other way round:
//
//   pause       the upstreams of both hold their output and say what they had sent to each
//   checkpoint  X and Y each checkpoint once what was sent to them has arrived
//   merge       the two checkpoints are merged at the cut: each channel from the lower of
//               the two positions, the event time the lower of the two (time windows
//               record per key what they fired, so nothing fires twice)
//   deploy      X is deployed afresh in place, over both ranges, and restored from the
//               merged checkpoint
//   retire      Y ends its output streams (a watermark of +infinity, so receivers stop
//               waiting for it) and goes, with its VM if nothing else runs there
//   resume      the upstreams re-slice over X alone and send it what neither had processed
//
// The output is the output of a run without the scale in. Strategy none only so far: a
// retiring instance's unacked output would have to stay replayable under rsm.

import { type Checkpoint, mergeAtCut } from "../checkpoint.js";
import type { InstanceSpec } from "../physicalPlan.js";
import { Acting, AwaitingEach } from "../reconfiguration/stepMachine.js";
import type { SentPosition } from "../reconfiguration/upstreamPause.js";
import { Scaling, type ScalingContext, type ScalingOf } from "./scaling.js";
import { checkpointingAtCut } from "./scalingSteps.js";

/** A scale in of Y into X. */
export class ScaleIn extends Scaling {
  constructor(
    ctx: ScalingContext,
    of: ScalingOf,
    /** The instance merged into X: it retires. */
    private readonly retiring: InstanceSpec,
  ) {
    super(ctx, of);
  }

  start(): void {
    this.machine.go(this.pausing([this.spec.id, this.retiring.id], (sent) => this.checkpoint(sent)));
  }

  private checkpoint(sent: readonly SentPosition[]): void {
    const targets = [this.spec, this.retiring];
    const then = (cps: ReadonlyMap<number, Checkpoint>) =>
      this.machine.go(new Acting("deploying", () => this.merge(cps)));
    this.machine.go(checkpointingAtCut(this.ctx.link, this.checkpointId, targets, sent, then));
  }

  /** Merge the two checkpoints and deploy X afresh in place with the merged state. */
  private merge(checkpoints: ReadonlyMap<number, Checkpoint>): void {
    const y = this.retiring;
    const cpX = checkpoints.get(this.spec.id)!;
    const cpY = checkpoints.get(y.id)!;
    const merged = mergeAtCut([cpX, { ...cpY, instance: -1 }]);
    const specs = [{ ...this.spec, range: merged.range }];
    this.ctx.hooks.replacing?.([this.spec.id]);
    this.ctx.plan.replace([this.spec.id, y.id], specs);
    this.ctx.link.redeploy(specs, false, (placed) => {
      this.ctx.plan.place(placed);
      const restore = () => {
        this.ctx.link.sendControl(this.spec.id, { type: "restore", checkpoint: merged, resent: true });
      };
      const then = () => this.resume(checkpoints, specs);
      this.machine.go(new AwaitingEach("restoring", "restored", [this.spec.id], restore, then));
    });
  }

  /** Y ends its output streams; the upstreams send X what neither had processed; X starts. */
  private resume(checkpoints: ReadonlyMap<number, Checkpoint>, specs: readonly InstanceSpec[]): void {
    this.ctx.link.sendControl(this.retiring.id, { type: "retire" });
    this.resumeAtCut(checkpoints, specs);
  }
}
