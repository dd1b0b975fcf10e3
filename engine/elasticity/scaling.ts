// What every reconfiguration of a run's instances (scale out, migration, scale in, live
// scale out) has in common on the coordinator's side: the run it works in (the runtime's
// link, the plan, the fault-tolerance protocol's hooks, fresh instance ids), its record,
// the instance it reconfigures and that instance's upstreams, and a step machine. Only
// one runs at a time (engine/elasticity/scaleOut.ts). Under global-snapshot, upstream-backup
// and source-replay it begins at a quiescent base (engine/reconfiguration/quiescentBase.ts),
// or, live, takes that base at its hand-over (liveScaleOut.ts).
// A failure during it: before its cut (acquiring, quiescing, basing, pausing,
// checkpointing) it is given up and the paused upstreams (and sources) resume as they
// were; from its cut on (the plan has its parts) it completes without the failed
// instances, which are recovered in the new plan once it is over (`failed`).

import type { Checkpoint } from "../checkpoint.js";
import type { ControlReply } from "../control.js";
import type { InstanceIds, InstanceSpec } from "../physicalPlan.js";
import type { ReconfigurationLink } from "../reconfiguration/link.js";
import { Quiescing, sourcesOf, TakingBase } from "../reconfiguration/quiescentBase.js";
import { type ResumeFrom, rerouteAndResume } from "../reconfiguration/reroute.js";
import type { RunPlan } from "../reconfiguration/runPlan.js";
import { StepMachine } from "../reconfiguration/stepMachine.js";
import { PausingUpstreams, type SentPosition } from "../reconfiguration/upstreamPause.js";
import { AcquiringVms, type VmReservation } from "../reconfiguration/vmReservation.js";
import type { ScaleOutRecord } from "./scaleOutRecord.js";

/** What a fault-tolerance protocol hears of a scale out. */
export interface ScaleOutHooks {
  /** These instances are being deployed afresh: no checkpoints until `replaced`. */
  replacing?(ids: readonly number[]): void;
  /** Each part is restored into its instance: its backup until it checkpoints. */
  restored?(part: Checkpoint, spec: InstanceSpec): void;
  /** The instances run again. */
  replaced?(ids: readonly number[]): void;
  /** No reconfiguration is under way any more (one completed or was given up). */
  idle?(): void;
  /** A reconfiguration of `spec` begins (its record is the run's latest), sent by `upstreams`. */
  begun?(record: ScaleOutRecord, spec: InstanceSpec, upstreams: readonly number[]): void;
  /** The reconfiguration of `record` is over: completed, or given up (`record.refused` says why). */
  ended?(record: ScaleOutRecord): void;
  /** True when the strategy keeps backups that a reconfiguration must keep whole (rsm). */
  readonly keepsBackups?: boolean;
  /** These instances take no periodic checkpoint until `thaw` (a live scale out's snapshot holds their upstreams' buffers). */
  freeze?(ids: readonly number[]): void;
  /** The instances `freeze` named checkpoint again (the scale out was given up). */
  thaw?(ids: readonly number[]): void;
  /**
   * `x` (of `operator`) retired from the plan but serves replays to `receivers` until each one's backup
   * covers the end of its streams; then it is retired for good.
   */
  lingering?(
    x: number,
    operator: number,
    receivers: readonly number[],
    cut?: { spec: InstanceSpec; cut: Checkpoint },
  ): void;
  /**
   * Set when the strategy restarts instances from a state of the whole plan (global
   * snapshot, source replay): each reconfiguration begins at a quiescent base
   * (engine/reconfiguration/quiescentBase.ts). `then` once its periodic work is quiet.
   */
  readonly quiesce?: (then: () => void) => void;
  /** The base of a reconfiguration that completed (its parts in), or null: given up, the strategy goes on as before. */
  based?(checkpoints: ReadonlyMap<number, Checkpoint> | null): void;
}

/** The run a reconfiguration works in. */
export interface ScalingContext {
  readonly link: ReconfigurationLink;
  readonly plan: RunPlan;
  readonly hooks: ScaleOutHooks;
  readonly ids: InstanceIds;
  /** `scaling` is over: the next may start. */
  finished(scaling: Scaling): void;
}

/** What a reconfiguration is of. */
export interface ScalingOf {
  /** Its record, in the run's list already. */
  readonly record: ScaleOutRecord;
  /** The instance reconfigured (a scale in: the one that stays). */
  readonly spec: InstanceSpec;
  /** The id of the checkpoints it asks for. */
  readonly checkpointId: number;
  /** The instances sending to it (a scale in: to either). */
  readonly upstreams: readonly number[];
}

/** One reconfiguration under way: the steps of its protocol, driven by the replies. */
export abstract class Scaling {
  protected readonly machine = new StepMachine();
  readonly record: ScaleOutRecord;
  protected readonly spec: InstanceSpec;
  protected readonly checkpointId: number;
  protected readonly upstreams: readonly number[];
  /** The quiescent base it began at, by instance (its parts replace the replaced), and the sources it paused. */
  private base: { checkpoints: Map<number, Checkpoint>; sources: readonly number[] } | null = null;

  constructor(
    protected readonly ctx: ScalingContext,
    of: ScalingOf,
  ) {
    this.record = of.record;
    this.spec = of.spec;
    this.checkpointId = of.checkpointId;
    this.upstreams = of.upstreams;
  }

  /** Begin with the first step. */
  abstract start(): void;

  /** Take in a reply; true when it was this reconfiguration's. */
  handleReply(reply: ControlReply): boolean {
    return this.machine.handleReply(reply);
  }

  /** True while it waits for its VMs (nothing has paused: it may be given up). */
  get acquiring(): boolean {
    return this.machine.step instanceof AcquiringVms;
  }

  /** The VMs it reserves (null: none). */
  protected reservationOf(): VmReservation | null {
    return null;
  }

  /**
   * Instances `ids` failed while it is under way. Before its cut (waiting for VMs, pausing
   * the upstreams, checkpointing) it is given up: the upstreams that paused resume as they
   * were, its VMs go back, and nothing of it remains; returns true (the recovery works on
   * the plan as it was). From its cut on (the plan has its parts) it is completed without
   * them: no step waits for a failed instance, whose replacement is deployed from the new
   * plan; returns false (the recovery comes once it is over).
   */
  failed(ids: ReadonlySet<number>): boolean {
    const name = this.machine.step?.name;
    if (
      name === "acquiring" ||
      name === "quiescing" ||
      name === "basing" ||
      name === "pausing" ||
      name === "checkpointing"
    ) {
      if (name === "pausing" || name === "checkpointing") this.resumeUpstreams(ids);
      this.givenUp(ids, name);
      return true;
    }
    this.machine.lost(ids);
    return false;
  }

  /** The paused upstreams, but for the failed `ids`, resume as they were. */
  protected resumeUpstreams(ids: ReadonlySet<number> = new Set()): void {
    for (const u of this.upstreams) if (!ids.has(u)) this.ctx.link.sendControl(u, { type: "resume" });
  }

  /** It is over, given up while `step` because `ids` failed (see `abandon`). */
  protected givenUp(ids: ReadonlySet<number>, step: string): void {
    this.abandon(`given up while ${step}: instances ${[...ids].join(", ")} failed`, ids);
  }

  /** It is over before its cut, nothing changed, for the reason `why` (see `abandon`). */
  protected refused(why: string): void {
    this.abandon(why, new Set());
  }

  /**
   * It is over, given up (`why` in its record; `ids` failed): its VMs go back; the sources
   * it paused for a base resume, and the strategy goes on as before.
   */
  private abandon(why: string, ids: ReadonlySet<number>): void {
    const link = this.ctx.link;
    const current = this.machine.step;
    const basing = current instanceof Quiescing || current instanceof TakingBase;
    if (current instanceof Quiescing) current.cancel();
    this.machine.go(null);
    this.record.refused = why;
    this.reservationOf()?.giveUp((vm) => link.unreserve?.(vm));
    if (this.base !== null || basing) {
      for (const u of this.base?.sources ?? sourcesOf(this.ctx.plan.current))
        if (!ids.has(u)) link.sendControl(u, { type: "resume" });
      this.base = null;
      this.ctx.hooks.based?.(null);
    }
    this.ctx.finished(this);
  }

  /**
   * Under a strategy that needs a quiescent base (ScaleOutHooks.quiesce), take it, then
   * `then`; else `then` at once.
   */
  protected atBase(then: () => void): void {
    this.quiescing(() => this.takingBase(then));
  }

  /** True when the run's strategy needs a quiescent base (ScaleOutHooks.quiesce). */
  protected get needsBase(): boolean {
    return this.ctx.hooks.quiesce !== undefined;
  }

  /** Under a strategy that needs a base, its periodic work stops first; `then` once it is quiet (at once otherwise). */
  protected quiescing(then: () => void): void {
    const quiesce = this.ctx.hooks.quiesce;
    if (quiesce === undefined) then();
    else this.machine.go(new Quiescing(quiesce, then));
  }

  /**
   * Under a strategy that needs a base, the sources pause and every instance of the plan
   * checkpoints at one cut (engine/reconfiguration/quiescentBase.ts), then `then`; at once
   * otherwise. It is given up (`refused`) when an instance still re-sends a recovery's replay.
   */
  protected takingBase(then: () => void): void {
    if (!this.needsBase) {
      then();
      return;
    }
    const plan = this.ctx.plan.current;
    this.record.pausedAtMs ??= this.ctx.link.clock.nowMs();
    this.machine.go(
      new TakingBase(this.ctx.link, plan, this.checkpointId, (checkpoints) => {
        this.base = { checkpoints: new Map(checkpoints), sources: sourcesOf(plan) };
        const behind = behindSender(checkpoints);
        if (behind === null) then();
        else
          this.refused(
            `given up at the base: instance ${behind} is still re-sending what its receivers had (a recovery's replay); a reconfiguration now would number that output anew`,
          );
      }),
    );
  }

  /** `cp` replaces its instance's checkpoint in the base the reconfiguration took (if any). */
  protected rebase(cp: Checkpoint): void {
    this.base?.checkpoints.set(cp.instance, cp);
  }

  /** Instance `id`'s checkpoint in the base the reconfiguration took (undefined: none, or not in it). */
  protected baseCheckpointOf(id: number): Checkpoint | undefined {
    return this.base?.checkpoints.get(id);
  }

  /** `part` restores `spec` (a part of the reconfiguration's cut): its backup under rsm, its base under a base. */
  protected restoredPart(part: Checkpoint, spec: InstanceSpec): void {
    this.ctx.hooks.restored?.(part, spec);
    this.base?.checkpoints.set(spec.id, { ...part, instance: spec.id });
  }

  /** Give it up while it waits for its VMs: the ones it has, and any that come later, go to `unused`. */
  giveUp(unused: (vm: number) => void): void {
    const step = this.machine.step;
    if (!(step instanceof AcquiringVms))
      throw new Error("a reconfiguration is given up only while it waits for VMs");
    this.machine.go(null);
    step.reservation.giveUp(unused);
  }

  /** The step that pauses the upstreams, noting what they had sent to `receivers`, then `then`. */
  protected pausing(
    receivers: readonly number[],
    then: (sent: readonly SentPosition[]) => void,
  ): PausingUpstreams {
    // Under a base the sources paused first, and the whole plan with them.
    this.record.pausedAtMs ??= this.ctx.link.clock.nowMs();
    return new PausingUpstreams(this.ctx.link, this.upstreams, receivers, then);
  }

  /**
   * The last step at a cut: the upstreams re-slice over the plan and send again, each old
   * receiver's tuples moving from the position its checkpoint records (`checkpoints`, by
   * receiver; new instances start where the first was); the new incarnations in `specs`
   * start (restored without asking for replays: the upstreams re-send to them).
   */
  protected resumeAtCut(checkpoints: ReadonlyMap<number, Checkpoint>, specs: readonly InstanceSpec[]): void {
    const plan = this.ctx.plan.current;
    rerouteAndResume(this.ctx.link, plan, this.upstreams, this.spec.operator, resumeFrom(checkpoints, specs));
    for (const s of specs) this.ctx.link.sendControl(s.id, { type: "start" });
    this.ctx.hooks.replaced?.(specs.map((s) => s.id));
    this.finish();
  }

  /**
   * The upstreams resumed: the reconfiguration is complete. A base it began at, its parts
   * in, goes to the strategy (before any recovery deferred meanwhile), and the sources resume.
   */
  protected finish(): void {
    this.machine.go(null);
    this.record.completedAtMs = this.ctx.link.clock.nowMs();
    const base = this.base;
    if (base !== null) {
      this.base = null;
      const inPlan = new Set(this.ctx.plan.current.instances.map((s) => s.id));
      for (const id of base.checkpoints.keys()) if (!inPlan.has(id)) base.checkpoints.delete(id);
      this.ctx.hooks.based?.(base.checkpoints);
      for (const u of base.sources) if (inPlan.has(u)) this.ctx.link.sendControl(u, { type: "resume" });
    }
    this.ctx.finished(this);
  }
}

/** Where each upstream's tuples into the operator move from: per old receiver, its checkpoint's position. */
function resumeFrom(
  checkpoints: ReadonlyMap<number, Checkpoint>,
  specs: readonly InstanceSpec[],
): (edge: number, upstream: number) => ResumeFrom {
  const olds = [...checkpoints];
  return (edge, u) => {
    const from: (readonly [number, number])[] = [];
    for (const [id, cp] of olds) {
      const pos = cp.inputs.find((p) => p.edge === edge && p.sender === u);
      if (pos !== undefined) from.push([id, pos.seq]);
    }
    if (from.length === 0) return [];
    for (const s of specs) if (!from.some(([id]) => id === s.id)) from.push([s.id, from[0][1]]);
    return from;
  };
}

/**
 * A sender whose receiver, in a quiescent base, holds more of its output than it has sent
 * (it restarted and is re-sending what was sent before its failure), or null. Re-sliced
 * now, its parts would send that output again under numberings of their own, which no
 * receiver (nor the sinks' ledger) could tell from new output.
 */
function behindSender(checkpoints: ReadonlyMap<number, Checkpoint>): number | null {
  for (const cp of checkpoints.values()) {
    for (const p of cp.inputs) {
      const sender = checkpoints.get(p.sender);
      if (sender === undefined) continue;
      // A sender that has sent a receiver nothing since it restarted has no entry for it.
      const sent =
        sender.outputs.find((o) => o.edge === p.edge)?.sentTo.find(([r]) => r === cp.instance)?.[1] ?? 0;
      if (p.seq > sent) return p.sender;
    }
  }
  return null;
}
