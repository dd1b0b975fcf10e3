// The coordinator's engine-side logic, shared by every runtime: it starts a deployed
// physical plan, follows the instances' replies, forgets instances that were lost, and
// tells when the run is over (every sink ended, or nothing alive can end any more).
// Runtimes hand it a way to reach instances and feed it replies. It owns the two
// coordinator-side protocol families and routes each reply: a scaling protocol under way
// (engine/elasticity/scaleOut.ts) sees it first, then fault tolerance
// (engine/faultTolerance/faultTolerance.ts). Both are built from the steps in
// engine/reconfiguration/ and hear of each other only through the plan and the hooks here.

import type { ControlMessage, ControlReply } from "./control.js";
import { ScaleOut, type ScaleOutOptions } from "./elasticity/scaleOut.js";
import type { ScaleOutHooks } from "./elasticity/scaling.js";
import { FaultTolerance } from "./faultTolerance/faultTolerance.js";
import type { FaultToleranceOptions } from "./faultTolerance/options.js";
import { InstanceIds, type PhysicalPlan } from "./physicalPlan.js";
import type { ReconfigurationLink } from "./reconfiguration/link.js";

/** How a coordinator reaches instances. */
export interface CoordinatorLink {
  sendControl(instance: number, message: ControlMessage): void;
}

/** What the coordinator knows of a run. */
export class Coordinator {
  private readonly ended = new Set<number>();
  private readonly lost = new Set<number>();
  private readonly sinks: ReadonlySet<number>;
  /** Failures during a reconfiguration past its cut, recovered once it is over. */
  private readonly deferred: { ids: readonly number[]; failedAtMs: number }[] = [];
  private readonly outputAhead: (() => boolean) | undefined;
  /** The fault-tolerance protocol, unless the strategy is `none`. */
  readonly faultTolerance: FaultTolerance | null;
  /** Scale outs, when the runtime gave a way to deploy instances. */
  readonly scaling: ScaleOut | null;

  constructor(
    public plan: PhysicalPlan,
    private readonly link: CoordinatorLink,
    ft?: {
      readonly options: FaultToleranceOptions;
      readonly link: ReconfigurationLink;
      readonly scaleOut?: ScaleOutOptions;
      /** A reconfiguration begins (for fault injection aimed at it). */
      readonly scalingBegun?: ScaleOutHooks["begun"];
      /** A reconfiguration is over, completed or given up (a scheduled one given up is asked again). */
      readonly scalingEnded?: ScaleOutHooks["ended"];
      /**
       * True while a sink re-makes output that already left (a replay after a recovery,
       * SinkLedger.ahead): no reconfiguration begins meanwhile (`replaying`).
       */
      readonly outputAhead?: () => boolean;
    },
  ) {
    const ids = new InstanceIds();
    this.outputAhead = ft?.outputAhead;
    this.faultTolerance =
      ft === undefined || ft.options.strategy === "none"
        ? null
        : new FaultTolerance(
            ft.options,
            plan,
            ft.link,
            (p) => {
              this.plan = p;
              this.scaling?.planChanged(p);
            },
            ids,
          );
    this.scaling =
      ft === undefined
        ? null
        : new ScaleOut(
            plan,
            ft.link,
            (p) => {
              this.plan = p;
              this.faultTolerance?.planChanged(p);
            },
            {
              replacing: (ids) => this.faultTolerance?.suspend(ids),
              restored: (part, spec) => this.faultTolerance?.adoptBackup(part, spec),
              replaced: (ids) => this.faultTolerance?.unsuspend(ids),
              idle: () => this.recoverDeferred(),
              keepsBackups: ft.options.strategy === "rsm",
              freeze: (ids) => this.faultTolerance?.freeze(ids),
              thaw: (ids) => this.faultTolerance?.thaw(ids),
              lingering: (x, operator, receivers, cut) =>
                this.faultTolerance?.lingers(x, operator, receivers, cut),
              quiesce:
                ft.options.strategy === "global-snapshot" ||
                ft.options.strategy === "source-replay" ||
                ft.options.strategy === "upstream-backup"
                  ? (then) => this.faultTolerance?.quiesce(then)
                  : undefined,
              based: (checkpoints) => this.faultTolerance?.adoptBase(checkpoints),
              begun: ft.scalingBegun,
              ended: ft.scalingEnded,
            },
            ft.scaleOut,
            ids,
          );
    const sinkOps = new Set(plan.logical.operators.filter((o) => o.kind === "sink").map((o) => o.id));
    this.sinks = new Set(plan.instances.filter((i) => sinkOps.has(i.operator)).map((i) => i.id));
  }

  /** Send `start` to every instance of the plan. */
  start(): void {
    for (const i of this.plan.instances) this.link.sendControl(i.id, { type: "start" });
    this.faultTolerance?.start();
  }

  /** Take in a reply from an instance. */
  handleReply(reply: ControlReply): void {
    if (this.scaling?.handleReply(reply)) return;
    if (reply.type === "ended") this.ended.add(reply.instance);
    this.faultTolerance?.handleReply(reply);
    if (this.faultTolerance !== null && this.sinksDone) this.faultTolerance.stop();
  }

  /**
   * Instances are gone (their VM or worker died at `failedAtMs`; the runtime detected it
   * now). Without fault tolerance they stay lost; otherwise the protocol replaces them.
   */
  instancesFailed(ids: readonly number[], failedAtMs: number): void {
    // A reconfiguration under way is given up before its cut, or completed without the
    // failed instances after it (engine/elasticity/scaling.ts); in the latter case they are
    // recovered once it is over, in the plan it made.
    if (this.scaling?.busy === true) {
      this.deferred.push({ ids, failedAtMs });
      this.scaling.failed(ids); // given up or over at once: `idle` recovers them now
      if (!this.scaling.busy) this.recoverDeferred();
      return;
    }
    this.recoverNow(ids, failedAtMs);
  }

  /** Failures that waited for the reconfiguration under way: recovered now that it is over. */
  private recoverDeferred(): void {
    for (const { ids, failedAtMs } of this.deferred.splice(0)) this.recoverNow(ids, failedAtMs);
  }

  private recoverNow(ids: readonly number[], failedAtMs: number): void {
    if (this.faultTolerance === null) {
      for (const id of ids) this.lost.add(id);
      return;
    }
    this.faultTolerance.instancesLost(ids, failedAtMs);
  }

  /** An instance is gone and will not come back (no fault tolerance). */
  instanceLost(id: number): void {
    this.instancesFailed([id], Number.NaN);
  }

  /** True while the fault-tolerance protocol is recovering from a failure. */
  get recovering(): boolean {
    return this.faultTolerance?.recovering ?? false;
  }

  /**
   * True while a recovery's work goes on after its restore: a sink re-makes output that
   * already left, or an instance rebuilds its state to its mark. Nothing is re-sliced meanwhile.
   */
  get replaying(): boolean {
    return (this.faultTolerance?.rebuilding ?? false) || (this.outputAhead?.() ?? false);
  }

  /** True once an instance has reported the end of its input. */
  hasEnded(id: number): boolean {
    return this.ended.has(id);
  }

  /** Instances lost so far. */
  get lostInstances(): ReadonlySet<number> {
    return this.lost;
  }

  /** True when every sink instance has ended or was lost: no more output can come. */
  get sinksDone(): boolean {
    for (const s of this.sinks) if (!this.ended.has(s) && !this.lost.has(s)) return false;
    return true;
  }
}
