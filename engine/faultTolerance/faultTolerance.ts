// The fault-tolerance protocols, on the coordinator's side. Runtimes detect failures and
// hand out VMs; everything else is here, once, for the simulator and the real runtime.
//
// rsm (SEEP's recovery using state management):
//   every interval  coordinator -> each instance: checkpoint
//                   instance -> coordinator: checkpointed (the checkpoint)
//                   coordinator -> holder: backup; holder keeps it, trims its buffer
//                   holder -> coordinator: backedUp; coordinator -> other upstreams: ack
//   on a failure    the lost instances are deployed afresh on one VM from the pool, under
//                   their ids; each is restored by its holder (restoreBackup -> restore) or
//                   from the store, and on start asks its upstreams to replay from the
//                   checkpoint's positions. Deterministic replay (canonical input order,
//                   per-edge timestamps, receivers dropping what they have) and the sinks'
//                   ledger make the output exactly the failure-free output.
//   fallback        an instance whose backup was lost with its holder (two failures at once)
//                   and whose upstreams have trimmed their buffers cannot be rebuilt from
//                   them: it and everything upstream of it restart from their initial state
//                   and the sources replay (the source-replay recovery, for that part).
// upstream-backup:  no state is checkpointed. Every interval each instance takes a mark
//                   (its input and output positions, event time and its state's horizon,
//                   engine/instance.ts) and reports it once its own output up to the mark
//                   is trimmed downstream; the coordinator keeps it and tells the upstreams
//                   to trim what the mark covers and the state no longer depends on (acks
//                   with `beforeTimeMs`). A failed instance is deployed afresh and rebuilt
//                   to its mark from what its upstreams kept, output suppressed; one
//                   without a mark starts from its initial state (nothing was trimmed for it).
// source-replay:    every recovery is that fallback: no checkpoints, no buffers kept.
//
// A backup lost with its holder is re-made at once: the instance is asked for a checkpoint.

import type { Checkpoint } from "../checkpoint.js";
import { type ControlMessage, type ControlReply, UnsupportedScenario } from "../control.js";
import { whyNotScalable } from "../elasticity/scaleOut.js";
import type { KeyGroupRange } from "../keyGroups.js";
import type { InstanceSpec, PhysicalPlan } from "../physicalPlan.js";
import { InstanceIds, withInstances } from "../physicalPlan.js";
import type { Clock, TimerHandle } from "../runtime.js";
import { backupHolderOf, downstreamCone, STORE, upstreamCone } from "./backupPlacement.js";
import type { FaultToleranceOptions } from "./options.js";
import { type BackupOf, ParallelRecovery, type ParallelRecoveryHost } from "./parallelRecovery.js";

/** What the protocols need from a runtime. */
export interface FaultToleranceLink {
  readonly clock: Clock;
  sendControl(instance: number, message: ControlMessage): void;
  /**
   * Deploy fresh instances under the ids of `specs`: on one new VM from the pool when
   * `newVm`, otherwise each on its current VM in place of its live incarnation. Calls
   * back with the specs as placed, once the instances can take control messages.
   */
  redeploy(
    specs: readonly InstanceSpec[],
    newVm: boolean,
    onDeployed: (placed: readonly InstanceSpec[]) => void,
  ): void;
  /**
   * Pick a VM for a new instance of a scale out (or the moved one of a migration), taking
   * it from the pool if need be, before anything pauses; then `redeploy(specs placed on it,
   * false, ...)` deploys there. Optional: without it, a scale out takes VMs as it deploys.
   */
  reserve?(onReady: (vm: number) => void, forMigration: boolean): void;
  /**
   * Optional: `partition` done the runtime's way (a real runtime splits the encoded bytes of
   * a checkpoint it holds undecoded); null to let the engine partition it.
   */
  partition?(cp: Checkpoint, ranges: readonly KeyGroupRange[]): Checkpoint[] | null;
}

/** One recovery: from the failure to every replacement restored and started. */
export interface RecoveryRecord {
  /** The failure's time, as the runtime knows it. */
  readonly failedAtMs: number;
  /** When the coordinator learnt of it. */
  readonly detectedAtMs: number;
  /** The instances lost. */
  readonly instances: readonly number[];
  /** Instances restarted from their initial state (lost or not) because no backup could serve. */
  readonly rolledBack: readonly number[];
  /** When every replacement was restored and started (null: never, the run ended first). */
  restoredAtMs: number | null;
}

interface Recovery {
  /** The failures it recovers from (several when a failure came during a recovery). */
  readonly records: RecoveryRecord[];
  /** Replacements not yet restored. */
  readonly waiting: Set<number>;
  /** Replacements restored, to start together. */
  readonly ready: number[];
  /** Replacements deployed (on their new VM, or in place). */
  readonly placed: Set<number>;
}

/** The coordinator's fault-tolerance protocol for one run. */
export class FaultTolerance {
  readonly records: RecoveryRecord[] = [];
  private nextCheckpointId = 1;
  private timer: TimerHandle | null = null;
  private stopped = false;
  /** Latest complete backup per instance: its holder (or STORE, with the checkpoint), and its positions. */
  private readonly backups = new Map<number, BackupOf>();
  /** Checkpoints sent to holders, waiting for backedUp. */
  private readonly pending = new Map<number, Checkpoint>();
  /** Instances whose checkpoints have trimmed some upstream buffer. */
  private readonly trimmed = new Set<number>();
  /** Instances lost or being replaced, until their replacement starts. */
  private readonly down = new Set<number>();
  /** Instances a scale out is deploying afresh. */
  private readonly suspended = new Set<number>();
  /** Instances replaced by a parallel recovery's parts (they never come back), with their operators. */
  private readonly gone = new Map<number, number>();
  /** The parallel recovery under way. */
  private parallel: ParallelRecovery | null = null;
  /** Instances that reported the end of their input. */
  private readonly ended = new Set<number>();
  private readonly finalCheckpoint = new Set<number>();
  /** The recovery under way (at most one: a failure during a recovery folds it in). */
  private readonly active: Recovery[] = [];
  /** Checkpoints taken, backups made, acks sent (for reports and tests). */
  readonly counts = {
    checkpoints: 0,
    backups: 0,
    acks: 0,
    rebackups: 0,
    snapshots: 0,
    rebuilds: 0,
    parallelRecoveries: 0,
    /** Parallel recoveries given up for one replacement (output lost in flight before the checkpoint). */
    parallelFallbacks: 0,
  };
  /** The global snapshot under way: its id and the checkpoints in so far. */
  private snapshot: { readonly id: number; readonly parts: Map<number, Checkpoint> } | null = null;

  constructor(
    readonly options: FaultToleranceOptions,
    private plan: PhysicalPlan,
    private readonly link: FaultToleranceLink,
    private readonly onPlan: (plan: PhysicalPlan) => void = () => {},
    private readonly ids: InstanceIds = new InstanceIds(),
  ) {}

  /** True while a recovery is under way. */
  get recovering(): boolean {
    return this.active.length > 0;
  }

  /** Begin periodic checkpoints (rsm) or global snapshots (global-snapshot). */
  start(): void {
    const s = this.options.strategy;
    if (s !== "rsm" && s !== "upstream-backup" && s !== "global-snapshot") return;
    this.timer = this.link.clock.schedule(this.options.checkpointIntervalMs, () => this.tick());
  }

  /** No more checkpoints (the run is over). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.link.clock.cancel(this.timer);
    this.timer = null;
  }

  private tick(): void {
    this.timer = null;
    if (this.stopped) return;
    if (this.options.strategy === "global-snapshot") {
      this.beginSnapshot();
      this.timer = this.link.clock.schedule(this.options.checkpointIntervalMs, () => this.tick());
      return;
    }
    for (const spec of this.plan.instances) {
      const id = spec.id;
      if (this.away(id)) continue;
      if (this.ended.has(id)) {
        if (this.finalCheckpoint.has(id)) continue;
        this.finalCheckpoint.add(id);
      }
      this.checkpoint(id);
    }
    this.timer = this.link.clock.schedule(this.options.checkpointIntervalMs, () => this.tick());
  }

  /** Start a global snapshot at the sources, unless one is under way or an instance is down. */
  private beginSnapshot(): void {
    if (this.snapshot !== null || this.down.size > 0) return;
    const id = this.nextCheckpointId++;
    this.snapshot = { id, parts: new Map() };
    this.counts.checkpoints++;
    for (const spec of this.plan.instances) {
      if (this.plan.logical.operators[spec.operator].kind === "source") {
        this.link.sendControl(spec.id, { type: "snapshot", snapshotId: id });
      }
    }
  }

  /** A part of the global snapshot under way; once all are in, it is the one to roll back to. */
  private snapshotPart(cp: Checkpoint): void {
    const s = this.snapshot;
    if (s === null || cp.id !== s.id) return;
    s.parts.set(cp.instance, cp);
    if (s.parts.size < this.plan.instances.length) return;
    this.snapshot = null;
    this.counts.snapshots++;
    for (const part of s.parts.values()) {
      this.backups.set(part.instance, { holder: STORE, checkpoint: part, positions: part });
      this.counts.backups++;
      this.sendAcks(part, STORE);
    }
  }

  private checkpoint(id: number): void {
    this.counts.checkpoints++;
    const checkpointId = this.nextCheckpointId++;
    if (this.options.strategy === "upstream-backup")
      this.link.sendControl(id, { type: "mark", checkpointId });
    else this.link.sendControl(id, { type: "checkpoint", checkpointId });
  }

  /** Take in an instance's reply. */
  handleReply(reply: ControlReply): void {
    if (this.parallel?.handleReply(reply)) return;
    switch (reply.type) {
      case "checkpointed":
        this.checkpointed(reply.checkpoint);
        return;
      case "backedUp": {
        const cp = this.pending.get(reply.instance);
        if (cp === undefined || cp.id !== reply.checkpointId || this.down.has(reply.holder)) return;
        if (!this.ofCurrentRange(cp)) return;
        this.pending.delete(reply.instance);
        this.backups.set(reply.instance, { holder: reply.holder, checkpoint: null, positions: cp });
        this.trimmed.add(reply.instance);
        this.counts.backups++;
        this.sendAcks(cp, reply.holder);
        return;
      }
      case "restored":
        this.restored(reply.instance);
        return;
      case "backupMissing":
        // The holder lost it (it was restored itself since): restart from the initial state.
        this.backups.delete(reply.instance);
        this.recover([reply.instance], this.link.clock.nowMs(), true);
        return;
      case "ended":
        this.ended.add(reply.instance);
        return;
      case "stopped":
      case "senderReplaced":
        return;
    }
  }

  private checkpointed(cp: Checkpoint): void {
    if (this.down.has(cp.instance)) return;
    if (!this.ofCurrentRange(cp)) return;
    if (this.options.strategy === "global-snapshot") {
      this.snapshotPart(cp);
      return;
    }
    if (this.options.strategy === "upstream-backup") {
      // A mark, reported once its output is trimmed downstream: kept by the coordinator
      // (it is small: positions only), and the upstreams may trim what it covers.
      const b = this.backups.get(cp.instance);
      if (b !== undefined && b.checkpoint !== null && b.checkpoint.id >= cp.id) return;
      this.backups.set(cp.instance, { holder: STORE, checkpoint: cp, positions: cp });
      this.trimmed.add(cp.instance);
      this.counts.backups++;
      this.sendAcks(cp, STORE);
      return;
    }
    if (this.options.strategy !== "rsm") return;
    const holder = backupHolderOf(this.plan, cp.instance, this.options.backupPlacement);
    if (holder === STORE || this.away(holder)) {
      this.backups.set(cp.instance, { holder: STORE, checkpoint: cp, positions: cp });
      this.trimmed.add(cp.instance);
      this.counts.backups++;
      this.sendAcks(cp, STORE);
      return;
    }
    this.pending.set(cp.instance, cp);
    this.link.sendControl(holder, { type: "backup", checkpoint: cp });
  }

  /**
   * False for a checkpoint taken before a scale out changed its instance's key groups (it is
   * no longer the instance's state), or of an instance merged away.
   */
  private ofCurrentRange(cp: Checkpoint): boolean {
    const spec = this.plan.instances.find((s) => s.id === cp.instance);
    return spec?.range.equals(cp.range) ?? false;
  }

  /** True for an instance being replaced, by a recovery or a scale out. */
  private away(id: number): boolean {
    return this.down.has(id) || this.suspended.has(id) || this.gone.has(id);
  }

  /** Tell each upstream (but the holder, which trimmed itself) what the checkpoint covers. */
  private sendAcks(cp: Checkpoint, holder: number): void {
    for (const p of cp.inputs) {
      if (p.seq <= 0 || p.sender === holder || this.away(p.sender)) continue;
      this.counts.acks++;
      this.link.sendControl(
        p.sender,
        cp.horizonMs === undefined
          ? { type: "ack", edge: p.edge, receiver: cp.instance, seq: p.seq }
          : { type: "ack", edge: p.edge, receiver: cp.instance, seq: p.seq, beforeTimeMs: cp.horizonMs },
      );
    }
  }

  /**
   * Instances were lost at `failedAtMs` (their VM failed); the runtime learnt of it now.
   * Under `none` nothing is done; otherwise they are replaced and recovered.
   */
  instancesLost(ids: readonly number[], failedAtMs: number): void {
    if (this.options.strategy === "none" || ids.length === 0) return;
    this.recover(ids, failedAtMs, false);
  }

  private recover(lostIds: readonly number[], failedAtMs: number, forceRollback: boolean): void {
    if (this.parallel !== null) {
      throw new UnsupportedScenario(
        `instances ${lostIds.join(", ")} failed during a parallel recovery, which is not handled yet (faultTolerance.parallelRecovery 1 recovers from it)`,
      );
    }
    const now = this.link.clock.nowMs();
    const lost = new Set(lostIds);
    // A failure during a recovery folds the recoveries under way into this one: their
    // replacements (restored or not) are replaced again, alongside the newly lost. A
    // message of the abandoned recovery that is still on its way goes to an incarnation
    // that no longer exists and is dropped, as on a real network.
    const folded = this.active.splice(0);
    const again = new Set<number>();
    for (const r of folded) {
      for (const id of [...r.waiting, ...r.ready]) {
        if (lost.has(id)) continue;
        // A replacement still waiting for its VM is as good as lost: it gets another.
        if (r.placed.has(id)) again.add(id);
        else lost.add(id);
      }
    }
    for (const id of lost) {
      this.down.add(id);
      this.pending.delete(id);
    }
    // Backups held by lost instances are gone.
    const orphans: number[] = [];
    for (const [x, b] of this.backups) {
      if (b.holder !== STORE && lost.has(b.holder)) {
        this.backups.delete(x);
        if (!lost.has(x)) orphans.push(x);
      }
    }
    // Who restarts from the initial state: instances without a backup whose upstream
    // buffers were trimmed, and everything upstream of them; a backup held by an
    // instance that restarts is lost too, so repeat until nothing changes.
    const rollback = new Set<number>();
    const needsRollback = (id: number) =>
      this.options.strategy !== "global-snapshot" &&
      (this.options.strategy === "source-replay" ||
        forceRollback ||
        (!this.backups.has(id) && this.trimmed.has(id)));
    // Replacements of folded recoveries go through this one too, in place.
    const replaced = [...lost, ...again];
    if (this.options.strategy === "global-snapshot") {
      // SAND: the failed instances and everything downstream roll back to the last
      // complete global snapshot (or to their initial state before the first).
      this.snapshot = null;
      for (const id of downstreamCone(this.plan, replaced)) rollback.add(id);
    }
    let seeds = replaced.filter(needsRollback);
    while (seeds.length > 0) {
      for (const id of upstreamCone(this.plan, seeds)) rollback.add(id);
      seeds = [];
      for (const id of replaced) {
        const b = this.backups.get(id);
        if (!rollback.has(id) && b !== undefined && b.holder !== STORE && rollback.has(b.holder)) {
          this.backups.delete(id);
          seeds.push(id);
        }
      }
    }
    const live = [...new Set([...rollback, ...again])].filter((id) => !lost.has(id)).sort((a, b) => a - b);
    for (const id of live) {
      this.down.add(id);
      this.pending.delete(id);
      for (const [x, b] of this.backups) {
        if (b.holder === id) {
          this.backups.delete(x);
          if (!lost.has(x) && !rollback.has(x)) orphans.push(x);
        }
      }
    }
    for (const id of rollback) this.trimmed.delete(id);
    const record: RecoveryRecord = {
      failedAtMs,
      detectedAtMs: now,
      instances: [...lost].sort((a, b) => a - b),
      rolledBack: [...rollback].sort((a, b) => a - b),
      restoredAtMs: null,
    };
    this.records.push(record);
    const recovery: Recovery = {
      records: [...folded.flatMap((r) => r.records), record],
      waiting: new Set([...lost, ...live]),
      ready: [],
      placed: new Set(),
    };
    this.active.push(recovery);
    const specs = (ids: Iterable<number>) => {
      const wanted = new Set(ids);
      return this.plan.instances.filter((s) => wanted.has(s.id));
    };
    const restoreEach = (placed: readonly InstanceSpec[]) => {
      if (this.active[0] !== recovery) return; // folded into a later recovery meanwhile
      this.place(placed);
      for (const s of placed) {
        recovery.placed.add(s.id);
        if (!recovery.waiting.has(s.id)) continue;
        const b = this.backups.get(s.id);
        const rewind = b === undefined || (rollback.has(s.id) && this.options.strategy !== "global-snapshot");
        if (rewind) this.link.sendControl(s.id, { type: "rewind" });
        else if (b.holder === STORE && this.options.strategy === "upstream-backup") {
          this.counts.rebuilds++;
          this.link.sendControl(s.id, { type: "rebuild", mark: b.checkpoint! });
        } else if (b.holder === STORE)
          this.link.sendControl(s.id, { type: "restore", checkpoint: b.checkpoint! });
        else this.link.sendControl(b.holder, { type: "restoreBackup", instance: s.id });
      }
    };
    const parallel =
      lost.size === 1 && live.length === 0 && folded.length === 0
        ? this.parallelRecoveryOf([...lost][0], recovery, () =>
            this.link.redeploy(specs(lost), true, restoreEach),
          )
        : null;
    if (parallel !== null) {
      this.parallel = parallel;
      parallel.start();
    } else if (lost.size > 0) this.link.redeploy(specs(lost), true, restoreEach);
    if (live.length > 0) this.link.redeploy(specs(live), false, restoreEach);
    // Re-protect instances whose backups were lost, once they run again.
    for (const x of orphans) {
      this.counts.rebackups++;
      if (!this.down.has(x)) this.checkpoint(x);
    }
  }

  /**
   * A parallel recovery of lost instance `x` (rsm with parallelRecovery k > 1, a keyed
   * operator with at least k key groups, and a backup), or null to recover it as one.
   */
  private parallelRecoveryOf(x: number, recovery: Recovery, asOne: () => void): ParallelRecovery | null {
    const k = this.options.parallelRecovery ?? 1;
    const b = this.backups.get(x);
    const spec = this.plan.instances.find((s) => s.id === x);
    if (this.options.strategy !== "rsm" || k < 2 || b === undefined || spec === undefined) return null;
    if (spec.range.size < k || this.plan.logical.operators[spec.operator].syncInputs) return null;
    if (whyNotScalable(this.plan, spec.operator) !== null) return null;
    const ft = this;
    const host: ParallelRecoveryHost = {
      link: this.link,
      get plan() {
        return ft.plan;
      },
      setPlan: (plan) => {
        this.plan = plan;
        this.onPlan(plan);
      },
      newIds: (n) => this.ids.take(this.plan, n),
      deploying: (ids) => {
        for (const id of ids) this.down.add(id);
      },
      adopt: (id, holder, part) => {
        const positions = part ?? {
          inputs: b.positions.inputs,
          outputs: b.positions.outputs.map((o) => ({ ...o, seq: 0, sentTo: [] })),
        };
        this.backups.set(id, { holder, checkpoint: part, positions });
        this.trimmed.add(id);
      },
      fallBack: () => {
        this.parallel = null;
        this.counts.parallelFallbacks++;
        asOne();
      },
      done: (parts) => {
        this.parallel = null;
        this.active.length = 0;
        this.down.delete(x);
        this.gone.set(x, spec.operator);
        this.backups.delete(x);
        this.counts.parallelRecoveries++;
        const now = this.link.clock.nowMs();
        for (const rec of recovery.records) rec.restoredAtMs = now;
        // Each part's backup is its share of X's checkpoint under a new identity: it
        // checkpoints as itself at once.
        for (const p of parts) {
          this.down.delete(p);
          this.checkpoint(p);
        }
      },
    };
    return new ParallelRecovery(host, spec, k, b);
  }

  /** Instances deployed afresh by a scale out: no checkpoints for them until `unsuspend`. */
  suspend(ids: readonly number[]): void {
    for (const id of ids) {
      this.suspended.add(id);
      this.pending.delete(id);
    }
    // Backups these instances held are gone with their incarnations: re-made at once.
    for (const [x, b] of [...this.backups]) {
      if (b.holder === STORE || !this.suspended.has(b.holder)) continue;
      this.backups.delete(x);
      if (this.suspended.has(x) || this.down.has(x)) continue;
      this.counts.rebackups++;
      this.checkpoint(x);
    }
  }

  /** The instances a scale out deployed run again. */
  unsuspend(ids: readonly number[]): void {
    for (const id of ids) this.suspended.delete(id);
  }

  /** The operator of instance `id`, in the plan or replaced by a parallel recovery; undefined if unknown. */
  operatorOf(id: number): number | undefined {
    return this.plan.instances.find((s) => s.id === id)?.operator ?? this.gone.get(id);
  }

  /** The plan changed elsewhere (a scale out). */
  planChanged(plan: PhysicalPlan): void {
    this.plan = plan;
  }

  /**
   * A scale out restored `spec` from `part` (a part of a checkpoint taken at the scale
   * out's cut): under rsm it is the instance's backup until its next checkpoint, kept by
   * the coordinator; whatever was on its way for the instance's former range is dropped.
   */
  adoptBackup(part: Checkpoint, spec: InstanceSpec): void {
    if (this.options.strategy !== "rsm") return;
    this.pending.delete(spec.id);
    this.backups.set(spec.id, { holder: STORE, checkpoint: part, positions: part });
    this.trimmed.add(spec.id);
  }

  private place(placed: readonly InstanceSpec[]): void {
    this.plan = withInstances(
      this.plan,
      placed.map((s) => s.id),
      placed,
    );
    this.onPlan(this.plan);
  }

  private restored(id: number): void {
    const r = this.active[0];
    if (r === undefined || !r.waiting.delete(id)) return;
    r.ready.push(id);
    if (r.waiting.size > 0) return;
    this.active.length = 0;
    for (const x of r.ready) {
      this.down.delete(x);
      this.ended.delete(x);
      this.finalCheckpoint.delete(x);
      this.link.sendControl(x, { type: "start" });
    }
    const now = this.link.clock.nowMs();
    for (const rec of r.records) rec.restoredAtMs = now;
  }
}
