// Scale in: merge instance Y into X, its neighbour in key-group order. X keeps its
// identity and VM; Y ends its output streams and retires. The same cut as a scale out's,
// the other way round:
//
//   pause       the upstreams of both hold their output and say what they had sent to each
//   checkpoint  X and Y each checkpoint once what was sent to them has arrived
//   retire      Y ends its output streams (a watermark of +infinity, so receivers stop
//               waiting for it) and says so. Under a recovering strategy it lingers
//               (finished, serving replays and acks) until every receiver's backup (or
//               base) covers the end of its streams, since a receiver restored from an
//               older one asks Y to replay; then it goes for good, with its VM if nothing
//               else runs there
//   merge       the two checkpoints are merged at the cut: each channel from the higher of
//               the two positions (an upstream numbers its output per edge, and at the cut
//               each of X and Y has everything it was sent, so every tuple up to the higher
//               one was processed by one of them: an upstream restored from an older backup
//               replays nothing twice), the event time the lower of the two (time windows
//               record per key what they fired, so nothing fires twice)
//   deploy      X is deployed afresh in place, over both ranges, and restored from the
//               merged checkpoint, which is its backup under rsm until it checkpoints
//   resume      the upstreams re-slice over X alone and send it what neither had processed
//
// The merge is exact only when every upstream has sent past both positions (one that
// restarted or was restored behind them is re-sending what they had: some tuples up to
// the higher position went to the lower one and are still to come); otherwise the scale
// in is given up at the cut, nothing changed, and a later one may merge.
//
// The output is the output of a run without the scale in. A failure up to Y's retirement
// gives the scale in up (Y has not ended its streams: nothing changed; the upstreams resume
// as they were). From it on the scale in completes without the failed instances, which are
// recovered in the new plan (X from the merged checkpoint); the lingering Y, if lost, is
// redeployed from its checkpoint at the cut, lingering again, where the runtime can deploy
// an instance out of the plan (the simulator and real workers both can); elsewhere it is
// gone (the backups it held fall back to their copies).

import { type Checkpoint, mergeAtCut } from "../checkpoint.js";
import type { ControlReply } from "../control.js";
import type { InstanceSpec } from "../physicalPlan.js";
import { outputChannelsOf } from "../reconfiguration/senders.js";
import { Acting, AwaitingEach, type Step } from "../reconfiguration/stepMachine.js";
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
    this.atBase(() =>
      this.machine.go(this.pausing([this.spec.id, this.retiring.id], (sent) => this.checkpoint(sent))),
    );
  }

  /**
   * A failure before Y retired gives the scale in up (returns true); one of another
   * instance while Y retires is waited out; from Y's retirement on the scale in completes.
   */
  override failed(ids: ReadonlySet<number>): boolean {
    if (this.machine.step?.name === "retiring" && ids.has(this.retiring.id)) {
      this.resumeUpstreams(ids);
      this.givenUp(ids, "retiring");
      return true;
    }
    return super.failed(ids);
  }

  private checkpoint(sent: readonly SentPosition[]): void {
    const targets = [this.spec, this.retiring];
    const then = (cps: ReadonlyMap<number, Checkpoint>) => {
      const behind = behindUpstream(sent, cps);
      if (behind === null) {
        this.retire(cps);
        return;
      }
      // Nothing has changed yet: the upstreams resume, and a later scale in may merge.
      this.resumeUpstreams();
      this.refused(
        `given up at the cut: upstream ${behind} is still re-sending what X and Y had (a merged position would drop or repeat some)`,
      );
    };
    this.machine.go(checkpointingAtCut(this.ctx.link, this.checkpointId, targets, sent, then));
  }

  /** Y ends its output streams (lingering under a recovering strategy); then the merge. */
  private retire(checkpoints: ReadonlyMap<number, Checkpoint>): void {
    const y = this.retiring;
    // Under a recovering strategy Y lingers: a receiver restored from a backup (or a base)
    // taken before it had processed all of Y's output asks Y to replay it. At a base too:
    // a receiver checkpoints at processed positions, and the tuples its merge held back
    // then (received, not processed) came from Y (LRB chaos seeds 20270318, 20270388).
    const linger = this.ctx.hooks.keepsBackups === true || this.ctx.hooks.quiesce !== undefined;
    const receivers = [...new Set(outputChannelsOf(this.ctx.plan.current, y).map((c) => c.receiver))];
    const then = () => {
      if (linger)
        this.ctx.hooks.lingering?.(y.id, y.operator, receivers, { spec: y, cut: checkpoints.get(y.id)! });
      this.machine.go(new Acting("deploying", () => this.merge(checkpoints)));
    };
    this.machine.go(new RetiringAtCut(this.ctx, y.id, linger, then));
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
    this.restoredPart(merged, this.ctx.plan.spec(this.spec.id));
    this.ctx.link.redeploy(specs, false, (placed) => {
      this.ctx.plan.place(placed);
      const restore = () => {
        this.ctx.link.sendControl(this.spec.id, { type: "restore", checkpoint: merged, resent: true });
      };
      const then = () => this.resumeAtCut(checkpoints, specs);
      this.machine.go(new AwaitingEach("restoring", "restored", [this.spec.id], restore, then));
    });
  }
}

/**
 * An upstream that has not yet sent, on some edge, up to the higher of X's and Y's
 * positions (it restarted or was restored behind them and is re-sending), or null. Only
 * when each has sent past both is every tuple up to the higher position processed by one
 * of them, so that one merged position per channel is exact.
 */
function behindUpstream(sent: readonly SentPosition[], cps: ReadonlyMap<number, Checkpoint>): number | null {
  const highest = new Map<string, number>();
  // A channel both have processed to its end (a sender merged away earlier: it sends
  // nothing more, and a checkpoint's watermark stays below any tuple its merge holds back)
  // is whole in both: its higher position is exact.
  const open = new Set<string>();
  for (const cp of cps.values())
    for (const p of cp.inputs) {
      const k = `${p.edge}/${p.sender}`;
      highest.set(k, Math.max(highest.get(k) ?? 0, p.seq));
      if (p.watermarkMs !== Number.POSITIVE_INFINITY) open.add(k);
    }
  for (const k of [...highest.keys()]) if (!open.has(k)) highest.delete(k);
  const transmitted = new Map<string, number>();
  for (const p of sent) {
    const k = `${p.edge}/${p.sender}`;
    transmitted.set(k, Math.max(transmitted.get(k) ?? 0, p.seq));
  }
  for (const [k, seq] of highest) if ((transmitted.get(k) ?? 0) < seq) return Number(k.split("/")[1]);
  return null;
}

/** The step in which Y, checkpointed at the cut, ends its output streams and says so. */
class RetiringAtCut implements Step {
  readonly name = "retiring";

  constructor(
    private readonly ctx: ScalingContext,
    private readonly y: number,
    private readonly linger: boolean,
    private readonly then: () => void,
  ) {}

  enter(): void {
    this.ctx.link.sendControl(this.y, this.linger ? { type: "retire", linger: true } : { type: "retire" });
  }

  reply(reply: ControlReply): boolean {
    if (reply.type !== "retired" || reply.instance !== this.y) return false;
    this.then();
    return true;
  }
}
