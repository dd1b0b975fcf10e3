// The fault-tolerance protocols, on the coordinator's side. Runtimes detect failures and
// hand out VMs; everything else is here, once, for the simulator and the real runtime.
// This class is the protocol of one run: it picks the strategy (rsm.ts, upstreamBackup.ts,
// sourceReplay.ts, globalSnapshot.ts; none builds no protocol), runs its periodic step on
// the run's clock (checkpointSchedule.ts), hands it the instances' checkpoints, and hands
// failures to the recoveries (recovery.ts, parallelRecovery.ts). It also hears of scale
// outs (the instances they deploy afresh, and the parts they restore).
//
// Invariants: a checkpoint of an instance that is down, or of a key-group range it no
// longer has, is ignored; a backup lost with its holder (a failure, or a scale out that
// deploys the holder afresh) is re-made at once: its instance is asked for a checkpoint.

import type { Checkpoint } from "../checkpoint.js";
import type { ControlReply } from "../control.js";
import { InstanceIds, type InstanceSpec, type PhysicalPlan } from "../physicalPlan.js";
import type { ReconfigurationLink } from "../reconfiguration/link.js";
import { RunPlan } from "../reconfiguration/runPlan.js";
import { STORE } from "./backupPlacement.js";
import { BackupTable, restoreFromBackup } from "./backupTable.js";
import { CheckpointSchedule } from "./checkpointSchedule.js";
import { type FaultToleranceCounts, newCounts } from "./counts.js";
import { GlobalSnapshot } from "./globalSnapshot.js";
import { InstanceStatus } from "./instanceStatus.js";
import type { FaultToleranceOptions } from "./options.js";
import { Recoveries, type RecoveryRecord } from "./recovery.js";
import { Rsm } from "./rsm.js";
import { SourceReplay } from "./sourceReplay.js";
import { type FaultToleranceRun, ofCurrentRange, type RecoveryStrategy } from "./strategy.js";
import { UpstreamBackup } from "./upstreamBackup.js";

export type { RecoveryRecord } from "./recovery.js";

/** What the protocols need from a runtime (the link every coordinator-side protocol uses). */
export type FaultToleranceLink = ReconfigurationLink;

/** The coordinator's fault-tolerance protocol for one run. */
export class FaultTolerance {
  readonly records: RecoveryRecord[];
  /** Checkpoints taken, backups made, acks sent (for reports and tests). */
  readonly counts: FaultToleranceCounts = newCounts();
  private nextCheckpointId = 1;
  private readonly plan: RunPlan;
  private readonly status = new InstanceStatus();
  private readonly backups: BackupTable;
  private readonly strategy: RecoveryStrategy;
  private readonly schedule: CheckpointSchedule;
  private readonly recoveries: Recoveries;
  /** Live scale out: retired instances that still serve replays, with the receivers that may ask. */
  private readonly lingering = new Map<number, readonly number[]>();
  /** A lingering instance's spec and checkpoint at its retirement, when known: it is redeployed from it if lost. */
  private readonly lingeringCuts = new Map<
    number,
    { readonly spec: InstanceSpec; readonly cut: Checkpoint }
  >();
  /**
   * Lingering instances deployed anew, by step: placed, then restoring from their cut, then
   * retiring lingering again (once retired they re-send what they keep). Not released
   * meanwhile: a `retire` would reach the fresh incarnation before its restore. One whose
   * receivers came to cover it before it was placed is not placed at all.
   */
  private readonly redeploys = new Map<number, "placed" | "restoring" | "retiring">();
  /** Operators of instances a live scale out retired (for the records). */
  private readonly retiredOperators = new Map<number, number>();

  constructor(
    readonly options: FaultToleranceOptions,
    plan: PhysicalPlan,
    private readonly link: FaultToleranceLink,
    onPlan: (plan: PhysicalPlan) => void = () => {},
    ids: InstanceIds = new InstanceIds(),
  ) {
    this.plan = new RunPlan(plan, onPlan);
    this.backups = new BackupTable(link, this.status, this.counts);
    const run: FaultToleranceRun = {
      options,
      link,
      plan: this.plan,
      ids,
      backups: this.backups,
      status: this.status,
      counts: this.counts,
      nextCheckpointId: () => this.nextCheckpointId++,
    };
    this.strategy = strategyOf(run);
    this.schedule = new CheckpointSchedule(link.clock, options.checkpointIntervalMs, () => {
      this.strategy.interval();
      this.releaseLingering();
    });
    this.recoveries = new Recoveries(run, this.strategy);
    this.records = this.recoveries.records;
  }

  /** True while a recovery is under way. */
  get recovering(): boolean {
    return this.recoveries.recovering;
  }

  /** True while a restored instance still rebuilds its state (upstream backup): no reconfiguration begins. */
  get rebuilding(): boolean {
    return this.strategy.rebuilding ?? false;
  }

  /** Begin periodic checkpoints (rsm), marks (upstream-backup) or global snapshots (global-snapshot). */
  start(): void {
    if (this.strategy.periodic) this.schedule.start();
  }

  /** No more checkpoints (the run is over). */
  stop(): void {
    this.schedule.stop();
  }

  /** Take in an instance's reply. */
  handleReply(reply: ControlReply): void {
    if (this.recoveries.handleReply(reply)) return;
    const redeploy = this.redeploys.get(reply.instance);
    if (reply.type === "restored" && redeploy === "restoring") {
      this.redeploys.set(reply.instance, "retiring");
      this.link.sendControl(reply.instance, { type: "retire", linger: true });
      return;
    }
    if (reply.type === "retired" && redeploy === "retiring") {
      this.redeploys.delete(reply.instance);
      this.resendKept(reply.instance);
      return;
    }
    switch (reply.type) {
      case "checkpointed":
        this.checkpointed(reply.checkpoint);
        return;
      case "backedUp":
        this.strategy.backedUp?.(reply);
        return;
      case "restored":
        this.recoveries.restored(reply.instance);
        return;
      case "backupMissing":
        // The holder lost it (it was restored itself since): from the coordinator's copy
        // once the plan was reconfigured, else restart from the initial state.
        if (this.backups.fallBackToCopy(reply.instance)) {
          restoreFromBackup(this.link, reply.instance, this.backups.get(reply.instance)!);
          return;
        }
        this.backups.delete(reply.instance);
        this.recoveries.recover([reply.instance], this.link.clock.nowMs(), true);
        return;
      case "ended":
        this.status.ended.add(reply.instance);
        return;
      case "rebuilt":
        this.strategy.rebuilt?.(reply.instance);
        return;
    }
  }

  private checkpointed(cp: Checkpoint): void {
    if (this.status.down.has(cp.instance) || this.status.frozen.has(cp.instance)) return;
    if (!ofCurrentRange(this.plan, cp)) return;
    this.strategy.checkpointed(cp);
  }

  /**
   * Instances were lost at `failedAtMs` (their VM failed); the runtime learnt of it now.
   * Under `none` nothing is done; otherwise they are replaced and recovered.
   */
  instancesLost(ids: readonly number[], failedAtMs: number): void {
    if (this.options.strategy === "none") return;
    // Instances out of the plan (a lingering retired one, a live scale out's given up) are
    // not recovered as the plan's are. A lingering one whose checkpoint at its retirement is
    // known is redeployed from it, lingering again (its receivers may still ask it to
    // replay); otherwise it is gone, and the backups it held fall back to their copies.
    const inPlan = new Set(this.plan.current.instances.map((s) => s.id));
    for (const id of ids) {
      if (!this.lingering.has(id)) continue;
      const cut = this.lingeringCuts.get(id);
      if (cut !== undefined && this.link.redeploysRetired === true)
        this.redeployLingering(id, cut.spec, cut.cut);
      else {
        this.lingering.delete(id);
        this.dropHeldBy((h) => h === id);
      }
    }
    const lost = ids.filter((id) => inPlan.has(id));
    if (lost.length === 0) return;
    this.recoveries.recover(lost, failedAtMs, false);
  }

  /** Live scale out: `ids` take no periodic checkpoint until `thaw`. */
  freeze(ids: readonly number[]): void {
    this.backups.useCopies();
    for (const id of ids) this.status.frozen.add(id);
  }

  /** The instances `freeze` named checkpoint again. */
  thaw(ids: readonly number[]): void {
    for (const id of ids) this.status.frozen.delete(id);
  }

  /**
   * `x` retired from the plan (a live scale out) but serves replays to `receivers` until
   * each one's backup covers the end of its streams (checked every interval); its own backup goes.
   */
  lingers(
    x: number,
    operator: number,
    receivers: readonly number[],
    cut?: { spec: InstanceSpec; cut: Checkpoint },
  ): void {
    if (cut !== undefined) this.lingeringCuts.set(x, cut);
    this.retiredOperators.set(x, operator);
    this.status.frozen.delete(x);
    this.backups.delete(x);
    this.backups.pending.delete(x);
    this.lingering.set(x, receivers);
  }

  /** Retire for good each lingering instance no receiver can ask to replay any more. */
  private releaseLingering(): void {
    for (const [x, receivers] of this.lingering) {
      if (this.redeploys.has(x)) continue;
      const covered = receivers.every((r) => {
        const inputs = this.strategy.restartPositions?.(r) ?? this.backups.get(r)?.positions.inputs;
        if (inputs === undefined) return !this.plan.current.instances.some((s) => s.id === r);
        const p = inputs.find((c) => c.sender === x);
        return p === undefined || p.watermarkMs === Number.POSITIVE_INFINITY;
      });
      if (!covered) continue;
      this.lingering.delete(x);
      this.lingeringCuts.delete(x);
      this.link.sendControl(x, { type: "retire" });
      this.dropHeldBy((h) => h === x);
    }
  }

  /**
   * Lost lingering `x` comes back on a new VM from its checkpoint at its retirement (its
   * output buffers then, its output positions), retires again once restored, lingering, and
   * serves its receivers' replays and acks as before. It has no input: the upstreams route nothing
   * to it any more, and it asks them for nothing. Backups it held are re-made meanwhile.
   */
  private redeployLingering(x: number, spec: InstanceSpec, cut: Checkpoint): void {
    this.dropHeldBy((h) => h === x);
    this.link.redeploy(
      [spec],
      true,
      () => {
        this.redeploys.set(x, "restoring");
        this.link.sendControl(x, { type: "restore", checkpoint: cut, resent: true });
      },
      () => {
        if (!this.lingering.has(x)) return true;
        this.redeploys.set(x, "placed");
        return false;
      },
    );
  }

  /**
   * Redeployed lingering `x` re-sends each receiver what it keeps, from a resync point, with
   * the end of its streams: a receiver that asked it to replay while it was down (a rebuild
   * waiting for its resync batch) or lost its last output in flight takes it from there;
   * one that has it drops it.
   */
  private resendKept(x: number): void {
    const cut = this.lingeringCuts.get(x)?.cut;
    if (cut === undefined) return;
    // Every receiver, also one it never sent to (a resync batch with only the end of the
    // stream then: a rebuilding receiver's watermark waits for it).
    for (const o of cut.outputs) {
      const receivers = new Set([...o.routing.receivers, ...o.sentTo.map(([r]) => r)]);
      for (const receiver of receivers)
        this.link.sendControl(x, { type: "replayKept", edge: o.edge, receiver });
    }
  }

  /**
   * The backups the holders `isHolder` names kept fall back to the coordinator's copies (or
   * are re-made at once, unless their instance is away or frozen).
   */
  private dropHeldBy(isHolder: (holder: number) => boolean): void {
    for (const x of this.backups.dropHeldBy(isHolder)) {
      if (this.status.away(x) || this.status.frozen.has(x)) continue;
      this.counts.rebackups++;
      this.strategy.checkpoint(x);
    }
  }

  /** A reconfiguration wants a quiescent base: the strategy's periodic work stops; `then` once none is under way. */
  quiesce(then: () => void): void {
    if (this.strategy.quiesce === undefined) then();
    else this.strategy.quiesce(then);
  }

  /** The base of a reconfiguration (null: given up), for the strategy to restart from. */
  adoptBase(checkpoints: ReadonlyMap<number, Checkpoint> | null): void {
    this.strategy.adoptBase?.(checkpoints);
    // A base may cover the end of a lingering instance's streams (source-replay has no other backups).
    if (checkpoints !== null) this.releaseLingering();
  }

  /** Instances deployed afresh by a scale out: no checkpoints for them until `unsuspend`. */
  suspend(ids: readonly number[]): void {
    this.backups.useCopies();
    for (const id of ids) {
      this.status.suspended.add(id);
      this.backups.pending.delete(id);
    }
    // Backups these instances held are gone with their incarnations: re-made at once.
    this.dropHeldBy((h) => this.status.suspended.has(h));
  }

  /** The instances a scale out deployed run again. */
  unsuspend(ids: readonly number[]): void {
    for (const id of ids) this.status.suspended.delete(id);
  }

  /** The operator of instance `id`, in the plan or replaced by a parallel recovery; undefined if unknown. */
  operatorOf(id: number): number | undefined {
    return (
      this.plan.current.instances.find((s) => s.id === id)?.operator ??
      this.status.gone.get(id) ??
      this.retiredOperators.get(id)
    );
  }

  /** The plan changed elsewhere (a scale out). */
  planChanged(plan: PhysicalPlan): void {
    this.plan.changed(plan);
  }

  /**
   * A scale out restored `spec` from `part` (a part of a checkpoint taken at the scale
   * out's cut): under rsm it is the instance's backup until its next checkpoint, kept by
   * the coordinator; whatever was on its way for the instance's former range is dropped.
   */
  adoptBackup(part: Checkpoint, spec: InstanceSpec): void {
    if (this.options.strategy !== "rsm") return;
    this.backups.pending.delete(spec.id);
    this.backups.set(spec.id, { holder: STORE, checkpoint: part, positions: part });
    this.backups.trimmed.add(spec.id);
  }
}

/**
 * The strategy of `run`. None builds no protocol (engine/coordinator.ts); should one be
 * built, it checkpoints nothing and recovers nothing (instancesLost), as source replay
 * keeps nothing.
 */
function strategyOf(run: FaultToleranceRun): RecoveryStrategy {
  switch (run.options.strategy) {
    case "rsm":
      return new Rsm(run);
    case "upstream-backup":
      return new UpstreamBackup(run);
    case "global-snapshot":
      return new GlobalSnapshot(run);
    case "source-replay":
    case "none":
      return new SourceReplay(run);
  }
}
