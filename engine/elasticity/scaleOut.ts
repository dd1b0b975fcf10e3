// The scaling protocols of a run, on the coordinator's side, one at a time: a scale out
// (engine/elasticity/stoppingScaleOut.ts, or live: liveScaleOut.ts), a migration
// (migration.ts) or a scale in (scaleIn.ts). This class checks that a reconfiguration can
// start, records it, starts its protocol and hands it the replies until it is over; each
// protocol is a step machine built from the steps in engine/reconfiguration/, which fault
// tolerance shares.
//
// Invariants: one reconfiguration at a time (a request while one is under way is refused
// with a reason, and the caller retries); the runtime may give a reconfiguration up only
// while it waits for its VMs; a failure gives it up before its cut and lets it complete
// without the failed instances after it (scaling.ts), the recovery following once it is
// over (`idle`); instance ids are never reused (receivers keep the channels of a retired
// instance, ended).

import type { ControlReply } from "../control.js";
import { InstanceIds, type InstanceSpec, type PhysicalPlan, upstreamIdsOf } from "../physicalPlan.js";
import type { ReconfigurationLink } from "../reconfiguration/link.js";
import { RunPlan } from "../reconfiguration/runPlan.js";
import { whyNotScalable, whyNotSplittable } from "../reconfiguration/scalable.js";
import { LiveScaleOut } from "./liveScaleOut.js";
import { Migration } from "./migration.js";
import { ScaleIn } from "./scaleIn.js";
import { type ScaleOutRecord, scaleOutRecord } from "./scaleOutRecord.js";
import type { ScaleOutHooks, Scaling, ScalingContext, ScalingOf } from "./scaling.js";
import { StoppingScaleOut } from "./stoppingScaleOut.js";

export type { ScaleOutRecord } from "./scaleOutRecord.js";
export type { ScaleOutHooks } from "./scaling.js";
export { whyNotScalable };

/** How scale outs are carried out. */
export interface ScaleOutOptions {
  /**
   * Live state transfer: split (or move) an instance without stopping it for its state's
   * checkpoint, transfer and restore; only the final hand-over pauses its upstreams (and,
   * under global-snapshot, upstream-backup and source-replay, the whole plan, for the
   * quiescent base those need). Under every strategy (liveScaleOut.ts), with a runtime that
   * reserves VMs; operators that align their inputs are split the usual way.
   */
  readonly live?: boolean;
}

/** Scale outs of a run, one at a time. */
export class ScaleOut {
  readonly records: ScaleOutRecord[] = [];
  private active: Scaling | null = null;
  private nextCheckpointId = -1;
  private readonly plan: RunPlan;
  private readonly context: ScalingContext;

  constructor(
    plan: PhysicalPlan,
    private readonly link: ReconfigurationLink,
    onPlan: (plan: PhysicalPlan) => void,
    hooks: ScaleOutHooks = {},
    private readonly options: ScaleOutOptions = {},
    ids: InstanceIds = new InstanceIds(),
  ) {
    this.plan = new RunPlan(plan, onPlan);
    this.context = {
      link,
      plan: this.plan,
      hooks,
      ids,
      finished: (scaling) => {
        if (this.active !== scaling) return;
        this.active = null;
        hooks.ended?.(scaling.record);
        hooks.idle?.();
      },
    };
  }

  /** True while a scale out is under way. */
  get busy(): boolean {
    return this.active !== null;
  }

  /** The plan changed elsewhere (a recovery placed instances). */
  planChanged(plan: PhysicalPlan): void {
    this.plan.changed(plan);
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
    const plan = this.plan.current;
    const spec = this.plan.spec(id);
    const why = whyNotSplittable(plan, spec, factor);
    if (why !== null) return why;
    const upstreams = upstreamIdsOf(plan, [spec]);
    const live =
      this.options.live === true &&
      this.link.reserve !== undefined &&
      !plan.logical.operators[spec.operator].syncInputs;
    const of = this.open(factor === 1 ? "migration" : "scaleOut", spec, [], upstreams);
    if (live) this.run(new LiveScaleOut(this.context, of, factor), of);
    else if (factor === 1) this.run(new Migration(this.context, of), of);
    else this.run(new StoppingScaleOut(this.context, of, factor, 1), of);
    return null;
  }

  /**
   * Scale in: merge instance `y` into `x`, its neighbour in key-group order (x keeps its
   * identity and VM; y ends its output streams and retires). Returns why it cannot start,
   * or null.
   */
  scaleIn(x: number, y: number): string | null {
    if (this.active !== null) return "a scale out is under way";
    const sx = this.plan.spec(x);
    const sy = this.plan.spec(y);
    if (sy.operator !== sx.operator) return `instances ${x} and ${y} are of different operators`;
    if (sx.range.last + 1 !== sy.range.first && sy.range.last + 1 !== sx.range.first)
      return `instances ${x} and ${y} do not hold neighbouring key groups`;
    const why = whyNotScalable(this.plan.current, sx.operator);
    if (why !== null) return why;
    const upstreams = upstreamIdsOf(this.plan.current, [sx, sy]);
    const of = this.open("scaleIn", sx, [x, y], upstreams);
    this.run(new ScaleIn(this.context, of, sy), of);
    return null;
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
    if (a === null || !a.acquiring) return false;
    if (record !== undefined && a.record !== record) return false;
    a.record.refused = why;
    this.active = null;
    a.giveUp(unused);
    return true;
  }

  /**
   * Instances failed. The reconfiguration under way is given up (before its cut) or goes on
   * to its end without them (after it); either way `idle` tells when it is over.
   */
  failed(ids: readonly number[]): void {
    this.active?.failed(new Set(ids));
  }

  /** Take in a reply; true when it was the scale out's. */
  handleReply(reply: ControlReply): boolean {
    return this.active?.handleReply(reply) ?? false;
  }

  /** Record a reconfiguration of `spec`, with its checkpoint id. */
  private open(
    kind: ScaleOutRecord["kind"],
    spec: InstanceSpec,
    instances: number[],
    upstreams: readonly number[],
  ): ScalingOf {
    const record = scaleOutRecord(kind, spec, instances, this.link.clock.nowMs());
    this.records.push(record);
    return { record, spec, checkpointId: this.nextCheckpointId--, upstreams };
  }

  /** Make `scaling` the one under way, and start it. */
  private run(scaling: Scaling, of: ScalingOf): void {
    this.active = scaling;
    this.context.hooks.begun?.(of.record, of.spec, of.upstreams);
    scaling.start();
  }
}
