// The coordinator of a real run: it takes workers from a VM pool, deploys the physical
// plan onto them, starts it through the engine's Coordinator, and follows the run until
// every sink has ended: heartbeats every interval (stats: CPU, queues, throughput), a
// watch stream per worker (engine replies and the sinks' outputs), and a fault detector
// that declares a worker dead at once when its watch stream breaks and, failing that,
// after missed heartbeats. A dead worker is fenced (given back to the pool, so it cannot
// go on sending) and its instances are handed to the engine's fault-tolerance protocol,
// which recovers them through the FaultToleranceLink here (recovery.ts does the
// redeploying). Scalings (runScaling.ts: scheduled scale outs, migrations and scale ins,
// and the threshold policy fed by the heartbeats' per-instance stats) go to the engine's
// scale-out protocol on the run's clock, which gets its workers through the same link; a
// worker left hosting nothing by a scale in goes back to the pool once everything it sent
// has been processed.
// Outputs, latency and throughput go into the same Metrics and OutputDigest as a
// simulated run's, so the two can be compared field by field.

import type { Metadata } from "@grpc/grpc-js";
import {
  type ControlMessage,
  type ControlReply,
  Coordinator,
  DEFAULT_FAULT_TOLERANCE,
  deadlineMet,
  decodeBatch,
  type ElasticityOptions,
  type FaultToleranceOptions,
  JSON_STATE_CODEC,
  type LogicalPlan,
  latencyFiguresMs,
  Metrics,
  type MetricsRow,
  OutputDigest,
  type OutputRecord,
  type PhysicalPlan,
  physicalPlan,
  recoverySummaries,
  roundMs,
  type ScaleOutRecord,
  type ScalingDecision,
  SinkLedger,
  type StateCodec,
  scaleOutSummaries,
  upstreamCone,
} from "../engine/index.js";
import { channelCredentials, type TlsFiles, tokenMetadata } from "./auth.js";
import {
  BULK_CHANNEL_OPTIONS,
  CONTROL_CHANNEL_OPTIONS,
  carriedCheckpoint,
  controlDeadlineMs,
  wireCodecOf,
} from "./controlForwarder.js";
import { fromReplyMessage, taskFailureOf, toControlRequest } from "./controlWire.js";
import { leaseMsFromEnv } from "./coordinatorLease.js";
import { ControlClient, type DeployRequest, type WorkerEvent } from "./gen/seep/v1/seep.js";
import { InstanceDirectory } from "./instanceDirectory.js";
import { InstanceLoads, type LiveInstance } from "./instanceLoads.js";
import { DEFAULT_MESSAGE_BYTES_MAX } from "./messageLimits.js";
import { keepAlivePeriodMs, PoolKeepAlive } from "./poolKeepAlive.js";
import { RealClock } from "./realClock.js";
import { Recovery, specMessage } from "./recovery.js";
import { checkRunScaling, RunScaling, type ScheduledScaleIn, type ScheduledScaleOut } from "./runScaling.js";
import type { RunSummary, WorkerFailure } from "./runSummary.js";
import { heartbeatTimeoutMs, rpcTimeoutMs, TimeoutError } from "./timeouts.js";
import type { CloudVm, VmPool } from "./vmPool.js";
import { unary, WorkerGone, type WorkerLink } from "./workerLink.js";

/** One tuple a sink received (the same record as a simulated run's). */
export type CloudOutput = OutputRecord;

/** A worker to SIGKILL during the run: its index (0-based, among the run's initial workers) and when. */
export interface WorkerKill {
  readonly worker: number;
  /** Run time (event-time ms since event time 0, as failedAtMs and the metrics count it). */
  readonly atMs: number;
}

export {
  SCALABLE_STRATEGIES,
  ScaleOutError,
  type ScheduledScaleIn,
  type ScheduledScaleOut,
} from "./runScaling.js";

/** Under strategy none, a run that may scale out acks what was processed every this many batches. */
const ACK_PROCESSED_EVERY = 16;

/** What a real run is made of. */
export interface CloudRunOptions {
  readonly name: string;
  readonly pool: VmPool;
  readonly poolKind: string;
  readonly workers: number;
  readonly token: string;
  /** The coordinator's certificate, key and the run's CA: every call to a worker goes over mutual TLS. */
  readonly tls?: TlsFiles;
  /**
   * The largest message taken in from a worker, in bytes (messageLimits.ts; the workers'
   * own bound is given to them by the pool). Default DEFAULT_MESSAGE_BYTES_MAX.
   */
  readonly messageBytesMax?: number;
  /** The workload by name, as the workers resolve it, and the plan it gives here. */
  readonly workload: string;
  readonly params: Record<string, unknown>;
  readonly plan: LogicalPlan;
  readonly seed: number;
  readonly batchSize: number;
  readonly sourcePollMs: number;
  /** Event-time ms replayed per wall-clock ms (default 1: real time); outputs' times are in event time. */
  readonly replaySpeed?: number;
  /** The event time the replay starts at (default 0; a window of a longer stream starts later). */
  readonly startEventTimeMs?: number;
  /** Stop after this much run time even if the stream goes on. */
  readonly untilMs?: number;
  readonly heartbeatMs?: number;
  /**
   * How long a worker may leave heartbeats unanswered before it is declared dead (default:
   * SEEP_HEARTBEAT_TIMEOUT_MS, else 30000). A worker busy with a long task (the checkpoint
   * of a large state, a major GC, a starved process on a busy machine) is not dead; a dead
   * one breaks its watch stream at once, so this only has to catch one that hangs.
   */
  readonly heartbeatTimeoutMs?: number;
  readonly metricsIntervalMs?: number;
  /** The fault-tolerance strategy and its parameters (default: none). */
  readonly faultTolerance?: FaultToleranceOptions;
  /**
   * Standby workers: started and deployed with the run, hosting nothing, to host
   * replacements at once (default: 1 under a strategy other than none, else 0).
   */
  readonly standbyWorkers?: number;
  /** Workers to kill during the run (needs a pool that can kill). */
  readonly kills?: readonly WorkerKill[];
  /** Scale outs and migrations to carry out during the run (strategy none or rsm). */
  readonly scaleOuts?: readonly ScheduledScaleOut[];
  /** Scale ins to carry out during the run (strategy none). */
  readonly scaleIns?: readonly ScheduledScaleIn[];
  /** The outputs' latency deadline (`scaling.deadlineMs`): the summary says whether every output met it. */
  readonly deadlineMs?: number;
  /** How scale outs move state (`scaling.stateTransfer`): pause (default) or live (strategy none). */
  readonly stateTransfer?: "pause" | "live";
  /** The threshold policy (`scaling.policy: threshold`); absent: none. */
  readonly policy?: ElasticityOptions;
  /**
   * Workers started ahead, waiting in the pool for the scale outs the threshold policy
   * decides (the simulator's `pool.prewarmed` VMs); default 0: each is started when needed,
   * which takes seconds (a local process on a busy machine) to minutes (EC2).
   */
  readonly prewarmedWorkers?: number;
  /**
   * The most workers the run may have in use (standbys aside): a scale out that would
   * need more is refused. Default: the highest `maxVms` of the policy's scale-out rules,
   * else no bound.
   */
  readonly maxWorkers?: number;
  /** Every tuple a sink received. */
  readonly onOutput?: (o: CloudOutput) => void;
  /** Progress, every metrics interval. */
  readonly onProgress?: (runMs: number, tuplesIn: number, tuplesOut: number) => void;
  /** A worker was declared dead. */
  readonly onFailure?: (failure: WorkerFailure) => void;
  /** Every reply an instance sent to the coordinator (checkpoints included, decoded). */
  readonly onReply?: (reply: ControlReply) => void;
}

/** A standby taken by a recovery or a scale out is replaced this long after (wall-clock ms). */
export const STANDBY_REFILL_DELAY_MS = 2_000;

/** A real run on workers from a pool. */
export class CloudRun {
  private readonly metrics: Metrics;
  private readonly digest = new OutputDigest();
  /** What the sinks have let out (a restored sink reports some of it again). */
  private readonly ledger = new SinkLedger();
  private readonly failures: WorkerFailure[] = [];
  private readonly directory = new InstanceDirectory();
  private readonly ft: FaultToleranceOptions;
  private links: WorkerLink[] = [];
  private initialPlan!: PhysicalPlan;
  private coordinator: Coordinator | null = null;
  private recovery!: Recovery;
  private clock!: RealClock;
  private codecs: StateCodec<unknown>[] = [];
  private startEpochMs = 0;
  private stopping = false;
  private finish: (() => void) | null = null;
  /** Why the run was cut short, if it was (thrown once everything is stopped). */
  private error: Error | null = null;
  /** Run time each killed worker was killed at, by worker index. */
  private readonly killedAtMs = new Map<number, number>();
  private readonly timers: NodeJS.Timeout[] = [];
  private vmsMax = 0;
  private lastTickMs = 0;
  /** Replies dropped because their incarnation had been replaced. */
  staleReplies = 0;
  /** Reroutes sent and not yet answered by their workers. */
  private readonly reroutesInFlight = new Set<Promise<void>>();
  /** Instances whose `start` waits for those reroutes, with the messages held for them in order. */
  private readonly held = new Map<number, [ControlMessage, number][]>();
  private readonly metadata: Metadata;
  /** The heartbeats' per-instance stats, for load reports and shed counts. */
  private readonly loads = new InstanceLoads();
  /** Scheduled scalings and the threshold policy (once the plan is started). */
  private scaling: RunScaling | null = null;
  private readonly maxWorkers: number;
  private readonly heartbeatTimeoutMs: number;

  constructor(private readonly o: CloudRunOptions) {
    this.heartbeatTimeoutMs = o.heartbeatTimeoutMs ?? heartbeatTimeoutMs();
    this.metrics = new Metrics({ intervalMs: o.metricsIntervalMs ?? 1000 });
    this.metadata = tokenMetadata(o.token);
    this.ft = o.faultTolerance ?? DEFAULT_FAULT_TOLERANCE;
    for (const k of o.kills ?? []) {
      if (!Number.isInteger(k.worker) || k.worker < 0 || k.worker >= o.workers)
        throw new RangeError(
          `kill: worker ${k.worker} is not one of the run's workers (0 to ${o.workers - 1})`,
        );
      if (!Number.isFinite(k.atMs) || k.atMs < 0)
        throw new RangeError(`kill: time ${k.atMs} ms must be >= 0`);
    }
    if ((o.kills?.length ?? 0) > 0 && o.pool.kill === undefined)
      throw new RangeError(`the ${o.poolKind} pool cannot kill workers`);
    checkRunScaling(this.scalingOptions, o.plan, this.ft.strategy);
    const rules = o.policy?.policy.rules.filter((r) => r.action === "scaleOut") ?? [];
    this.maxWorkers =
      o.maxWorkers ??
      (rules.length === 0 ? Number.POSITIVE_INFINITY : Math.max(...rules.map((r) => r.maxVms)));
  }

  private get scalingOptions() {
    return {
      scaleOuts: this.o.scaleOuts ?? [],
      scaleIns: this.o.scaleIns ?? [],
      policy: this.o.policy ?? null,
    };
  }

  /** True when the run may scale: its workers keep their sent output. */
  private get elastic(): boolean {
    const s = this.scalingOptions;
    return s.scaleOuts.length > 0 || s.scaleIns.length > 0 || s.policy !== null;
  }

  /** Run to the end of the stream (or `untilMs`); resolves with the summary. */
  async run(): Promise<RunSummary> {
    // No source maps in stack traces while the run goes on: grpc-js reads the stack of every
    // failed call (a dead worker fails several), and with source maps on (tsx turns them on)
    // the first such stack parses the maps it touches, for tens of ms, just when the failure
    // is to be detected.
    const sourceMaps = process.sourceMapsEnabled;
    process.setSourceMapsEnabled(false);
    // The pool's workers not taken yet get no heartbeats: their leases are kept alive apart.
    const keepAlive = new PoolKeepAlive(
      this.o.pool,
      (address) => new ControlClient(address, channelCredentials(this.o.tls)),
      this.metadata,
      keepAlivePeriodMs(leaseMsFromEnv()),
    ).start();
    try {
      return await this.runToEnd();
    } finally {
      keepAlive.stop();
      process.setSourceMapsEnabled(sourceMaps);
    }
  }

  private async runToEnd(): Promise<RunSummary> {
    const o = this.o;
    // The workers the scheduled scale outs will take are started ahead too (they wait in
    // the pool, outside the run, until a scale out takes them); the policy's are taken
    // from the pool when it decides.
    // A stopping split keeps the instance where it is and puts the other factor - 1 parts on
    // workers of their own (a migration, factor 1, takes one); a live one retires it and
    // puts all factor parts on new workers.
    const live = o.stateTransfer === "live";
    const scheduled = (o.scaleOuts ?? []).reduce(
      (n, so) => n + (live ? so.factor : Math.max(1, so.factor - 1)),
      0,
    );
    const scaleOutWorkers = Math.min(
      scheduled + (o.policy === undefined ? 0 : (o.prewarmedWorkers ?? 0)),
      Math.max(0, this.maxWorkers - o.workers),
    );
    await o.pool.prewarm(o.workers + this.standbys + scaleOutWorkers);
    const vms = await Promise.all(Array.from({ length: o.workers + this.standbys }, () => o.pool.acquire()));
    for (const [i, vm] of vms.entries()) this.addLink(vm, 0, i >= o.workers);
    this.initialPlan = physicalPlan(o.plan, { vms: o.workers });
    for (const i of this.initialPlan.instances) this.directory.place(i.id, i.vm);
    this.codecs = o.plan.operators.map(
      (op) => (op.stateCodec as StateCodec<unknown> | undefined) ?? JSON_STATE_CODEC,
    );
    const done = new Promise<void>((resolve) => {
      this.finish = resolve;
    });
    for (const l of this.links) this.watch(l);
    const speed = o.replaySpeed ?? 1;
    this.startEpochMs = Date.now() + 300 - (o.startEventTimeMs ?? 0) / speed;
    this.clock = new RealClock(this.startEpochMs, speed);
    this.recovery = new Recovery(this.recoveryHost());
    // Standbys are deployed too, hosting nothing: a replacement on one starts at once.
    await Promise.all(
      this.links.map((l) => this.deploy(l, this.initialPlan, this.directory.hostedBy(l.index))),
    ).catch((e: unknown) => {
      // A worker too slow to take its deployment is a machine too busy, not a bug.
      throw e instanceof WorkerGone && e.timedOut ? new TimeoutError(e.message) : e;
    });
    this.coordinator = new Coordinator(
      this.initialPlan,
      { sendControl: (id, msg) => this.sendControl(id, msg) },
      {
        options: this.ft,
        link: this.recovery.link(this.clock),
        scaleOut: { live: o.stateTransfer === "live" },
      },
    );
    this.coordinator.start();
    this.scaling = new RunScaling(this.scalingOptions, this.scalingHost(this.coordinator));
    this.scaling.start();
    for (const k of o.kills ?? [])
      this.timers.push(
        setTimeout(() => this.kill(k.worker), this.startEpochMs + k.atMs / speed - Date.now()),
      );
    const beat = setInterval(() => void this.heartbeat(), o.heartbeatMs ?? 500);
    // Intervals end at whole multiples of the interval in run time, as a simulated run's do.
    const intervalMs = o.metricsIntervalMs ?? 1000;
    let tick: NodeJS.Timeout | undefined;
    const tickAt = (dueMs: number) => {
      tick = setTimeout(
        () => {
          this.tick();
          tickAt(Math.max(dueMs + intervalMs, (Math.floor(this.runMs() / intervalMs) + 1) * intervalMs));
        },
        (dueMs - this.runMs()) / speed,
      );
    };
    tickAt((Math.floor(Math.max(0, this.runMs()) / intervalMs) + 1) * intervalMs);
    if (o.untilMs !== undefined) this.timers.push(setTimeout(() => this.finish?.(), o.untilMs / speed + 300));
    await done;
    clearInterval(beat);
    clearTimeout(tick);
    for (const t of this.timers) clearTimeout(t);
    this.coordinator.faultTolerance?.stop();
    this.clock.cancelAll();
    // The counters since the last beat, waited for as long as a control call (a busy
    // worker answers late; a heartbeat's short deadline would leave the last ones out).
    await this.heartbeat(rpcTimeoutMs());
    const endMs = this.runMs();
    this.metrics.closeInterval(Math.max(endMs, this.lastTickMs + 1), this.gauges());
    await this.stopAll();
    if (this.error !== null) throw this.error;
    return this.summary(endMs);
  }

  /** Standby workers the run keeps. */
  private get standbys(): number {
    return this.o.standbyWorkers ?? (this.ft.strategy === "none" ? 0 : 1);
  }

  /** The physical plan as it stands (replacements move instances to new workers). */
  private get plan(): PhysicalPlan {
    return this.coordinator?.plan ?? this.initialPlan;
  }

  /** Time since event time 0, in event-time milliseconds (wall time times the replay speed). */
  private runMs(): number {
    return (Date.now() - this.startEpochMs) * (this.o.replaySpeed ?? 1);
  }

  private addLink(vm: CloudVm, joinedAtMs: number, standby = false): WorkerLink {
    const link: WorkerLink = {
      index: this.links.length,
      standby,
      vm,
      client: new ControlClient(vm.address, channelCredentials(this.o.tls), {
        ...CONTROL_CHANNEL_OPTIONS,
        "grpc.max_receive_message_length": this.o.messageBytesMax ?? DEFAULT_MESSAGE_BYTES_MAX,
      }),
      bulk: new ControlClient(vm.address, channelCredentials(this.o.tls), {
        ...BULK_CHANNEL_OPTIONS,
        "grpc.max_receive_message_length": this.o.messageBytesMax ?? DEFAULT_MESSAGE_BYTES_MAX,
      }),
      // Heartbeats get a connection of their own: on the control connection they would
      // wait behind checkpoints of tens of megabytes, and a busy worker reads those slowly.
      beat: new ControlClient(vm.address, channelCredentials(this.o.tls), {
        "grpc.use_local_subchannel_pool": 1,
      }),
      watch: null,
      alive: true,
      released: false,
      answeredEpochMs: Date.now(),
      lastStats: null,
      tuplesProcessed: 0,
      sourceTuples: 0,
      joinedAtMs,
      leftAtMs: null,
      emptiedEpochMs: null,
    };
    this.links.push(link);
    this.countWorkers();
    return link;
  }

  /** The run's workers in use now (standbys wait outside the count until taken). */
  private get inUse(): WorkerLink[] {
    return this.links.filter((l) => l.alive && !l.standby);
  }

  private countWorkers(): void {
    this.vmsMax = Math.max(this.vmsMax, this.inUse.length);
  }

  /** A standby to host replacements, counted in from now on; another is started for next time. */
  private takeStandby(): WorkerLink | undefined {
    const l = this.links.find((x) => x.alive && x.standby);
    if (l === undefined) return undefined;
    l.standby = false;
    l.joinedAtMs = this.runMs();
    this.countWorkers();
    // The next one starts a little later: a worker's start takes a core for a second or two,
    // which, on a machine the run shares (local workers), slows the recovery it was taken for.
    this.timers.push(setTimeout(() => void this.addStandby(), STANDBY_REFILL_DELAY_MS));
    return l;
  }

  /** Take a worker from the pool and deploy the run on it, hosting nothing, as a standby. */
  private async addStandby(): Promise<void> {
    const vm = await this.o.pool.acquire().catch(() => null);
    if (vm === null) return; // no standby then: a recovery takes a worker from the pool itself
    if (this.stopping) {
      await this.o.pool.release(vm);
      return;
    }
    const l = this.addLink(vm, this.runMs(), true);
    this.watch(l);
    await this.deploy(l, this.plan, []).catch(() => this.lost(l, "stream"));
  }

  /** What runScaling.ts needs of the run. */
  private scalingHost(coordinator: Coordinator) {
    return {
      clock: this.clock,
      coordinator,
      loads: this.loads,
      stopped: () => this.stopping || this.error !== null,
      abort: (e: Error) => this.abort(e),
      heartbeat: () => this.heartbeat(),
      live: () => this.liveInstances(),
      workersInUse: () => this.inUse.map((l) => l.index),
      sendControl: (id: number, m: ControlMessage) => this.sendControl(id, m),
    };
  }

  /** The plan's instances on live workers, with their incarnations. */
  private liveInstances(): LiveInstance[] {
    const out: LiveInstance[] = [];
    for (const i of this.plan.instances) {
      const worker = this.directory.workerOf(i.id);
      if (worker === undefined || !this.links[worker].alive) continue;
      out.push({
        instance: i.id,
        operator: i.operator,
        worker,
        incarnation: this.directory.incarnationOf(i.id),
      });
    }
    return out;
  }

  /** What recovery.ts needs of the run. */
  private recoveryHost() {
    return {
      pool: this.o.pool,
      codecOf: (op: number) => this.codecs[op] ?? JSON_STATE_CODEC,
      directory: this.directory,
      metadata: this.metadata,
      links: () => this.links,
      plan: () => this.plan,
      stopping: () => this.stopping,
      takeStandby: () => this.takeStandby(),
      addWorker: (vm: CloudVm) => {
        const l = this.addLink(vm, this.runMs());
        this.watch(l);
        return l;
      },
      deploy: (l: WorkerLink, plan: PhysicalPlan, hosted: number[]) => this.deploy(l, plan, hosted),
      sendControl: (id: number, m: ControlMessage) => this.sendControl(id, m),
      lost: (l: WorkerLink) => this.lost(l, "stream"),
      abort: (e: Error) => this.abort(e),
      workersInUse: () => this.inUse.length,
      maxWorkers: this.maxWorkers,
      roomyWorker: () => this.scaling?.controller?.placeNewInstance() ?? null,
      scaleOutUnderWay: () => this.underWay(),
      reserveRefused: (record: ScaleOutRecord | null, why: string) => {
        // The workers it got go back, but for one in use already (chosen by load-aware placement).
        const unused = (w: number) => {
          if (this.directory.hostedBy(w).length === 0) this.releaseIdle(this.links[w]);
        };
        this.coordinator?.scaling?.abandon(why, unused, record ?? undefined);
      },
    };
  }

  /** The scale out waiting for its workers now, if any. */
  private underWay(): ScaleOutRecord | null {
    const records = this.coordinator?.scaling?.records ?? [];
    const last = records[records.length - 1];
    return last === undefined || last.pausedAtMs !== null || last.refused !== null ? null : last;
  }

  /** Give back a worker that hosts nothing (reserved for a refused scale out, or emptied by a scale in). */
  private releaseIdle(l: WorkerLink): void {
    if (!l.alive) return;
    l.alive = false;
    l.leftAtMs = this.runMs();
    this.recovery.unreserve(l.index);
    void this.release(l);
  }

  private gauges() {
    const cpuByVm = new Map<number, number>();
    let queueLength = 0;
    for (const l of this.inUse) {
      if (l.lastStats === null) continue;
      cpuByVm.set(l.index, l.lastStats.cpuUtilisation);
      queueLength += l.lastStats.queuedTuples;
    }
    return { queueLength, vmsInUse: this.inUse.length, cpuByVm };
  }

  private tick(): void {
    const now = this.runMs();
    if (now <= this.lastTickMs) return;
    this.lastTickMs = now;
    this.metrics.closeInterval(now, this.gauges());
    this.o.onProgress?.(now, this.metrics.tuplesInTotal, this.metrics.tuplesOutTotal);
  }

  /** Deploy the instances `hosted` of `plan` on a worker that runs nothing yet. */
  private deploy(l: WorkerLink, plan: PhysicalPlan, hosted: number[]): Promise<void> {
    const request: DeployRequest = {
      runId: this.o.name,
      workload: this.o.workload,
      paramsJson: JSON.stringify(this.o.params),
      seed: this.o.seed,
      instances: plan.instances.map(specMessage),
      addresses: this.directory.addressesOf((w) => this.links[w].vm.address),
      hosted,
      batchSize: this.o.batchSize,
      sourcePollMs: this.o.sourcePollMs,
      startEpochMs: this.startEpochMs,
      replaySpeed: this.o.replaySpeed ?? 1,
      faultTolerance: this.ft.strategy,
      incarnations: this.directory.incarnationsOf(),
      // A scale out replays, from the split instance's checkpoint on, what its upstreams
      // had sent; without checkpoints to trim them, receivers ack what they processed.
      bufferOutput: this.elastic,
      ackProcessedEvery: this.elastic && this.ft.strategy === "none" ? ACK_PROCESSED_EVERY : 0,
      stampOutputCuts: this.ft.strategy === "rsm" && (this.ft.parallelRecovery ?? 1) > 1,
    };
    return unary(l, l.client.deploy, request, this.metadata, "deploying").then(() => {});
  }

  /**
   * Send a control message to an instance's live incarnation, wherever it runs.
   *
   * A `start` waits until the reroutes sent in the same turn have reached their workers
   * (are queued in their instances' inboxes), and later messages to its instance wait
   * behind it. A restored instance asks its upstreams for replays as it starts; after a
   * scale out, the engine sends the parts' starts and then, in the same turn, the
   * upstreams' reroutes, and a replay that overtook its upstream's reroute (it can, on
   * real workers: another connection, another hop) would re-send, under the old routing,
   * tuples whose keys the restored part no longer owns.
   */
  sendControl(id: number, message: ControlMessage): void {
    const incarnation = this.directory.incarnationOf(id);
    const queue = this.held.get(id);
    if (queue !== undefined) {
      queue.push([message, incarnation]);
      return;
    }
    if (message.type !== "start") {
      this.transmit(id, message, incarnation);
      return;
    }
    const held: [ControlMessage, number][] = [[message, incarnation]];
    this.held.set(id, held);
    queueMicrotask(() => {
      void Promise.all(this.reroutesInFlight).then(() => {
        this.held.delete(id);
        for (const [m, n] of held) this.transmit(id, m, n);
      });
    });
  }

  /** Send `message` to incarnation `incarnation` of instance `id` now. */
  private transmit(id: number, message: ControlMessage, incarnation: number): void {
    if (this.stopping) return; // its channels are closing: nothing is sent any more
    const w = this.directory.workerOf(id);
    if (w === undefined) return;
    const l = this.links[w];
    if (!l.alive) return; // lost with its worker
    const codec = wireCodecOf(message, (op) => this.codecs[op] ?? JSON_STATE_CODEC);
    const req = { ...toControlRequest(id, message, codec), incarnation };
    const client = carriedCheckpoint(message) === undefined ? l.client : l.bulk;
    if (message.type !== "reroute") {
      client.send(req, this.metadata, { deadline: Date.now() + controlDeadlineMs(message) }, () => {});
      return;
    }
    // Answered once the worker has queued it (or failed: its worker is gone).
    const done = new Promise<void>((resolve) =>
      client.send(req, this.metadata, { deadline: Date.now() + controlDeadlineMs(message) }, () => resolve()),
    );
    this.reroutesInFlight.add(done);
    void done.then(() => this.reroutesInFlight.delete(done));
  }

  private watch(l: WorkerLink): void {
    const stream = l.client.watch({}, this.metadata);
    l.watch = stream;
    stream.on("data", (e: WorkerEvent) => {
      // An instance that failed a task (a bug, or a worker fed a malformed message) stops
      // the run with what failed; so does an event this coordinator cannot take in.
      const failure = e.reply === undefined ? null : taskFailureOf(e.reply);
      if (failure !== null) {
        this.abort(new Error(`worker ${l.vm.address}: ${failure}`));
        return;
      }
      try {
        this.onEvent(e);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        this.abort(
          new Error(`an event from worker ${l.vm.address} could not be taken in: ${why}`, { cause: err }),
        );
      }
    });
    stream.on("error", () => this.lost(l, "stream"));
    stream.on("end", () => this.lost(l, "stream"));
  }

  private onEvent(e: WorkerEvent): void {
    if (e.reply !== undefined) {
      // A holder's replies name the instance it holds for; the incarnation is the holder's.
      const r = e.reply;
      const sender = r.type === "backedUp" || r.type === "backupMissing" ? r.holder : r.instance;
      if (e.incarnation !== 0 && e.incarnation !== this.directory.incarnationOf(sender)) {
        this.staleReplies++; // from an incarnation replaced since: lost with it
      } else {
        const reply = fromReplyMessage(e.reply, (op) => this.codecs[op] ?? JSON_STATE_CODEC);
        this.coordinator?.handleReply(reply);
        if (reply.type === "retired") this.retired(reply.instance);
        this.o.onReply?.(reply);
        if (this.over) this.finish?.();
      }
    }
    if (e.output !== undefined) {
      const out = e.output;
      const batch = this.ledger.admit(out.instance, out.edge, out.sender, decodeBatch(out.batch));
      // Run time in event-time terms, so latency and deadlines compare with event times.
      const timeMs = (out.processedEpochMs - this.startEpochMs) * (this.o.replaySpeed ?? 1);
      for (let i = 0; i < batch.length; i++) {
        const key = batch.keys[i];
        const t = batch.eventTimesMs[i];
        const value = batch.values === null ? undefined : batch.values[i];
        this.metrics.addLatency(Math.max(0, timeMs - t), 1);
        this.digest.add(out.sink, key, t, value);
        this.o.onOutput?.({ timeMs, sink: out.sink, instance: out.instance, key, eventTimeMs: t, value });
      }
      this.metrics.addTuplesOut(batch.length);
    }
  }

  /**
   * Instance `id` was merged away by a scale in: it is gone from the directory, and its
   * worker, if it hosts nothing else now, goes once a heartbeat says that everything it
   * sent (the retired instance's last output, the end of its streams) was processed.
   */
  private retired(id: number): void {
    const w = this.directory.workerOf(id);
    this.directory.remove(id);
    if (w === undefined) return;
    const l = this.links[w];
    if (l.alive && !l.standby && this.directory.hostedBy(w).length === 0) l.emptiedEpochMs = Date.now();
  }

  /** Ask every live worker for its stats; one silent for heartbeatTimeoutMs is dead. */
  private heartbeat(deadlineMs = 4 * (this.o.heartbeatMs ?? 500)): Promise<void> {
    const beats = this.links
      .filter((l) => l.alive)
      .map(
        (l) =>
          new Promise<void>((resolve) => {
            const askedEpochMs = Date.now();
            l.beat.heartbeat({}, this.metadata, { deadline: Date.now() + deadlineMs }, (err, stats) => {
              if (err) {
                if (Date.now() - l.answeredEpochMs > this.heartbeatTimeoutMs) this.lost(l, "heartbeat");
              } else {
                l.answeredEpochMs = Date.now();
                l.lastStats = stats;
                // The worker's counters are totals (a reply lost to a missed deadline loses
                // nothing); replies may cross, so only a larger total counts.
                l.tuplesProcessed = Math.max(l.tuplesProcessed, stats.tuplesProcessed);
                if (stats.sourceTuples > l.sourceTuples) {
                  this.metrics.addTuplesIn(stats.sourceTuples - l.sourceTuples);
                  l.sourceTuples = stats.sourceTuples;
                }
                this.loads.add(stats.instances);
                // Emptied by a scale in, and everything it sent processed (stats taken after
                // the emptying, as this call was made after it): it can go.
                if (l.emptiedEpochMs !== null && askedEpochMs > l.emptiedEpochMs && stats.pendingFrames === 0)
                  this.releaseIdle(l);
              }
              resolve();
            });
          }),
      );
    return Promise.all(beats).then(() => {});
  }

  /** SIGKILL worker `index` (fault injection); its failure time is now. */
  private kill(index: number): void {
    const l = this.links[index];
    if (l === undefined || !l.alive || this.stopping) return;
    this.killedAtMs.set(index, this.runMs());
    this.o.pool.kill?.(l.vm);
  }

  /**
   * A worker is declared dead: it is fenced (given back to the pool, so that one that
   * only hangs cannot come back and send), and its instances are handed to the
   * fault-tolerance protocol (which, under `none`, counts them lost). The failure time is
   * the kill's when this run killed it, else the detection time: nothing better is known.
   */
  private lost(l: WorkerLink, via: "stream" | "heartbeat"): void {
    if (!l.alive || this.stopping) return;
    l.alive = false;
    const detectedAtMs = this.runMs();
    l.leftAtMs = detectedAtMs;
    const failedAtMs = this.killedAtMs.get(l.index) ?? detectedAtMs;
    const ids = this.directory.hostedBy(l.index);
    const operators = this.plan.logical.operators;
    const spec = (id: number) => this.plan.instances.find((i) => i.id === id);
    const failure: WorkerFailure = {
      vm: l.index,
      address: l.vm.address,
      failedAtMs: roundMs(failedAtMs),
      detectedAtMs: roundMs(detectedAtMs),
      detectedVia: via,
      instances: ids.map((id) => ({ id, operator: operators[spec(id)?.operator ?? 0].name })),
    };
    this.failures.push(failure);
    void this.release(l);
    try {
      if (ids.length > 0) this.coordinator?.instancesFailed(ids, failedAtMs);
    } catch (e) {
      // The protocol cannot recover from this failure (one during a scale out): stop the run.
      this.abort(e instanceof Error ? e : new Error(String(e)));
    }
    this.o.onFailure?.(failure);
    if (this.over) this.finish?.();
  }

  /**
   * True when no more output can come: every sink has ended (or, under `none`, was lost or
   * depends on a lost instance, so that its input never ends).
   */
  private get over(): boolean {
    const c = this.coordinator;
    if (c === null) return false;
    if (c.sinksDone) return true;
    if (this.ft.strategy !== "none" || c.lostInstances.size === 0) return false;
    const sinkOps = new Set(c.plan.logical.operators.filter((op) => op.kind === "sink").map((op) => op.id));
    return c.plan.instances
      .filter((i) => sinkOps.has(i.operator))
      .every(
        (i) => c.hasEnded(i.id) || [...upstreamCone(c.plan, [i.id])].some((u) => c.lostInstances.has(u)),
      );
  }

  /** Stop the run: a recovery cannot go on (the error is thrown by `run`). */
  private abort(error: Error): void {
    this.error ??= error;
    this.finish?.();
  }

  private async release(l: WorkerLink): Promise<void> {
    if (l.released) return;
    l.released = true;
    l.watch?.cancel();
    await this.o.pool.release(l.vm).catch(() => {});
  }

  private async stopAll(): Promise<void> {
    this.stopping = true;
    await this.recovery.settled();
    await Promise.all(
      this.links.map(
        (l) =>
          new Promise<void>((resolve) => {
            l.watch?.cancel();
            if (!l.alive) {
              resolve();
              return;
            }
            l.client.stop({}, this.metadata, { deadline: Date.now() + 2000 }, () => resolve());
          }),
      ),
    );
    for (const l of this.links) {
      l.client.close();
      l.bulk.close();
      l.beat.close();
    }
    await Promise.all(this.links.map((l) => this.release(l)));
  }

  private summary(endMs: number): RunSummary {
    const vmMs = this.links
      .filter((l) => !l.standby)
      .reduce((s, l) => s + Math.max(0, (l.leftAtMs ?? endMs) - l.joinedAtMs), 0);
    const operators = this.plan.logical.operators;
    const nameOf = (id: number) => {
      const op =
        this.plan.instances.find((i) => i.id === id)?.operator ??
        this.coordinator?.faultTolerance?.operatorOf(id);
      return op === undefined ? "?" : operators[op].name;
    };
    const records = this.coordinator?.faultTolerance?.records ?? [];
    const scaleOuts = scaleOutSummaries(this.coordinator?.scaling?.records ?? [], (op) => operators[op].name);
    const latency = latencyFiguresMs(this.metrics);
    return {
      name: this.o.name,
      seed: this.o.seed,
      runtime: this.o.poolKind,
      traceHash: null,
      simulatedSeconds: roundMs(endMs / 1000),
      wallSeconds: null,
      events: null,
      tuplesIn: this.metrics.tuplesInTotal,
      tuplesOut: this.metrics.tuplesOutTotal,
      outputDigest: this.digest.digest(),
      latencyMs: latency,
      vmsMax: this.vmsMax,
      vmSeconds: roundMs(vmMs / 1000),
      faultTolerance: this.ft.strategy,
      faultToleranceCounts: this.coordinator?.faultTolerance
        ? { ...this.coordinator.faultTolerance.counts }
        : null,
      failures: this.failures,
      recoveries: recoverySummaries(records, this.metrics.rows(), nameOf),
      scaleOuts,
      shedTuples: this.loads.shedTuples,
      shedShare:
        this.metrics.tuplesInTotal === 0 ? 0 : roundMs(this.loads.shedTuples / this.metrics.tuplesInTotal),
      deadlineMet: deadlineMet(latency, this.o.deadlineMs),
    };
  }

  /** The VMs the run's workers are on (in the physical plan's VM order), once deployed. */
  get vms(): readonly CloudVm[] {
    return this.links.map((l) => l.vm);
  }

  /** The threshold policy's decisions (a blocked one was not carried out). */
  get decisions(): readonly ScalingDecision[] {
    return this.scaling?.decisions ?? [];
  }

  /** The engine's records of the run's scalings, in the summary's order (a refused one says why). */
  get scaleOutRecords(): readonly ScaleOutRecord[] {
    return this.coordinator?.scaling?.records ?? [];
  }

  /**
   * When each worker of the run (by index) joined and left it, in run-time ms: left is null
   * for one still in at the end. Standbys never taken are left out of the VM time (standby).
   */
  workerSpans(): readonly { joinedAtMs: number; leftAtMs: number | null; standby: boolean }[] {
    return this.links.map((l) => ({ joinedAtMs: l.joinedAtMs, leftAtMs: l.leftAtMs, standby: l.standby }));
  }

  /** Tuples each worker's instances processed (by worker index), as their heartbeats said. */
  processedByWorker(): readonly number[] {
    return this.links.map((l) => l.tuplesProcessed);
  }

  /** The worker instance `id` runs on now (a recovery or a scale out may have moved it). */
  workerOf(id: number): number | undefined {
    return this.directory.workerOf(id);
  }

  /** The per-interval metrics so far. */
  metricsRows(): readonly MetricsRow[] {
    return this.metrics.rows();
  }

  /** Rows of the per-interval metrics. */
  metricsCsv(): string {
    return this.metrics.toCsv();
  }
}
