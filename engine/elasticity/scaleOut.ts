// Scale out of a stateful instance at runtime, on the coordinator's side: SEEP's
// composition of the state primitives, at a cut where nothing is in flight.
//
//   pause       every upstream of X holds its output and says what it had sent to X
//   checkpoint  X checkpoints once all of that has arrived (processing stops there: its
//               input is held upstream and its watermark cannot move)
//   partition   the checkpoint is split by key-group ranges; part 0 keeps X's identity,
//               output timestamps and buffers, the others are new instances
//   deploy      X afresh in place, the new instances each on a VM from the pool;
//               each is restored from its part
//   senders     X's downstream instances expect the new senders (so that their low
//               watermark waits for them before anything moves on)
//   reroute     each upstream re-slices the key groups over X and the new instances and
//               moves the buffered tuples after X's checkpoint to their new owners
//   resume      the upstreams send again, from the checkpoint's positions on
//
// Nothing X emitted is regenerated (it stopped at the checkpoint), and each new instance
// sends on channels of its own, so the receivers' per-channel timestamps stay exact: the
// output is the output of a run without the scale out. One scale out at a time.
//
// Live (ScaleOutOptions.live): the pause above lasts as long as X's whole state takes to
// copy, send and restore. Live, nothing stops until the new instances hold current state:
//
//   snapshot    X checkpoints copy-on-write while it runs and stops acking what it
//               processed, so its upstreams keep every tuple after the checkpoint
//   predeploy   the checkpoint's parts go to new instances (all parts: X will retire)
//   shadow      each upstream sends them copies, split by key, of what it sent X after
//               the checkpoint and of everything it sends X from then on; they process
//               it with output suppressed and say when their event time has caught up
//   pause       the upstreams hold their output; X's downstreams expect the new senders
//   retire      X retires once it has what was sent before the pause, saying what it
//               processed and its event time: the new instances emit only past that
//   take over   the new instances learn that cut and say so (they are running already:
//               output an upstream sent them before they knew it would be taken for
//               the backlog, its output suppressed and lost, on a real network where
//               data and control travel different paths)
//   hand over   the upstreams re-slice, send the new instances what they held, resume

import type { ChannelPosition, Checkpoint } from "../checkpoint.js";
import { asNewInstancePart, mergeAtCut, partition } from "../checkpoint.js";
import type { ControlReply } from "../control.js";
import type { FaultToleranceLink } from "../faultTolerance/faultTolerance.js";
import { splitRange } from "../keyGroups.js";
import {
  InstanceIds,
  type InstanceSpec,
  instanceById,
  type PhysicalPlan,
  routingOf,
  upstreamIdsOf,
  withInstances,
} from "../physicalPlan.js";

/** One scale out (or migration: a "scale out" into one instance on another VM), as summary.json reports it. */
export interface ScaleOutRecord {
  readonly kind: "scaleOut" | "migration" | "scaleIn";
  readonly operator: number;
  /** The instance split, and the instances it became (itself first). */
  readonly instance: number;
  /** Known once the parts are chosen (a scale out), or at once (a scale in). */
  instances: readonly number[];
  readonly requestedAtMs: number;
  /** When the upstreams were told to pause (its VMs were ready); the pause lasts until completedAtMs. */
  pausedAtMs: number | null;
  /** When the upstreams resumed: the scale out is done (null: never, the run ended first, or it was refused). */
  completedAtMs: number | null;
  /** Why it was given up before anything paused (no VM could be had); null: it was not. */
  refused: string | null;
}

/** Why instances of `operator` cannot be split or merged (null: they can): input not by key. */
export function whyNotScalable(plan: PhysicalPlan, operator: number): string | null {
  const op = plan.logical.operators[operator];
  const inputs = plan.logical.edges.filter((e) => e.to === operator);
  if (op.kind !== "operator" || inputs.length === 0 || inputs.some((e) => e.contract !== "key")) {
    return `operator "${op.name}" does not take its input by key`;
  }
  return null;
}

/** What a fault-tolerance protocol hears of a scale out. */
export interface ScaleOutHooks {
  /** These instances are being deployed afresh: no checkpoints until `replaced`. */
  replacing?(ids: readonly number[]): void;
  /** Each part is restored into its instance: its backup until it checkpoints. */
  restored?(part: Checkpoint, spec: InstanceSpec): void;
  /** The instances run again. */
  replaced?(ids: readonly number[]): void;
}

type Phase =
  | "acquiring"
  | "snapshotting"
  | "predeploying"
  | "shadowing"
  | "pausing"
  | "checkpointing"
  | "deploying"
  | "restoring"
  | "adding"
  | "retiring"
  | "takingOver"
  | "done";

interface Active {
  readonly record: ScaleOutRecord;
  readonly spec: InstanceSpec;
  readonly factor: number;
  readonly checkpointId: number;
  readonly upstreams: readonly number[];
  phase: Phase;
  /** What each upstream had sent to X (and, in a scale in, to the retiring instance) when it paused. */
  readonly sent: (ChannelPosition & { readonly receiver: number })[];
  readonly waiting: Set<number>;
  parts: Checkpoint[];
  specs: InstanceSpec[];
  /** senderAdded replies still due. */
  adds: number;
  /** VMs taken from the pool before the pause (empty when the link cannot reserve). */
  readonly vms: number[];
  /** Set once the scale out is abandoned: where VMs reserved for it go instead. */
  unused: ((vm: number) => void) | null;
  /** Scale in: the instance merged into X (it retires), and both checkpoints as they come. */
  readonly retiring: InstanceSpec | null;
  readonly checkpoints: Map<number, Checkpoint>;
  /**
   * A live scale out: the new instances are restored from a checkpoint
   * X takes while it runs, and catch up from its upstreams' buffers; X retires at the cut.
   */
  readonly live: boolean;
  /** Live: per upstream channel, the last tuple sent to X when shadowing began (the backlog's end). */
  readonly shadowed: ChannelPosition[];
}

/** How scale outs are carried out. */
export interface ScaleOutOptions {
  /**
   * Live state transfer: split (or move) an instance without stopping it for its state's
   * checkpoint, transfer and restore; only the final hand-over pauses its upstreams.
   * Under strategy none only (the upstreams' buffers must not be trimmed by checkpoints),
   * with a runtime that reserves VMs; operators that align their inputs are split the
   * usual way.
   */
  readonly live?: boolean;
}

/** Scale outs of a run, one at a time. */
export class ScaleOut {
  readonly records: ScaleOutRecord[] = [];
  private active: Active | null = null;
  private nextCheckpointId = -1;

  constructor(
    private plan: PhysicalPlan,
    private readonly link: FaultToleranceLink,
    private readonly onPlan: (plan: PhysicalPlan) => void,
    private readonly hooks: ScaleOutHooks = {},
    private readonly options: ScaleOutOptions = {},
    private readonly ids: InstanceIds = new InstanceIds(),
  ) {}

  /** True while a scale out is under way. */
  get busy(): boolean {
    return this.active !== null;
  }

  /** The plan changed elsewhere (a recovery placed instances). */
  planChanged(plan: PhysicalPlan): void {
    this.plan = plan;
  }

  /**
   * Split instance `id` into `factor` instances over its key groups. Returns why it cannot
   * start (null: started): one is under way, the operator is not keyed, or its range is
   * too small.
   */
  scaleOut(id: number, factor: number): string | null {
    if (factor < 2) return `a scale out needs a factor of at least 2, not ${factor}`;
    return this.begin(id, factor);
  }

  /**
   * Move instance `id` to a VM from the pool (off a busy VM): the same protocol with one
   * part, deployed on the new VM instead of in place. Returns why it cannot start, or null.
   */
  migrate(id: number): string | null {
    return this.begin(id, 1);
  }

  private begin(id: number, factor: number): string | null {
    if (this.active !== null) return "a scale out is under way";
    const spec = instanceById(this.plan, id);
    const op = this.plan.logical.operators[spec.operator];
    const why = whyNotScalable(this.plan, op.id);
    if (why !== null) return why;
    if (spec.range.size < factor) return `instance ${id} has too few key groups to split in ${factor}`;
    const upstreams = upstreamIdsOf(this.plan, [spec]);
    const reserve = this.link.reserve;
    const live = this.options.live === true && reserve !== undefined && !op.syncInputs;
    this.active = this.open(
      factor === 1 ? "migration" : "scaleOut",
      spec,
      [],
      factor,
      upstreams,
      null,
      "acquiring",
      live,
    );
    // The VMs first (a cold start can take minutes), then the pause: nothing waits on the pool.
    // A live scale out puts every part on a new VM (X retires); otherwise part 0 stays.
    const needed = live || factor === 1 ? factor : factor - 1;
    const a = this.active;
    if (reserve === undefined) this.pause(a);
    else {
      for (let i = 0; i < needed; i++) {
        reserve.call(
          this.link,
          (vm) => {
            if (a.unused !== null) {
              a.unused(vm); // abandoned meanwhile: the VM is not needed
              return;
            }
            a.vms.push(vm);
            if (a.vms.length === needed) {
              if (a.live) this.snapshot(a);
              else this.pause(a);
            }
          },
          factor === 1,
        );
      }
    }
    return null;
  }

  /** Record a reconfiguration and make it the one under way. */
  private open(
    kind: ScaleOutRecord["kind"],
    spec: InstanceSpec,
    instances: number[],
    factor: number,
    upstreams: number[],
    retiring: InstanceSpec | null,
    phase: Phase,
    live = false,
  ): Active {
    const record: ScaleOutRecord = {
      kind,
      operator: spec.operator,
      instance: spec.id,
      instances,
      requestedAtMs: this.link.clock.nowMs(),
      pausedAtMs: null,
      completedAtMs: null,
      refused: null,
    };
    this.records.push(record);
    return {
      record,
      spec,
      factor,
      checkpointId: this.nextCheckpointId--,
      upstreams,
      phase,
      sent: [],
      waiting: new Set(upstreams),
      parts: [],
      specs: [],
      adds: 0,
      vms: [],
      unused: null,
      retiring,
      checkpoints: new Map(),
      live,
      shadowed: [],
    };
  }

  /**
   * Give up the scale out under way while it still waits for its VMs (the runtime cannot
   * have one): nothing has paused, so nothing else changes. Its record stays, never paused
   * nor completed, saying why. The VMs reserved for it so far, and any reserved later, go
   * to `unused`. Only `record`'s, when given. Returns false when no scale out (or not
   * that one) is waiting for VMs.
   */
  abandon(why: string, unused: (vm: number) => void, record?: ScaleOutRecord): boolean {
    const a = this.active;
    if (a === null || a.phase !== "acquiring") return false;
    if (record !== undefined && a.record !== record) return false;
    a.record.refused = why;
    a.unused = unused;
    this.active = null;
    for (const vm of a.vms.splice(0)) unused(vm);
    return true;
  }

  private pause(a: Active): void {
    a.phase = "pausing";
    a.waiting.clear();
    for (const u of a.upstreams) a.waiting.add(u);
    a.record.pausedAtMs = this.link.clock.nowMs();
    for (const u of a.upstreams) this.link.sendControl(u, { type: "pause" });
  }

  /**
   * Scale in: merge instance `y` into `x`, its neighbour in key-group order (x keeps its
   * identity and VM; y ends its output streams and retires). Returns why it cannot start,
   * or null.
   */
  scaleIn(x: number, y: number): string | null {
    if (this.active !== null) return "a scale out is under way";
    const sx = instanceById(this.plan, x);
    const sy = instanceById(this.plan, y);
    const op = this.plan.logical.operators[sx.operator];
    if (sy.operator !== sx.operator) return `instances ${x} and ${y} are of different operators`;
    if (sx.range.last + 1 !== sy.range.first && sy.range.last + 1 !== sx.range.first)
      return `instances ${x} and ${y} do not hold neighbouring key groups`;
    const why = whyNotScalable(this.plan, op.id);
    if (why !== null) return why;
    const upstreams = upstreamIdsOf(this.plan, [sx, sy]);
    this.active = this.open("scaleIn", sx, [x, y], 1, upstreams, sy, "pausing");
    this.pause(this.active);
    return null;
  }

  /** Take in a reply; true when it was the scale out's. */
  handleReply(reply: ControlReply): boolean {
    const a = this.active;
    if (a === null) return false;
    switch (reply.type) {
      case "paused":
        if (a.phase !== "pausing" || !a.waiting.delete(reply.instance)) return false;
        for (const s of reply.sent) {
          if (s.receiver === a.spec.id || s.receiver === a.retiring?.id)
            a.sent.push({
              edge: s.edge,
              sender: reply.instance,
              seq: s.seq,
              watermarkMs: Number.NEGATIVE_INFINITY,
              receiver: s.receiver,
            });
        }
        if (a.waiting.size === 0 && a.live) this.addSenders(a);
        else if (a.waiting.size === 0) {
          a.phase = "checkpointing";
          for (const target of a.retiring === null ? [a.spec] : [a.spec, a.retiring]) {
            a.waiting.add(target.id);
            this.link.sendControl(target.id, {
              type: "checkpointWhenReceived",
              checkpointId: a.checkpointId,
              received: a.sent
                .filter((p) => p.receiver === target.id)
                .map(({ edge, sender, seq, watermarkMs }) => ({ edge, sender, seq, watermarkMs })),
            });
          }
        }
        return true;
      case "checkpointed":
        if (a.phase === "snapshotting" && reply.checkpoint.id === a.checkpointId) {
          this.predeploy(a, reply.checkpoint);
          return true;
        }
        if (a.phase !== "checkpointing" || reply.checkpoint.id !== a.checkpointId) return false;
        if (!a.waiting.delete(reply.checkpoint.instance)) return false;
        a.checkpoints.set(reply.checkpoint.instance, reply.checkpoint);
        if (a.waiting.size > 0) return true;
        if (a.retiring === null) this.deploy(a, reply.checkpoint);
        else this.merge(a);
        return true;
      case "restored":
        if (a.phase === "predeploying" && a.waiting.delete(reply.instance)) {
          if (a.waiting.size === 0) this.startShadows(a);
          return true;
        }
        if (a.phase !== "restoring" || !a.waiting.delete(reply.instance)) return false;
        if (a.waiting.size > 0) return true;
        if (a.retiring === null) this.addSenders(a);
        else this.resume(a);
        return true;
      case "senderAdded":
        if (a.phase !== "adding") return false;
        if (--a.adds === 0) {
          if (a.live) this.retireX(a);
          else this.resume(a);
        }
        return true;
      case "shadowing":
        if (a.phase !== "shadowing" || !a.waiting.delete(reply.instance * 0x100000 + reply.edge))
          return false;
        a.shadowed.push({
          edge: reply.edge,
          sender: reply.instance,
          seq: reply.sentSeq,
          watermarkMs: reply.sentWatermarkMs,
        });
        if (a.waiting.size === 0) this.catchUp(a);
        return true;
      case "caughtUp":
        if (a.phase !== "shadowing" || !a.waiting.delete(reply.instance)) return false;
        if (a.waiting.size === 0) this.pause(a);
        return true;
      case "retired":
        if (a.phase !== "retiring" || reply.instance !== a.spec.id) return false;
        this.takeOver(a, reply.processed, reply.watermarkMs);
        return true;
      case "takenOver":
        if (a.phase !== "takingOver" || !a.waiting.delete(reply.instance)) return false;
        if (a.waiting.size === 0) this.handOver(a);
        return true;
      default:
        return false;
    }
  }

  /** Partition the checkpoint and deploy X afresh in place and the new instances on new VMs. */
  private deploy(a: Active, cp: Checkpoint): void {
    a.phase = "deploying";
    const ranges = splitRange(a.spec.range, a.factor);
    a.parts = this.link.partition?.(cp, ranges) ?? partition(cp, ranges);
    // Ids are never reused: receivers keep the channels of a retired instance (ended).
    const first = this.ids.take(this.plan, a.factor - 1);
    a.specs = ranges.map((range, i) => ({
      ...a.spec,
      id: i === 0 ? a.spec.id : first + i - 1,
      range,
    }));
    a.record.instances = a.specs.map((s) => s.id);
    this.hooks.replacing?.(a.specs.map((s) => s.id));
    this.place(a.specs);
    let pending = a.factor;
    const placed = (specs: readonly InstanceSpec[]) => {
      this.place(specs);
      if (--pending > 0) return;
      a.phase = "restoring";
      for (const s of a.specs) a.waiting.add(s.id);
      a.parts.forEach((part, i) => {
        this.link.sendControl(a.specs[i].id, { type: "restore", checkpoint: part, resent: true });
      });
    };
    // A migration deploys X on a new VM; a scale out keeps it in place. Reserved VMs are
    // used in order: the migration's, or one per new instance.
    if (a.vms.length === 0) {
      this.link.redeploy([a.specs[0]], a.factor === 1, placed);
      for (const s of a.specs.slice(1)) this.link.redeploy([s], true, placed);
      return;
    }
    const onVm = (s: InstanceSpec, vm: number): InstanceSpec => ({ ...s, vm });
    this.link.redeploy([a.factor === 1 ? onVm(a.specs[0], a.vms[0]) : a.specs[0]], false, placed);
    a.specs.slice(1).forEach((s, i) => {
      this.link.redeploy([onVm(s, a.vms[i])], false, placed);
    });
  }

  /** Scale in: merge the two checkpoints and deploy X afresh in place with the merged state. */
  private merge(a: Active): void {
    a.phase = "deploying";
    const y = a.retiring!;
    const cpX = a.checkpoints.get(a.spec.id)!;
    const cpY = a.checkpoints.get(y.id)!;
    const merged = mergeAtCut([cpX, { ...cpY, instance: -1 }]);
    a.parts = [merged];
    a.specs = [{ ...a.spec, range: merged.range }];
    this.hooks.replacing?.([a.spec.id]);
    this.plan = withInstances(this.plan, [a.spec.id, y.id], a.specs);
    this.onPlan(this.plan);
    this.link.redeploy(a.specs, false, (placed) => {
      this.place(placed);
      a.phase = "restoring";
      a.waiting.add(a.spec.id);
      this.link.sendControl(a.spec.id, { type: "restore", checkpoint: merged, resent: true });
    });
  }

  /** Tell X's downstream instances to expect the new senders. */
  private addSenders(a: Active): void {
    a.phase = "adding";
    if (!a.live)
      for (let i = 0; i < a.parts.length; i++) this.hooks.restored?.(a.parts[i], this.specOf(a.specs[i].id));
    const x = this.specOf(a.spec.id);
    for (const e of this.plan.logical.edges.filter((e) => e.from === a.spec.operator)) {
      for (const d of routingOf(this.plan, e, x).receivers) {
        for (const s of a.live ? a.specs : a.specs.slice(1)) {
          a.adds++;
          this.link.sendControl(d, { type: "addSender", edge: e.id, sender: s.id });
        }
      }
    }
    if (a.adds === 0) {
      if (a.live) this.retireX(a);
      else this.resume(a);
    }
  }

  // ---- live scale out ----

  /** Live: X checkpoints while it runs, and its senders keep every tuple after it. */
  private snapshot(a: Active): void {
    a.phase = "snapshotting";
    this.link.sendControl(a.spec.id, { type: "checkpoint", checkpointId: a.checkpointId, holdAcks: true });
  }

  /** Live: the new instances (every part, new ids) are deployed and restored while X runs. */
  private predeploy(a: Active, cp: Checkpoint): void {
    a.phase = "predeploying";
    a.checkpoints.set(a.spec.id, cp);
    const ranges = splitRange(a.spec.range, a.factor);
    a.parts = partition(cp, ranges).map(asNewInstancePart);
    const first = this.ids.take(this.plan, a.factor);
    a.specs = ranges.map((range, i) => ({ ...a.spec, id: first + i, range, vm: a.vms[i] }));
    a.record.instances = a.specs.map((s) => s.id);
    a.waiting.clear();
    for (const s of a.specs) a.waiting.add(s.id);
    a.specs.forEach((s, i) => {
      this.link.redeploy([s], false, () => {
        this.link.sendControl(s.id, { type: "restore", checkpoint: a.parts[i], resent: true });
      });
    });
  }

  /**
   * Live: the new instances are restored; each upstream sends them copies of what X was
   * sent after the checkpoint and of everything it sends X from now on.
   */
  private startShadows(a: Active): void {
    a.phase = "shadowing";
    const future = withInstances(this.plan, [a.spec.id], a.specs);
    const snapshot = a.checkpoints.get(a.spec.id)!;
    const to = a.specs.map((s) => s.id);
    a.waiting.clear();
    for (const u of a.upstreams) {
      const uspec = this.specOf(u);
      for (const e of this.plan.logical.edges.filter((e) => e.to === a.spec.operator)) {
        const pos = snapshot.inputs.find((p) => p.edge === e.id && p.sender === u);
        if (pos === undefined) continue;
        a.waiting.add(u * 0x100000 + e.id);
        const routing = routingOf(future, e, uspec);
        this.link.sendControl(u, {
          type: "shadow",
          edge: e.id,
          of: a.spec.id,
          to,
          routing,
          afterSeq: pos.seq,
        });
      }
    }
    if (a.waiting.size === 0) this.catchUp(a);
  }

  /** Live: every upstream shadows X; the new instances start, output suppressed, and say when caught up. */
  private catchUp(a: Active): void {
    a.waiting.clear();
    for (const s of a.specs) {
      a.waiting.add(s.id);
      this.link.sendControl(s.id, {
        type: "catchUp",
        processed: null,
        watermarkMs: Number.NEGATIVE_INFINITY,
        caughtUpAt: a.shadowed,
      });
      this.link.sendControl(s.id, { type: "start" });
    }
  }

  /**
   * Live: the upstreams have paused and the new senders are expected; X hands over once
   * what they sent it before the pause is in.
   */
  private retireX(a: Active): void {
    a.phase = "retiring";
    const received = a.sent
      .filter((p) => p.receiver === a.spec.id)
      .map(({ edge, sender, seq, watermarkMs }) => ({ edge, sender, seq, watermarkMs }));
    this.link.sendControl(a.spec.id, { type: "retire", received });
  }

  /**
   * Live: X retired having processed up to `processed` (and its event time): the new
   * instances suppress output up to there, and say when they know it.
   */
  private takeOver(a: Active, processed: readonly ChannelPosition[], watermarkMs: number): void {
    a.phase = "takingOver";
    a.waiting.clear();
    for (const s of a.specs) {
      a.waiting.add(s.id);
      this.link.sendControl(s.id, { type: "catchUp", processed, watermarkMs });
    }
  }

  /**
   * Live: the new instances know X's cut: they take X's place in the plan, and the
   * upstreams send them what they held during the pause, re-sliced by key.
   */
  private handOver(a: Active): void {
    this.plan = withInstances(this.plan, [a.spec.id], a.specs);
    this.onPlan(this.plan);
    this.rerouteAndResume(a, (edge, u) => {
      // The shadows have everything up to what X was sent before the pause.
      const pos = a.sent.find((p) => p.edge === edge && p.sender === u && p.receiver === a.spec.id);
      return pos === undefined ? [] : [[a.spec.id, pos.seq], ...a.specs.map((s) => [s.id, pos.seq] as const)];
    });
    a.phase = "done";
    a.record.completedAtMs = this.link.clock.nowMs();
    this.active = null;
  }

  /**
   * Start the parts, re-slice the upstreams' routing and let them send again. Each old
   * receiver hands over what it had not processed; a scale in's retiring instance ends its
   * output streams first.
   */
  private resume(a: Active): void {
    if (a.retiring !== null) this.link.sendControl(a.retiring.id, { type: "retire" });
    // Per old receiver, its checkpoint (scale in: each its own; scale out: the one).
    const olds = [...a.checkpoints];
    this.rerouteAndResume(a, (edge, u) => {
      const from: (readonly [number, number])[] = [];
      for (const [id, cp] of olds) {
        const pos = cp.inputs.find((p) => p.edge === edge && p.sender === u);
        if (pos !== undefined) from.push([id, pos.seq]);
      }
      if (from.length === 0) return [];
      // New instances of a scale out start where X was.
      for (const s of a.specs) if (!from.some(([id]) => id === s.id)) from.push([s.id, from[0][1]]);
      return from;
    });
    // The parts were restored without asking for replays: the upstreams re-send to them.
    for (const s of a.specs) this.link.sendControl(s.id, { type: "start" });
    a.phase = "done";
    this.hooks.replaced?.(a.specs.map((s) => s.id));
    a.record.completedAtMs = this.link.clock.nowMs();
    this.active = null;
  }

  /**
   * Re-slice each upstream's routing over the plan as it stands, moving what it holds for
   * the receivers `fromOf` lists (with their positions; none: that edge is left alone),
   * and let it send again.
   */
  private rerouteAndResume(
    a: Active,
    fromOf: (edge: number, upstream: number) => readonly (readonly [number, number])[],
  ): void {
    for (const u of a.upstreams) {
      const uspec = this.specOf(u);
      for (const e of this.plan.logical.edges.filter((e) => e.to === a.spec.operator)) {
        const from = fromOf(e.id, u);
        if (from.length === 0) continue;
        this.link.sendControl(u, {
          type: "reroute",
          edge: e.id,
          routing: routingOf(this.plan, e, uspec),
          resumeFrom: from,
        });
      }
      this.link.sendControl(u, { type: "resume" });
    }
  }

  private specOf(id: number): InstanceSpec {
    return instanceById(this.plan, id);
  }

  private place(specs: readonly InstanceSpec[]): void {
    this.plan = withInstances(
      this.plan,
      specs.map((s) => s.id),
      specs,
    );
    this.onPlan(this.plan);
  }
}
