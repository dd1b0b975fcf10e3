// Live scale out (ScaleOutOptions.live): split (or move) an instance X without stopping it
// for its state's checkpoint, transfer and restore, which grow with the state. Nothing
// stops until the new instances hold current state; only the hand-over pauses:
//
//   acquire     a VM per part is reserved (every part goes to a VM of its own: X retires)
//   quiesce     under a strategy that restarts from a state of the whole plan
//               (global-snapshot, upstream-backup, source-replay) its periodic work stops
//               first, so that nothing trims what the new instances are still to be sent
//   snapshot    X checkpoints copy-on-write while it runs and stops acking what it
//               processed, so its upstreams keep every tuple after the checkpoint; under
//               a recovering strategy X takes no periodic checkpoint from now on (frozen),
//               so no backup of X trims what the new instances are still to be sent
//   predeploy   the checkpoint's parts go to new instances (fresh ids, as new senders)
//   shadow      each upstream sends them copies, split by key, of what it sent X after
//               the checkpoint and of everything it sends X from then on
//   catch up    they process it with output suppressed and say when their event time has
//               caught up (to where the upstreams were when they began to copy)
//   base        under those three strategies only: the quiescent base every reconfiguration
//               under them needs (engine/reconfiguration/quiescentBase.ts) is taken now,
//               the new instances already current: the sources pause and every instance of
//               the plan checkpoints at one cut. The whole plan stops from here to the hand-
//               over, for as long as draining the queues takes, whatever the state's size
//   pause       the upstreams hold their output and say what they had sent to X
//   senders     X's downstreams expect the new senders
//   retire      X retires once it has what was sent before the pause, saying what it
//               processed and its event time: the new instances emit only past that.
//               Under a recovering strategy X lingers (finished, serving replays and acks)
//               until every receiver's restart point covers the end of its streams (its
//               backup under rsm, its entry in the base otherwise), since a receiver
//               restored from an earlier one asks X to replay
//   take over   the new instances learn that cut and say so (they are running already:
//               output an upstream sent them before they knew it would be taken for the
//               backlog, its output suppressed and lost, on a real network where data and
//               control travel different paths). Under a recovering strategy each one's
//               rewind point (its backup under rsm, its entry in the base otherwise) is its
//               part with that cut (a checkpoint keeps its suppression), and its upstreams
//               keep what they copied to it since the snapshot, so it can be restored from
//               there
//   seal        at a base: its entries of X's receivers precede the end of X's streams,
//               which X sends as it retires. Each receiver checkpoints again once that end
//               is in (nothing else has moved: the sources are paused and all else drained)
//               and this takes its place in the base, so that no restart from the base
//               needs X: it retires for good as the base is handed over. X is redeployed
//               from its own entry if it is lost while it lingers
//   hand over   the new instances take X's place in the plan; the upstreams re-slice,
//               send them what they held during the pause, and resume; a base goes to the
//               strategy and the sources resume
//
// Invariant: each new instance's output starts exactly after X's last output (X's cut, by
// input position and event time), so the output is the output of a run without the scale
// out. A failure before X has retired gives the scale out up: the shadows are forgotten
// upstream, the receivers drop the new senders, the new instances and their VMs go, the
// paused upstreams (and sources) resume, and the recovery works on the plan as it was (X is
// restored from its last backup, which nothing has trimmed past since the snapshot). From
// X's retirement on it completes without the failed instances, recovered in the new plan.
// Needs a runtime that reserves VMs; operators that align their inputs are split the
// stopping way.

import type { ChannelPosition, Checkpoint } from "../checkpoint.js";
import { asNewInstancePart, partition, withSuppression } from "../checkpoint.js";
import type { ControlReply } from "../control.js";
import { splitRange } from "../keyGroups.js";
import { type InstanceSpec, routingOf, withInstances } from "../physicalPlan.js";
import { rerouteAndResume } from "../reconfiguration/reroute.js";
import { outputChannelsOf, replaceSender } from "../reconfiguration/senders.js";
import { AwaitingEach, Collecting, type Step } from "../reconfiguration/stepMachine.js";
import { type SentPosition, sentTo } from "../reconfiguration/upstreamPause.js";
import { AcquiringVms, VmReservation } from "../reconfiguration/vmReservation.js";
import { Scaling, type ScalingContext, type ScalingOf } from "./scaling.js";
import { AddingSenders, checkpointingAtCut } from "./scalingSteps.js";

/** Its steps' names, in the order they come. */
const LIVE_STEPS = [
  "acquiring",
  "quiescing",
  "snapshotting",
  "predeploying",
  "shadowing",
  "catchingUp",
  "basing",
  "pausing",
  "adding",
  "retiring",
  "takingOver",
  "sealing",
] as const;

/** A live scale out of X into `factor` new instances (one: a live migration). */
export class LiveScaleOut extends Scaling {
  private readonly reservation: VmReservation;
  private specs: InstanceSpec[] = [];
  /** The snapshot's parts, by new instance (a recovering strategy's rewind base for each). */
  private parts: Checkpoint[] = [];

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

  /**
   * A failure before X retired gives the scale out up (returns true: the recovery works on
   * the plan as it was), but one of another instance while X retires, which it waits out;
   * from X's retirement on the scale out completes without the failed instances.
   */
  override failed(ids: ReadonlySet<number>): boolean {
    const step = this.machine.step?.name ?? "?";
    if (step === "acquiring") return super.failed(ids);
    if (!this.reached("takingOver") && (step !== "retiring" || ids.has(this.spec.id))) {
      this.undo(ids);
      this.givenUp(ids, step);
      return true;
    }
    this.machine.lost(ids);
    return false;
  }

  /** True once the step `name` has begun (the steps come in LIVE_STEPS order). */
  private reached(name: (typeof LIVE_STEPS)[number]): boolean {
    return (
      LIVE_STEPS.indexOf(this.machine.step?.name as (typeof LIVE_STEPS)[number]) >= LIVE_STEPS.indexOf(name)
    );
  }

  /** Undo what the steps so far did: new senders, shadows, the pause, new instances, the freeze. */
  private undo(ids: ReadonlySet<number>): void {
    const { link, plan } = this.ctx;
    const current = plan.current;
    const news = this.specs.map((s) => s.id);
    if (this.reached("adding"))
      for (const c of outputChannelsOf(current, this.spec))
        if (!ids.has(c.receiver)) for (const s of news) replaceSender(link, c, s, []);
    for (const u of this.upstreams) {
      if (ids.has(u)) continue;
      if (this.reached("shadowing")) {
        // The routing as it is: the shadows it does not name are forgotten. Only the edges
        // this upstream sends on (an operator of several inputs has other upstreams too).
        const uspec = plan.spec(u);
        const edges = current.logical.edges.filter(
          (e) => e.to === this.spec.operator && e.from === uspec.operator,
        );
        for (const e of edges)
          link.sendControl(u, { type: "reroute", edge: e.id, routing: routingOf(current, e, uspec) });
      }
      if (this.reached("pausing")) link.sendControl(u, { type: "resume" });
    }
    if (this.reached("predeploying")) link.discard?.(news);
    this.ctx.hooks.thaw?.([this.spec.id]);
  }

  start(): void {
    const snapshot = new Snapshotting(this.ctx, this.spec.id, this.checkpointId, (cp) => this.predeploy(cp));
    this.machine.go(
      new AcquiringVms(this.reservation, () =>
        this.quiescing(() => {
          this.ctx.hooks.freeze?.([this.spec.id]);
          this.machine.go(snapshot);
        }),
      ),
    );
  }

  /** Given up at the base (an instance still re-sends a replay): what the steps did is undone first. */
  protected override refused(why: string): void {
    this.undo(new Set());
    super.refused(why);
  }

  /** The new instances (every part, new ids) are deployed and restored while X runs. */
  private predeploy(cp: Checkpoint): void {
    const ranges = splitRange(this.spec.range, this.factor);
    const parts = partition(cp, ranges).map(asNewInstancePart);
    this.parts = parts;
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
    this.machine.go(
      new AwaitingEach("catchingUp", "caughtUp", ids, send, () => this.takingBase(() => this.pause())),
    );
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
    const linger = this.rewinds;
    const retiring = new Retiring(this.ctx, this.spec.id, sent, linger, (processed, watermarkMs) =>
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
    if (this.rewinds) {
      // Each new instance's rewind base (its backup under rsm, its entry in the base
      // otherwise): its part, suppressing up to X's cut.
      const suppression = [{ edge: null, receiver: null, processed, watermarkMs }];
      for (const [i, s] of this.specs.entries())
        this.restoredPart(withSuppression(this.parts[i], suppression), s);
    }
    const send = () => {
      for (const s of this.specs)
        this.ctx.link.sendControl(s.id, { type: "catchUp", processed, watermarkMs });
    };
    const ids = this.specs.map((s) => s.id);
    const handOver = () => this.handOver(sent);
    const then = this.baseCheckpointOf(this.spec.id) === undefined ? handOver : () => this.seal(handOver);
    this.machine.go(new AwaitingEach("takingOver", "takenOver", ids, send, then));
  }

  /**
   * At a base: the base's entries of X's receivers precede the end of X's streams, which X
   * sent as it retired. Each receiver checkpoints again once that end is in (nothing else
   * has moved since: the sources are paused, everything else drained), and that checkpoint
   * takes its place in the base, so that a restart from the base does not need X. One that
   * fails meanwhile keeps its entry (X lingers for it).
   */
  private seal(then: () => void): void {
    const x = this.baseCheckpointOf(this.spec.id)!;
    const ends: SentPosition[] = [];
    for (const o of x.outputs) {
      const sent = new Map(o.sentTo);
      for (const receiver of new Set([...o.routing.receivers, ...sent.keys()])) {
        const seq = sent.get(receiver) ?? 0;
        ends.push({ edge: o.edge, sender: x.instance, receiver, seq, watermarkMs: Number.POSITIVE_INFINITY });
      }
    }
    const receivers = [...new Set(ends.map((p) => p.receiver))].map((id) => ({ id }));
    const sealed = (cps: ReadonlyMap<number, Checkpoint>) => {
      for (const cp of cps.values()) this.rebase(cp);
      then();
    };
    this.machine.go(checkpointingAtCut(this.ctx.link, this.checkpointId, receivers, ends, sealed, "sealing"));
  }

  /** The new instances take X's place; the upstreams send them what they held, re-sliced by key. */
  private handOver(sent: readonly SentPosition[]): void {
    const x = this.spec.id;
    const receivers = outputChannelsOf(this.ctx.plan.current, this.spec).map((c) => c.receiver);
    const keeps = this.rewinds;
    this.ctx.plan.replace([x], this.specs);
    rerouteAndResume(this.ctx.link, this.ctx.plan.current, this.upstreams, this.spec.operator, (edge, u) => {
      // The shadows have everything up to what X was sent before the pause; under a
      // recovering strategy each keeps what it was copied after its part's position.
      const pos = sent.find((p) => p.edge === edge && p.sender === u && p.receiver === x);
      if (pos === undefined) return [];
      const from = (i: number) =>
        keeps
          ? (this.parts[i].inputs.find((p) => p.edge === edge && p.sender === u)?.seq ?? pos.seq)
          : pos.seq;
      return [[x, pos.seq], ...this.specs.map((s, i) => [s.id, from(i)] as const)];
    });
    if (keeps) {
      // At a base, X's checkpoint there is its state at its retirement (it processed nothing
      // after): if X is lost while it lingers, it is redeployed from it.
      const cut = this.baseCheckpointOf(x);
      const atCut = cut === undefined ? undefined : { spec: this.spec, cut };
      this.ctx.hooks.lingering?.(x, this.spec.operator, [...new Set(receivers)], atCut);
    }
    this.finish();
  }

  /**
   * True when a new instance may have to be rebuilt from its part after the hand-over (a
   * recovering strategy): its upstreams keep what they copied to it since the snapshot.
   */
  private get rewinds(): boolean {
    return this.ctx.hooks.keepsBackups === true || this.needsBase;
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
    private readonly linger: boolean,
    private readonly then: (processed: readonly ChannelPosition[], watermarkMs: number) => void,
  ) {}

  enter(): void {
    const received = sentTo(this.sent, this.x);
    this.ctx.link.sendControl(
      this.x,
      this.linger ? { type: "retire", received, linger: true } : { type: "retire", received },
    );
  }

  reply(reply: ControlReply): boolean {
    if (reply.type !== "retired" || reply.instance !== this.x) return false;
    this.then(reply.processed, reply.watermarkMs);
    return true;
  }
}
