// The engine's protocols on a real run, and what ties them to its workers. The engine's
// Coordinator runs fault tolerance and scale out on the run's clock; its
// FaultToleranceLink is recovery.ts (redeploys, and workers reserved for scale outs), and
// runScaling.ts says when to scale (scheduled scalings, the threshold policy). This file
// is the glue between those and the workers: it hands a recovery a standby (and starts
// another a little later) or a worker from the pool, linked and watched; hands the
// scalings the live instances, fresh heartbeats and the workers in use; gives back the
// workers reserved for a scale out that was given up; and, when an instance retires for
// good (merged away by a scale in, split by a live scale out: under rsm it first lingers,
// serving its receivers' replays, and its `retired` says so), marks its worker emptied,
// to go back once drained (heartbeats.ts). It
// also says when the run is over: every sink has ended or, under strategy none, the
// input of every sink left depends on a lost instance, so that it never ends.

import type { Metadata } from "@grpc/grpc-js";
import {
  type ControlMessage,
  type ControlReply,
  type Coordinator,
  type FaultToleranceOptions,
  type InstanceSpec,
  type Journal,
  type JournalEntry,
  JournaledCoordinator,
  NoJournal,
  type PhysicalPlan,
  type ScaleOutRecord,
  type ScalingDecision,
  upstreamCone,
} from "../engine/index.js";
import type { CodecOf } from "./controlWire.js";
import type { Deployment } from "./deployment.js";
import { gatedLink } from "./failover/effectGate.js";
import type { HaLeader } from "./failover/haLeader.js";
import type { InstanceDirectory } from "./instanceDirectory.js";
import type { InstanceLoads, LiveInstance } from "./instanceLoads.js";
import type { RealClock } from "./realClock.js";
import { Recovery, type RecoveryHost } from "./recovery.js";
import { type CloudRunOptions, scalingOf } from "./runOptions.js";
import { RunScaling, type RunScalingHost } from "./runScaling.js";
import type { RunWorkers } from "./runWorkers.js";
import type { WorkerLink } from "./workerLink.js";

/** A standby taken by a recovery or a scale out is replaced this long after (wall-clock ms). */
export const STANDBY_REFILL_DELAY_MS = 2_000;

/** What the protocols need of the run. */
export interface RunProtocolsHost {
  readonly options: CloudRunOptions;
  readonly faultTolerance: FaultToleranceOptions;
  /** The most workers the run may have in use (standbys aside). */
  readonly maxWorkers: number;
  readonly workers: RunWorkers;
  readonly directory: InstanceDirectory;
  readonly deployment: Deployment;
  readonly metadata: Metadata;
  readonly loads: InstanceLoads;
  readonly codecOf: CodecOf;
  /** Time since event time 0, in event-time ms. */
  runMs(): number;
  /** True once the run is stopping: nothing more is deployed. */
  stopping(): boolean;
  /** True once the run is stopping or failed: nothing more is started. */
  stopped(): boolean;
  /** Stop the run with this error. */
  abort(error: Error): void;
  /** Watch the events of worker `l` from now on. */
  watch(l: WorkerLink): void;
  /** Worker `l` could not be reached: declare it dead. */
  lost(l: WorkerLink): void;
  /** Send a control message (`seq`: the engine's number of it for `instance`, under HA). */
  sendControl(instance: number, message: ControlMessage, seq?: number): void;
  /** Under HA: resolves once the run's record holds the workers and placement as they stand. */
  readonly durable?: () => Promise<void>;
  /** Ask every live worker for its stats now. */
  heartbeat(): Promise<void>;
  /** Run `f` in `ms` wall-clock ms, unless the run has ended. */
  later(f: () => void, ms: number): void;
}

/** The engine's Coordinator, recoveries and scalings of a real run, tied to its workers. */
export class RunProtocols {
  /** The engine's coordinator behind its journal (a leader of the run), once the plan is started. */
  private leader: JournaledCoordinator | null = null;
  /** Scheduled scalings and the threshold policy, once the plan is started. */
  private scaling: RunScaling | null = null;
  private readonly recovery: Recovery;
  private initialPlan!: PhysicalPlan;

  constructor(private readonly host: RunProtocolsHost) {
    this.recovery = new Recovery(this.recoveryHost());
  }

  /** Place the plan on the run's initial workers; returns it, to be deployed before `start`. */
  place(): PhysicalPlan {
    this.initialPlan = this.host.deployment.place();
    return this.initialPlan;
  }

  /** The physical plan as it stands (replacements move instances to new workers). */
  get plan(): PhysicalPlan {
    return this.coordinator?.plan ?? this.initialPlan;
  }

  /** The engine's coordinator, once the plan is started (its inputs go through the leader). */
  get coordinator(): Coordinator | null {
    return this.leader?.coordinator ?? null;
  }

  /**
   * Start the deployed plan through the engine's coordinator, on `clock`, and the scalings.
   * The coordinator runs behind a journal of its inputs (engine/takeover/), as in the
   * simulator: under HA the durable one of `ha`, its effects let out once their inputs are
   * durable; a run without HA keeps none.
   */
  start(clock: RealClock, ha: HaLeader | null): void {
    const h = this.host;
    const setup = {
      plan: this.initialPlan,
      ft: { options: h.faultTolerance, scaleOut: { live: h.options.stateTransfer === "live" } },
    };
    const journal: Journal = ha?.journal ?? new NoJournal();
    const leader = JournaledCoordinator.begin(setup, this.runtime(clock, ha), journal);
    this.leader = leader;
    leader.start();
    this.scaling = new RunScaling(scalingOf(h.options), this.scalingHost(leader, clock));
    this.scaling.start();
  }

  /**
   * A new leader's coordinator: rebuilt from `ha`'s journal, then live, with the messages
   * `unapplied` says may not have been applied sent again and `catchUp` handing in what no
   * leader took (engine/takeover/coordinatorTakeover.ts). The scheduled scalings the journal
   * shows begun are not asked for again.
   */
  resume(
    clock: RealClock,
    ha: HaLeader,
    unapplied: (instance: number, seq: number) => boolean,
    catchUp: () => void,
  ): void {
    this.recovery.restore(...this.journaledPlacements(ha.journal.entries));
    const leader = JournaledCoordinator.takeOver(this.runtime(clock, ha), ha.journal, unapplied);
    this.leader = leader;
    this.initialPlan =
      ha.journal.entries[0].input.kind === "create" ? ha.journal.entries[0].input.setup.plan : this.plan;
    this.scaling = new RunScaling(scalingOf(this.host.options), this.scalingHost(leader, clock));
    leader.goLive(catchUp);
    const begun = (kinds: readonly string[]) =>
      ha.journal.entries.filter((e) => e.depth === 0 && kinds.includes(e.input.kind)).length;
    this.scaling.start({ scaleOuts: begun(["scaleOut", "migrate"]), scaleIns: begun(["scaleIn"]) });
  }

  /**
   * What the old leader's redeploys held, from its journal: the workers reserved for a
   * reconfiguration that host nothing yet (a migration moves its instance onto one), and
   * each instance as a deployment last placed it (a given-up reconfiguration drops its new
   * instances by these specs).
   */
  private journaledPlacements(entries: readonly JournalEntry[]): [Set<number>, InstanceSpec[]] {
    const reserved = new Set<number>();
    const placed = new Map<number, InstanceSpec>();
    for (const e of entries) {
      const i = e.input;
      if (i.kind === "reserved") reserved.add(i.vm);
      else if (i.kind === "deployed") for (const spec of i.placed) placed.set(spec.id, spec);
    }
    for (const w of reserved) if (this.host.directory.hostedBy(w).length > 0) reserved.delete(w);
    return [reserved, [...placed.values()]];
  }

  /** The coordinator's runtime on `clock`: the recovery's link (its effects gated under HA) and hooks. */
  private runtime(clock: RealClock, ha: HaLeader | null) {
    const link = this.recovery.link(clock);
    return {
      link: ha === null ? link : gatedLink(link, ha.gate),
      scalingEnded: (record: ScaleOutRecord) => this.scaling?.ended(record),
      unusedVm: (w: number) => this.unused(w),
    };
  }

  /** The run is ending: no more checkpoints or recoveries are started. */
  stop(): void {
    if (this.leader?.mode === "live") this.leader.stop();
  }

  /** Resolves once no redeploy is under way. */
  settled(): Promise<void> {
    return this.recovery.settled();
  }

  /**
   * A reply from an instance's live incarnation: to the engine. A retired instance's worker
   * may go, but not while it lingers (under rsm, serving its receivers' replays and acks
   * until the engine retires it for good: the plain `retired` that follows).
   */
  reply(reply: ControlReply): void {
    this.leader?.handleReply(reply);
    if (reply.type === "retired" && reply.lingering !== true) this.retired(reply.instance);
  }

  /** Instances `ids` failed at run time `failedAtMs` (throws when the protocol cannot recover). */
  instancesFailed(ids: number[], failedAtMs: number): void {
    this.leader?.instancesFailed(ids, failedAtMs);
  }

  /**
   * True when no more output can come: every sink has ended (or, under `none`, was lost or
   * depends on a lost instance, so that its input never ends).
   */
  get over(): boolean {
    const c = this.coordinator;
    if (c === null) return false;
    if (c.sinksDone) return true;
    if (this.host.faultTolerance.strategy !== "none" || c.lostInstances.size === 0) return false;
    const sinkOps = new Set(c.plan.logical.operators.filter((op) => op.kind === "sink").map((op) => op.id));
    return c.plan.instances
      .filter((i) => sinkOps.has(i.operator))
      .every(
        (i) => c.hasEnded(i.id) || [...upstreamCone(c.plan, [i.id])].some((u) => c.lostInstances.has(u)),
      );
  }

  /** Give back a worker that hosts nothing (reserved for a refused scale out, or emptied by a scale in). */
  releaseIdle(l: WorkerLink): void {
    if (!this.host.workers.leave(l, this.host.runMs())) return;
    this.recovery.unreserve(l.index);
    void this.host.workers.release(l);
  }

  /** The threshold policy's decisions (a blocked one was not carried out). */
  get decisions(): readonly ScalingDecision[] {
    return this.scaling?.decisions ?? [];
  }

  /** The engine's records of the run's scalings (a refused one says why). */
  get scaleOutRecords(): readonly ScaleOutRecord[] {
    return this.coordinator?.scaling?.records ?? [];
  }

  /**
   * Instance `id` retired for good (merged away by a scale in, or split by a live scale
   * out; under rsm once it lingered no more): it is gone from the directory, and its
   * worker, if it hosts nothing else now, goes once a heartbeat says that everything it
   * sent (the retired instance's last output, the end of its streams) was processed.
   */
  private retired(id: number): void {
    const { directory, workers } = this.host;
    const w = directory.workerOf(id);
    directory.remove(id);
    if (w === undefined) return;
    const l = workers.links[w];
    if (l.alive && !l.standby && directory.hostedBy(w).length === 0) l.emptiedEpochMs = Date.now();
  }

  /** What recovery.ts needs of the run. */
  private recoveryHost(): RecoveryHost {
    const h = this.host;
    return {
      pool: h.options.pool,
      codecOf: h.codecOf,
      directory: h.directory,
      metadata: h.metadata,
      links: () => h.workers.links,
      plan: () => this.plan,
      stopping: () => h.stopping(),
      takeStandby: () => this.takeStandby(),
      addWorker: (vm) => {
        const l = h.workers.add(vm, h.runMs());
        h.watch(l);
        return l;
      },
      deploy: (l, plan, hosted) => h.deployment.deploy(l, plan, hosted),
      sendControl: (id, m, seq) => h.sendControl(id, m, seq),
      durable: h.durable,
      lost: (l) => h.lost(l),
      abort: (e) => h.abort(e),
      workersInUse: () => h.workers.inUse.length,
      maxWorkers: h.maxWorkers,
      roomyWorker: () => this.scaling?.controller?.placeNewInstance() ?? null,
      scaleOutUnderWay: () => this.underWay(),
      reserveRefused: (record, why) => this.reserveRefused(record, why),
      failed: (ids) => {
        try {
          this.instancesFailed([...ids], h.runMs());
        } catch (e) {
          // The protocol cannot recover from this failure: stop the run.
          h.abort(e instanceof Error ? e : new Error(String(e)));
        }
      },
      unreserved: (index) => {
        const l = h.workers.links[index];
        if (l !== undefined && !l.standby && h.directory.hostedBy(index).length === 0) this.releaseIdle(l);
      },
    };
  }

  /** What runScaling.ts needs of the run. */
  private scalingHost(leader: JournaledCoordinator, clock: RealClock): RunScalingHost {
    const h = this.host;
    return {
      clock,
      coordinator: leader.controllerTarget,
      loads: h.loads,
      stopped: () => h.stopped(),
      abort: (e) => h.abort(e),
      heartbeat: () => h.heartbeat(),
      live: () => this.liveInstances(),
      workersInUse: () => h.workers.inUse.map((l) => l.index),
      sendControl: (id, m) => h.sendControl(id, m),
    };
  }

  /** The plan's instances on live workers, with their incarnations. */
  private liveInstances(): LiveInstance[] {
    const { directory, workers } = this.host;
    const out: LiveInstance[] = [];
    for (const i of this.plan.instances) {
      const worker = directory.workerOf(i.id);
      if (worker === undefined || !workers.links[worker].alive) continue;
      out.push({ instance: i.id, operator: i.operator, worker, incarnation: directory.incarnationOf(i.id) });
    }
    return out;
  }

  /** A standby to host replacements, counted in from now on; another is started for next time. */
  private takeStandby(): WorkerLink | undefined {
    const l = this.host.workers.takeStandby(this.host.runMs());
    if (l === undefined) return undefined;
    // The next one starts a little later: a worker's start takes a core for a second or two,
    // which, on a machine the run shares (local workers), slows the recovery it was taken for.
    this.host.later(() => void this.addStandby(), STANDBY_REFILL_DELAY_MS);
    return l;
  }

  /** Take a worker from the pool and deploy the run on it, hosting nothing, as a standby. */
  private async addStandby(): Promise<void> {
    const h = this.host;
    const vm = await h.options.pool.acquire().catch(() => null);
    if (vm === null) return; // no standby then: a recovery takes a worker from the pool itself
    if (h.stopping()) {
      await h.options.pool.release(vm);
      return;
    }
    const l = h.workers.add(vm, h.runMs(), true);
    h.watch(l);
    await h.deployment.deploy(l, this.plan, []).catch(() => h.lost(l));
  }

  /** The scale out waiting for its workers now, if any. */
  private underWay(): ScaleOutRecord | null {
    const records = this.coordinator?.scaling?.records ?? [];
    const last = records[records.length - 1];
    return last === undefined || last.pausedAtMs !== null || last.refused !== null ? null : last;
  }

  /** No worker can be had for the scale out `record`: give it up, saying why. */
  private reserveRefused(record: ScaleOutRecord | null, why: string): void {
    this.leader?.abandon(why, record ?? undefined);
  }

  /** A worker reserved for a scale out given up goes back, but for one in use already (chosen by load-aware placement). */
  private unused(w: number): void {
    if (this.host.directory.hostedBy(w).length === 0) this.releaseIdle(this.host.workers.links[w]);
  }
}
