// Live scale out (ScaleOutOptions.live): split (or move) an instance X without stopping it
// for its state's checkpoint, transfer and restore, which grow with the state. Nothing
// stops until the new instances hold current state; only the hand-over pauses:
//
//   acquire     a VM per part is reserved (every part goes to a VM of its own: X retires)
//   snapshot    X checkpoints copy-on-write while it runs and stops acking what it
//               processed, so its upstreams keep every tuple after the checkpoint
//   predeploy   the checkpoint's parts go to new instances (fresh ids, as new senders)
//   shadow      each upstream sends them copies, split by key, of what it sent X after
//               the checkpoint and of everything it sends X from then on
//   catch up    they process it with output suppressed and say when their event time has
//               caught up (to where the upstreams were when they began to copy)
//   pause       the upstreams hold their output and say what they had sent to X
//   senders     X's downstreams expect the new senders
//   retire      X retires once it has what was sent before the pause, saying what it
//               processed and its event time: the new instances emit only past that
//   take over   the new instances learn that cut and say so (they are running already:
//               output an upstream sent them before they knew it would be taken for the
//               backlog, its output suppressed and lost, on a real network where data and
//               control travel different paths)
//   hand over   the new instances take X's place in the plan; the upstreams re-slice,
//               send them what they held during the pause, and resume
//
// Invariant: each new instance's output starts exactly after X's last output (X's cut, by
// input position and event time), so the output is the output of a run without the scale
// out. Under strategy none only (the upstreams' buffers must not be trimmed by
// checkpoints), with a runtime that reserves VMs; operators that align their inputs are
// split the stopping way.

import type { ChannelPosition, Checkpoint } from "../checkpoint.js";
import { asNewInstancePart, partition } from "../checkpoint.js";
import { type ControlReply, UnsupportedScenario } from "../control.js";
import { splitRange } from "../keyGroups.js";
import { type InstanceSpec, routingOf, withInstances } from "../physicalPlan.js";
import { rerouteAndResume } from "../reconfiguration/reroute.js";
import { AwaitingEach, Collecting, type Step } from "../reconfiguration/stepMachine.js";
import { type SentPosition, sentTo } from "../reconfiguration/upstreamPause.js";
import { AcquiringVms, VmReservation } from "../reconfiguration/vmReservation.js";
import { Scaling, type ScalingContext, type ScalingOf } from "./scaling.js";
import { AddingSenders } from "./scalingSteps.js";

/** A live scale out of X into `factor` new instances (one: a live migration). */
export class LiveScaleOut extends Scaling {
  private readonly reservation: VmReservation;
  private specs: InstanceSpec[] = [];

  constructor(
    ctx: ScalingContext,
    of: ScalingOf,
    private readonly factor: number,
  ) {
    super(ctx, of);
    this.reservation = new VmReservation(ctx.link, factor, factor === 1);
  }

  protected override reservationOf(): VmReservation {
    return this.reservation;
  }

  /** A failure while it waits for its VMs gives it up; after that, recovering it is not built yet. */
  override failed(ids: ReadonlySet<number>): boolean {
    if (this.machine.step?.name === "acquiring") return super.failed(ids);
    throw new UnsupportedScenario(
      `instances ${[...ids].join(", ")} failed during a live scale out (${this.machine.step?.name}), which recovery does not handle yet`,
    );
  }

  start(): void {
    const snapshot = new Snapshotting(this.ctx, this.spec.id, this.checkpointId, (cp) => this.predeploy(cp));
    this.machine.go(new AcquiringVms(this.reservation, () => this.machine.go(snapshot)));
  }

  /** The new instances (every part, new ids) are deployed and restored while X runs. */
  private predeploy(cp: Checkpoint): void {
    const ranges = splitRange(this.spec.range, this.factor);
    const parts = partition(cp, ranges).map(asNewInstancePart);
    const first = this.ctx.ids.take(this.ctx.plan.current, this.factor);
    const vms = this.reservation.vms;
    this.specs = ranges.map((range, i) => ({ ...this.spec, id: first + i, range, vm: vms[i] }));
    this.record.instances = this.specs.map((s) => s.id);
    const deploy = () =>
      this.specs.forEach((s, i) => {
        this.ctx.link.redeploy([s], false, () => {
          this.ctx.link.sendControl(s.id, { type: "restore", checkpoint: parts[i], resent: true });
        });
      });
    const ids = this.specs.map((s) => s.id);
    this.machine.go(new AwaitingEach("predeploying", "restored", ids, deploy, () => this.shadow(cp)));
  }

  /** Each upstream sends the new instances copies of what X was sent after the checkpoint, and from now on. */
  private shadow(cp: Checkpoint): void {
    const then = (shadowed: ChannelPosition[]) => this.catchUp(shadowed);
    this.machine.go(shadowing(this.ctx, this.spec, this.specs, this.upstreams, cp, then));
  }

  /** The new instances start, output suppressed, and say when they have caught up. */
  private catchUp(shadowed: readonly ChannelPosition[]): void {
    const send = () => {
      for (const s of this.specs) {
        this.ctx.link.sendControl(s.id, {
          type: "catchUp",
          processed: null,
          watermarkMs: Number.NEGATIVE_INFINITY,
          caughtUpAt: shadowed,
        });
        this.ctx.link.sendControl(s.id, { type: "start" });
      }
    };
    const ids = this.specs.map((s) => s.id);
    this.machine.go(new AwaitingEach("catchingUp", "caughtUp", ids, send, () => this.pause()));
  }

  /** The upstreams pause: the hand-over begins. */
  private pause(): void {
    this.machine.go(this.pausing([this.spec.id], (sent) => this.addSenders(sent)));
  }

  /** X's receivers expect the new senders; then X retires. */
  private addSenders(sent: readonly SentPosition[]): void {
    const plan = this.ctx.plan;
    const x = plan.spec(this.spec.id);
    const retire = () => this.retire(sent);
    this.machine.go(new AddingSenders(this.ctx.link, () => plan.current, x, this.specs, retire));
  }

  /** X hands over once what the upstreams sent it before the pause is in. */
  private retire(sent: readonly SentPosition[]): void {
    const retiring = new Retiring(this.ctx, this.spec.id, sent, (processed, watermarkMs) =>
      this.takeOver(processed, watermarkMs, sent),
    );
    this.machine.go(retiring);
  }

  /** X retired at its cut: the new instances suppress output up to there, and say when they know it. */
  private takeOver(
    processed: readonly ChannelPosition[],
    watermarkMs: number,
    sent: readonly SentPosition[],
  ): void {
    const send = () => {
      for (const s of this.specs)
        this.ctx.link.sendControl(s.id, { type: "catchUp", processed, watermarkMs });
    };
    const ids = this.specs.map((s) => s.id);
    this.machine.go(new AwaitingEach("takingOver", "takenOver", ids, send, () => this.handOver(sent)));
  }

  /** The new instances take X's place; the upstreams send them what they held, re-sliced by key. */
  private handOver(sent: readonly SentPosition[]): void {
    const x = this.spec.id;
    this.ctx.plan.replace([x], this.specs);
    rerouteAndResume(this.ctx.link, this.ctx.plan.current, this.upstreams, this.spec.operator, (edge, u) => {
      // The shadows have everything up to what X was sent before the pause.
      const pos = sent.find((p) => p.edge === edge && p.sender === u && p.receiver === x);
      return pos === undefined ? [] : [[x, pos.seq], ...this.specs.map((s) => [s.id, pos.seq] as const)];
    });
    this.finish();
  }
}

/** The step in which X checkpoints while it runs, holding its acks. */
class Snapshotting implements Step {
  readonly name = "snapshotting";

  constructor(
    private readonly ctx: ScalingContext,
    private readonly x: number,
    private readonly checkpointId: number,
    private readonly then: (cp: Checkpoint) => void,
  ) {}

  enter(): void {
    this.ctx.link.sendControl(this.x, {
      type: "checkpoint",
      checkpointId: this.checkpointId,
      holdAcks: true,
    });
  }

  reply(reply: ControlReply): boolean {
    if (reply.type !== "checkpointed" || reply.checkpoint.id !== this.checkpointId) return false;
    this.then(reply.checkpoint);
    return true;
  }
}

/**
 * The step in which each upstream begins to shadow X, sending the new instances copies of
 * what it sends X after the snapshot; it waits for each (upstream, edge)'s `shadowing`, and
 * moves on with where each copy began (the backlog's end).
 */
function shadowing(
  ctx: ScalingContext,
  x: InstanceSpec,
  specs: readonly InstanceSpec[],
  upstreams: readonly number[],
  snapshot: Checkpoint,
  then: (shadowed: ChannelPosition[]) => void,
): Step {
  const read = (reply: ControlReply) =>
    reply.type === "shadowing"
      ? {
          key: reply.instance * 0x100000 + reply.edge,
          value: {
            edge: reply.edge,
            sender: reply.instance,
            seq: reply.sentSeq,
            watermarkMs: reply.sentWatermarkMs,
          },
        }
      : null;
  const send = (expect: (key: number) => void) => {
    const plan = ctx.plan.current;
    const future = withInstances(plan, [x.id], specs);
    const to = specs.map((s) => s.id);
    for (const u of upstreams) {
      const uspec = ctx.plan.spec(u);
      for (const e of plan.logical.edges.filter((e) => e.to === x.operator)) {
        const pos = snapshot.inputs.find((p) => p.edge === e.id && p.sender === u);
        if (pos === undefined) continue;
        expect(u * 0x100000 + e.id);
        const routing = routingOf(future, e, uspec);
        ctx.link.sendControl(u, { type: "shadow", edge: e.id, of: x.id, to, routing, afterSeq: pos.seq });
      }
    }
  };
  return new Collecting<ChannelPosition>("shadowing", read, send, (shadowed) => then([...shadowed.values()]));
}

/** The step in which X retires once it has what was sent before the pause, saying what it processed. */
class Retiring implements Step {
  readonly name = "retiring";

  constructor(
    private readonly ctx: ScalingContext,
    private readonly x: number,
    private readonly sent: readonly SentPosition[],
    private readonly then: (processed: readonly ChannelPosition[], watermarkMs: number) => void,
  ) {}

  enter(): void {
    this.ctx.link.sendControl(this.x, { type: "retire", received: sentTo(this.sent, this.x) });
  }

  reply(reply: ControlReply): boolean {
    if (reply.type !== "retired" || reply.instance !== this.x) return false;
    this.then(reply.processed, reply.watermarkMs);
    return true;
  }
}
