// The coordinator of a real run: it takes workers from a VM pool, deploys the physical
// plan onto them, starts it through the engine's Coordinator, and follows the run until no
// more output can come (every sink has ended; or, under strategy none, every sink left
// waits on a lost instance: a stall, which the summary says), `untilMs` has passed, or
// something stops it (the error is thrown by `run` once every worker is stopped). CloudRun composes the
// parts, one concern to a file:
//   runOptions.ts      what a run is made of, checked before any worker starts
//   runWorkers.ts      the workers' links and channels, standbys, giving a worker back
//   deployment.ts      placing the plan on the workers and deploying it
//   controlCalls.ts    the coordinator's control messages to instances
//   workerEvents.ts    the watch streams: replies to the engine, the sinks' outputs
//   heartbeats.ts      stats every interval; a worker silent too long is dead
//   workerFailures.ts  kills, and a dead worker fenced and handed to fault tolerance
//   runProtocols.ts    the engine's coordinator, recovery.ts and runScaling.ts, tied to the workers
//   runMetrics.ts      metrics and output digest, as a simulated run's
//   runSummary.ts      summary.json
//   failover/          high availability: the journal, record and output snapshots a
//                      standby takes the run over from (haLeader.ts), and a new leader's
//                      takeover (cloudRunHa.ts; `takeOver` below)

import type { Metadata } from "@grpc/grpc-js";
import {
  type ControlMessage,
  DEFAULT_FAULT_TOLERANCE,
  type FaultToleranceOptions,
  type MetricsRow,
  type RunStop,
  type ScaleOutRecord,
  type ScalingDecision,
} from "../engine/index.js";
import { channelCredentials, epochMetadata, tokenMetadata } from "./auth.js";
import { CheckpointIntake, CheckpointPulls } from "./checkpointPulls.js";
import { ControlCalls, type ControlCallsHost } from "./controlCalls.js";
import type { CodecOf } from "./controlWire.js";
import { leaseMsFromEnv } from "./coordinatorLease.js";
import { Deployment, type DeploymentHost, workersToStart } from "./deployment.js";
import { DeposedError, failedInJournal, survey, type Takeover, unappliedOf } from "./failover/cloudRunHa.js";
import { HaLeader, type OutputCoverage, repliesThrough } from "./failover/haLeader.js";
import { decodeLoggedOutputs } from "./failover/outputLog.js";
import { ControlClient, type SurveyReply } from "./gen/seep/v1/seep.js";
import { Heartbeats, type HeartbeatsHost } from "./heartbeats.js";
import { InstanceDirectory } from "./instanceDirectory.js";
import { InstanceLoads } from "./instanceLoads.js";
import { keepAlivePeriodMs, PoolKeepAlive } from "./poolKeepAlive.js";
import { RealClock } from "./realClock.js";
import { RunMetrics, type RunMetricsHost } from "./runMetrics.js";
import {
  type CloudRunOptions,
  checkRunOptions,
  codecOfPlan,
  maxWorkersOf,
  standbysOf,
} from "./runOptions.js";
import { RunProtocols, type RunProtocolsHost } from "./runProtocols.js";
import { type RunSummary, summarize } from "./runSummary.js";
import { RunWorkers, type WorkerSpan } from "./runWorkers.js";
import { heartbeatTimeoutMs, rpcTimeoutMs } from "./timeouts.js";
import type { CloudVm } from "./vmPool.js";
import { WorkerEvents, type WorkerEventsHost } from "./workerEvents.js";
import { WorkerFailures, type WorkerFailuresHost } from "./workerFailures.js";
import type { WorkerLink } from "./workerLink.js";

export type { CloudOutput, CloudRunOptions, WorkerKill } from "./runOptions.js";
export { STANDBY_REFILL_DELAY_MS } from "./runProtocols.js";
export {
  SCALABLE_STRATEGIES,
  ScaleOutError,
  type ScheduledScaleIn,
  type ScheduledScaleOut,
} from "./runScaling.js";

/** A real run on workers from a pool. */
export class CloudRun {
  private readonly ft: FaultToleranceOptions;
  private readonly metadata: Metadata;
  private readonly maxWorkers: number;
  private readonly codecOf: CodecOf;
  private readonly directory = new InstanceDirectory();
  /** The heartbeats' per-instance stats, for load reports and shed counts. */
  private readonly loads = new InstanceLoads();
  private readonly measures: RunMetrics;
  private readonly workers: RunWorkers;
  private readonly deployment: Deployment;
  private readonly calls: ControlCalls;
  private readonly events: WorkerEvents;
  private readonly heartbeats: Heartbeats;
  private readonly failures: WorkerFailures;
  private readonly protocols: RunProtocols;
  private clock!: RealClock;
  private startEpochMs = 0;
  private stopping = false;
  private finish: (() => void) | null = null;
  /** Why the run ended, once it has: by itself, at `untilMs`, or stalled. */
  private stop: RunStop = "finished";
  private stopGiven = false;
  /** Why the run was cut short, if it was (thrown once everything is stopped). */
  private error: Error | null = null;
  private readonly timers: NodeJS.Timeout[] = [];
  /** Under HA: this leader's journal, record and output snapshots (null without HA). */
  private readonly ha: HaLeader | null;
  /** Why this leader was deposed (a newer one fenced it off), if it was. */
  private deposedWhy: string | null = null;
  /** Checkpoints replies name on their workers: pulled when the coordinator must hold them. */
  private readonly intake: CheckpointIntake;

  constructor(private readonly o: CloudRunOptions) {
    const timeoutMs = o.heartbeatTimeoutMs ?? heartbeatTimeoutMs();
    this.measures = new RunMetrics(o.metricsIntervalMs ?? 1000, this.metricsHost());
    this.metadata = o.ha === undefined ? tokenMetadata(o.token) : epochMetadata(o.token, o.ha.epoch);
    this.ft = o.faultTolerance ?? DEFAULT_FAULT_TOLERANCE;
    checkRunOptions(o, this.ft.strategy);
    this.maxWorkers = maxWorkersOf(o);
    this.codecOf = codecOfPlan(o.plan);
    this.workers = new RunWorkers(o);
    this.deployment = new Deployment(this.deploymentHost());
    this.calls = new ControlCalls(this.callsHost());
    this.intake = new CheckpointIntake(new CheckpointPulls(o.token, o.tls), {
      ft: this.ft,
      ha: o.ha !== undefined,
      coordinator: () => this.protocols.coordinator,
    });
    this.events = new WorkerEvents(this.eventsHost());
    this.heartbeats = new Heartbeats(this.heartbeatsHost(timeoutMs));
    this.failures = new WorkerFailures(this.failuresHost());
    this.protocols = new RunProtocols(this.protocolsHost());
    this.ha = o.ha === undefined ? null : this.haLeader(o.ha);
  }

  /** This leader's side of HA: the journal (a new leader's loaded), the record, the snapshots. */
  private haLeader(ha: NonNullable<CloudRunOptions["ha"]>): HaLeader {
    const leader = new HaLeader({
      session: ha.session,
      records: ha.records,
      store: ha.store,
      epoch: ha.epoch,
      epochVersion: ha.epochVersion,
      codec: { codecOf: this.codecOf, logical: this.o.plan },
      journal: ha.takeover?.journal,
      outputs: ha.takeover?.record.outputs,
      onFailed: (e) => this.depose(e.message),
      crashAfter: ha.crashAfter,
    });
    const leaders = [
      ...(ha.takeover?.record.leaders ?? []),
      { epoch: ha.epoch, pid: process.pid, sinceEpochMs: ha.takeover?.electedEpochMs ?? Date.now() },
    ];
    leader.attach({
      record: () => ({
        run: ha.run,
        startEpochMs: this.startEpochMs,
        workers: this.workers.links.map((l) => ({
          id: l.vm.id,
          address: l.vm.address,
          handle: this.o.pool.handOver?.(l.vm) ?? null,
          standby: l.standby,
          alive: l.alive,
          joinedAtMs: l.joinedAtMs,
          leftAtMs: l.leftAtMs,
        })),
        directory: this.directory.toJson(),
        failures: this.failures.records,
        leaders,
      }),
      outputs: () => {
        const { bytes, lastTickMs } = this.measures.snapshot();
        // Every output up to eventSeq is in the snapshot (after a takeover, those re-sent up
        // to outputsThrough were taken from the log before the stream resumed).
        const coverage: OutputCoverage[] = this.workers.links.map((l) => ({
          eventSeq: Math.max(l.eventSeq, l.outputsThrough),
          sourceTuples: l.sourceTuples,
          tuplesProcessed: l.tuplesProcessed,
        }));
        return { bytes, lastTickMs, coverage, files: ha.files?.() ?? null };
      },
    });
    return leader;
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
      const takeover = this.o.ha?.takeover;
      return await (takeover === undefined ? this.runToEnd() : this.takeOver(takeover));
    } catch (e) {
      // Deposed while deploying or taking over (a record that could not be written): the
      // newer leader's run, its workers left alone.
      if (this.deposedWhy === null) throw e;
      this.workers.abandon();
      throw this.error;
    } finally {
      keepAlive.stop();
      this.intake.pulls.close();
      process.setSourceMapsEnabled(sourceMaps);
    }
  }

  private async runToEnd(): Promise<RunSummary> {
    await this.linkWorkers();
    const plan = this.protocols.place();
    const done = new Promise<void>((resolve) => {
      this.finish = resolve;
    });
    for (const l of this.workers.links) this.events.watch(l);
    const speed = this.o.replaySpeed ?? 1;
    this.startEpochMs = Date.now() + 300 - (this.o.startEventTimeMs ?? 0) / speed;
    this.clock = new RealClock(this.startEpochMs, speed);
    await this.deployment.deployAll(plan);
    this.protocols.start(this.clock, this.ha);
    this.startTimers(speed);
    this.ha?.startSnapshots(this.o.ha?.snapshotPeriodMs ?? 1000);
    await done;
    return this.end();
  }

  /**
   * A new leader takes the run over (cloudRunHa.ts's steps): the recorded workers and
   * directory, the latest output snapshot, a Survey of every worker (which fences the old
   * leader off), the watch streams resumed after what is held, and the coordinator rebuilt
   * from the journal; workers that did not answer are dead, in the catch-up.
   */
  private async takeOver(t: Takeover): Promise<RunSummary> {
    const r = t.record;
    const done = new Promise<void>((resolve) => {
      this.finish = resolve;
    });
    const speed = this.o.replaySpeed ?? 1;
    this.startEpochMs = r.startEpochMs;
    this.clock = new RealClock(this.startEpochMs, speed);
    for (const w of r.workers) {
      const vm = { id: w.id, address: w.address };
      if (w.alive && w.handle !== null) this.o.pool.adopt?.(vm, w.handle);
      const l = this.workers.add(vm, w.joinedAtMs, w.standby);
      l.leftAtMs = w.leftAtMs;
      if (!w.alive) {
        l.alive = false;
        l.released = true;
      }
    }
    this.directory.restore(r.directory);
    this.failures.restore(r.failures);
    const coverage = r.outputs?.coverage ?? [];
    if (r.outputs !== null && t.outputs !== null) this.measures.restore(t.outputs, r.outputs.lastTickMs);
    for (const [i, c] of coverage.entries()) {
      const l = this.workers.links[i];
      if (l === undefined) continue;
      l.sourceTuples = c.sourceTuples;
      l.tuplesProcessed = c.tuplesProcessed;
      l.outputsThrough = c.eventSeq;
    }
    // The outputs logged after the snapshot, taken again in the order the old leader took them.
    for (const o of decodeLoggedOutputs(t.journal.outputs)) {
      const l = this.workers.links[o.worker];
      if (l === undefined || o.seq <= l.outputsThrough) continue;
      l.outputsThrough = o.seq;
      this.measures.output(o.output);
    }
    const surveys = new Map<number, SurveyReply>();
    const asked = this.workers.links.map((l) => (l.alive ? survey(l, this.metadata, rpcTimeoutMs()) : null));
    // The new leader's first control calls are out: its takeover time ends here.
    this.o.ha?.onFirstControl?.(Date.now());
    const answers = await Promise.all(asked);
    const dead: WorkerLink[] = [];
    for (const [i, s] of answers.entries()) {
      const l = this.workers.links[i];
      if (!l.alive) continue;
      if (s === null || s.runId !== this.o.name) {
        dead.push(l);
        continue;
      }
      surveys.set(i, s);
      for (const h of s.instances) this.directory.surveyed(h.instance, i, h.incarnation);
    }
    const replied = repliesThrough(t.journal.tags);
    for (const [i, s] of surveys) {
      const l = this.workers.links[i];
      l.repliesThrough = Math.max(replied.get(i) ?? 0, s.eventsTaken);
      l.outputsThrough = Math.max(l.outputsThrough, s.eventsTaken);
      l.eventSeq = Math.min(l.repliesThrough, l.outputsThrough);
      this.events.watch(l, l.eventSeq);
    }
    // A worker found dead whose instances the old leader had handed to fault tolerance
    // already (the journal says so) is only recorded; the others' are handed on now.
    const known = failedInJournal(t.journal.entries);
    const catchUp = () => {
      for (const l of dead) {
        const ids = this.directory.hostedBy(l.index);
        const first = ids.length > 0 && ids.every((id) => known.has(id)) ? known.get(ids[0]) : undefined;
        if (first === undefined) this.failures.lost(l, "stream");
        else this.failures.knownLost(l, first.failedAtMs, first.detectedAtMs);
      }
    };
    const unapplied = unappliedOf(surveys, (id) => this.directory.workerOf(id));
    this.protocols.resume(this.clock, this.ha!, unapplied, catchUp);
    this.startTimers(speed, true);
    this.ha!.startSnapshots(this.o.ha?.snapshotPeriodMs ?? 1000);
    void this.ha!.durable().catch(() => {});
    await done;
    return this.end();
  }

  /** This leader is deposed (fenced off by a newer one, or its record cannot be written): stop, touching nothing. */
  private depose(why: string): void {
    if (this.deposedWhy !== null) return;
    this.deposedWhy = why;
    this.error ??= new DeposedError(`this coordinator was deposed: ${why}`);
    this.finish?.();
  }

  /** Have the pool start the workers the run will take, and link in the initial workers and the standbys. */
  private async linkWorkers(): Promise<void> {
    const o = this.o;
    const standbys = standbysOf(o, this.ft.strategy);
    await o.pool.prewarm(workersToStart(o, standbys, this.maxWorkers));
    const vms = await Promise.all(Array.from({ length: o.workers + standbys }, () => o.pool.acquire()));
    for (const [i, vm] of vms.entries()) this.workers.add(vm, 0, i >= o.workers);
  }

  /** The kills on schedule (a new leader's: those still to come), heartbeats, metrics intervals, and the end at `untilMs`. */
  private startTimers(speed: number, takenOver = false): void {
    const o = this.o;
    for (const k of o.kills ?? []) {
      const inMs = this.startEpochMs + k.atMs / speed - Date.now();
      if (takenOver && inMs < 0) continue;
      this.later(() => this.failures.kill(k.worker, k.atMs), inMs);
    }
    this.heartbeats.start();
    this.measures.startIntervals();
    if (o.untilMs !== undefined) this.later(() => this.endFor("until"), o.untilMs / speed + 300);
  }

  /** The run is over: stop its timers and protocols, take the last counts, stop every worker, sum up. */
  private async end(): Promise<RunSummary> {
    this.heartbeats.stop();
    this.measures.stopIntervals();
    for (const t of this.timers) clearTimeout(t);
    this.ha?.stopSnapshots();
    // Under HA the workers are stopped only by the run's leader: one that cannot tell it
    // still is (a newer epoch claimed, or ZooKeeper out of reach) leaves them to the newer one.
    if (this.deposedWhy === null && this.ha !== null) {
      const still = await this.ha.stillLeads();
      if (still !== true) this.depose(still);
    }
    if (this.deposedWhy !== null) {
      // A newer leader runs the run now: its workers, files and record are its.
      this.clock?.cancelAll();
      this.workers.abandon();
      throw this.error;
    }
    this.protocols.stop();
    this.clock.cancelAll();
    // The counters since the last beat, waited for as long as a control call (a busy
    // worker answers late; a heartbeat's short deadline would leave the last ones out).
    await this.heartbeats.beat(rpcTimeoutMs());
    const endMs = this.runMs();
    this.measures.close(endMs);
    this.stopping = true;
    await this.protocols.settled();
    await this.workers.stopAll(this.metadata);
    if (this.error !== null) throw this.error;
    return summarize({
      name: this.o.name,
      seed: this.o.seed,
      runtime: this.o.poolKind,
      endMs,
      metrics: this.measures.metrics,
      digest: this.measures.digest,
      vmsMax: this.workers.vmsMax,
      spans: this.workers.spans(),
      strategy: this.ft.strategy,
      stop: this.stop,
      coordinator: this.protocols.coordinator,
      plan: this.protocols.plan,
      failures: this.failures.records,
      shedTuples: this.loads.shedTuples,
      deadlineMs: this.o.deadlineMs,
    });
  }

  /** Time since event time 0, in event-time milliseconds (wall time times the replay speed). */
  private runMs(): number {
    return (Date.now() - this.startEpochMs) * (this.o.replaySpeed ?? 1);
  }

  /** Run `f` in `ms` wall-clock ms, unless the run has ended by then. */
  private later(f: () => void, ms: number): void {
    this.timers.push(setTimeout(f, ms));
  }

  /** Stop the run: a recovery cannot go on (the error is thrown by `run`). */
  private abort(error: Error): void {
    this.error ??= error;
    this.finish?.();
  }

  /** End the run if no more output can come: finished, or stalled on a lost instance. */
  private endIfOver(): void {
    if (this.protocols.over) this.endFor(this.protocols.coordinator?.sinksDone ? "finished" : "stalled");
  }

  /** End the run, for the first reason given. */
  private endFor(why: RunStop): void {
    if (!this.stopGiven) this.stop = why;
    this.stopGiven = true;
    this.finish?.();
  }

  private metricsHost(): RunMetricsHost {
    return {
      replaySpeed: this.o.replaySpeed ?? 1,
      runMs: () => this.runMs(),
      startEpochMs: () => this.startEpochMs,
      gauges: () => this.workers.gauges(),
      onOutput: this.o.onOutput,
      onProgress: this.o.onProgress,
    };
  }

  private deploymentHost(): DeploymentHost {
    return {
      options: this.o,
      faultTolerance: this.ft,
      directory: this.directory,
      workers: this.workers,
      metadata: this.metadata,
      startEpochMs: () => this.startEpochMs,
      ha: this.o.ha === undefined ? undefined : { durable: () => this.ha!.durable() },
    };
  }

  private callsHost(): ControlCallsHost {
    return {
      directory: this.directory,
      metadata: this.metadata,
      codecOf: this.codecOf,
      links: () => this.workers.links,
      stopping: () => this.stopping,
      numbered: this.o.ha !== undefined,
      viaReference: (ref) =>
        this.intake.shelved(ref) && this.workers.links.some((l) => l.alive && l.vm.address === ref.worker),
      backupSent: (holder, cp) => this.intake.backupSent(holder, cp),
    };
  }

  private eventsHost(): WorkerEventsHost {
    return {
      directory: this.directory,
      metadata: this.metadata,
      codecOf: this.codecOf,
      reply: (reply, l, seq) => {
        const at = this.ha?.journal.entries.length;
        this.protocols.reply(reply);
        if (at !== undefined) this.ha?.replyJournaled(at, l.index, seq);
        this.o.onReply?.(reply);
        this.endIfOver();
      },
      output: (out, l, seq) => {
        this.ha?.outputTaken(l.index, seq, out);
        this.measures.output(out);
      },
      lost: (l) => this.failures.lost(l, "stream"),
      abort: (e) => this.abort(e),
      deposed: (why) => this.depose(why),
      intake: this.intake,
    };
  }

  private heartbeatsHost(timeoutMs: number): HeartbeatsHost {
    return {
      metadata: this.metadata,
      periodMs: this.o.heartbeatMs ?? 500,
      timeoutMs,
      loads: this.loads,
      links: () => this.workers.links,
      // The heartbeat's ask in run time: the input's end to a heartbeat (recovery times' drain).
      addTuplesIn: (n, askedEpochMs) =>
        this.measures.metrics.addTuplesIn(n, (askedEpochMs - this.startEpochMs) * (this.o.replaySpeed ?? 1)),
      lost: (l) => this.failures.lost(l, "heartbeat"),
      drained: (l) => this.protocols.releaseIdle(l),
      eventsTaken: (l) => this.ha?.eventsTaken(l.index, l.eventSeq),
      deposed: this.o.ha === undefined ? undefined : (why) => this.depose(why),
      instanceStats: (stats, takenEpochMs) =>
        this.o.onInstanceStats?.(stats, (takenEpochMs - this.startEpochMs) * (this.o.replaySpeed ?? 1)),
    };
  }

  private failuresHost(): WorkerFailuresHost {
    return {
      pool: this.o.pool,
      workers: this.workers,
      directory: this.directory,
      runMs: () => this.runMs(),
      stopping: () => this.stopping,
      plan: () => this.protocols.plan,
      operatorOf: (id) => this.protocols.coordinator?.faultTolerance?.operatorOf(id),
      instancesFailed: (ids, failedAtMs) => {
        this.intake.holdersLost(ids);
        this.protocols.instancesFailed(ids, failedAtMs);
      },
      abort: (e) => this.abort(e),
      onFailure: this.o.onFailure,
      endIfOver: () => this.endIfOver(),
      lostWorker: this.o.ha === undefined ? undefined : () => void this.ha?.durable().catch(() => {}),
    };
  }

  private protocolsHost(): RunProtocolsHost {
    return {
      options: this.o,
      faultTolerance: this.ft,
      maxWorkers: this.maxWorkers,
      workers: this.workers,
      directory: this.directory,
      deployment: this.deployment,
      metadata: this.metadata,
      loads: this.loads,
      codecOf: this.codecOf,
      runMs: () => this.runMs(),
      stopping: () => this.stopping,
      stopped: () => this.stopping || this.error !== null,
      abort: (e) => this.abort(e),
      watch: (l) => this.events.watch(l),
      lost: (l) => this.failures.lost(l, "stream"),
      sendControl: (id, m, seq) => this.calls.send(id, m, seq),
      heartbeat: () => this.heartbeats.beat(),
      durable: this.o.ha === undefined ? undefined : () => this.ha!.durable(),
      later: (f, ms) => this.later(f, ms),
    };
  }

  /**
   * Under HA: stop leading, touching nothing (this coordinator lost its ZooKeeper session, so
   * a standby may lead already): the run ends with a DeposedError, its workers left running.
   */
  stepDown(why: string): void {
    this.depose(why);
  }

  /**
   * Under HA, once the run's files are written: the record says the run is over (`finished`,
   * or `failed`), so that standbys stop waiting; the journal is settled first.
   */
  async haEnded(state: "finished" | "failed"): Promise<void> {
    if (this.deposedWhy === null) await this.ha?.finish(state);
  }

  /**
   * Bytes of checkpoints this coordinator received so far: inline in the workers' replies,
   * and pulled from their shelves (checkpointPulls.ts); and those the replies named by
   * reference, left on the workers (pulled or not: what was not went worker to worker).
   */
  get checkpointBytes(): { readonly inline: number; readonly pulled: number; readonly byReference: number } {
    const i = this.intake;
    return { inline: i.bytesInline, pulled: i.pulls.bytesPulled, byReference: i.bytesByReference };
  }

  /** Replies dropped because their incarnation had been replaced. */
  get staleReplies(): number {
    return this.events.staleReplies;
  }

  /**
   * Send a control message to an instance's live incarnation, wherever it runs (a `start`
   * waits until the reroutes sent before it have reached their workers: controlCalls.ts).
   */
  sendControl(id: number, message: ControlMessage): void {
    this.calls.send(id, message);
  }

  /**
   * SIGKILL worker `worker` now, as a scheduled kill would (fault injection at a moment a
   * caller picks, on a reply it saw, say); its failure time is now. Needs a pool that can kill.
   */
  kill(worker: number): void {
    if (this.o.pool.kill === undefined)
      throw new RangeError(`the ${this.o.poolKind} pool cannot kill workers`);
    this.failures.kill(worker);
  }

  /** The VMs the run's workers are on (in the physical plan's VM order), once deployed. */
  get vms(): readonly CloudVm[] {
    return this.workers.links.map((l) => l.vm);
  }

  /** True when the run scales by the threshold policy. */
  get hasPolicy(): boolean {
    return this.o.policy !== undefined;
  }

  /** The threshold policy's decisions (a blocked one was not carried out). */
  get decisions(): readonly ScalingDecision[] {
    return this.protocols.decisions;
  }

  /** The engine's records of the run's scalings, in the summary's order (a refused one says why). */
  get scaleOutRecords(): readonly ScaleOutRecord[] {
    return this.protocols.scaleOutRecords;
  }

  /**
   * When each worker of the run (by index) joined and left it, in run-time ms: left is null
   * for one still in at the end. Standbys never taken are left out of the VM time (standby).
   */
  workerSpans(): readonly WorkerSpan[] {
    return this.workers.spans();
  }

  /** Tuples each worker's instances processed (by worker index), as their heartbeats said. */
  processedByWorker(): readonly number[] {
    return this.workers.links.map((l) => l.tuplesProcessed);
  }

  /** The worker instance `id` runs on now (a recovery or a scale out may have moved it). */
  workerOf(id: number): number | undefined {
    return this.directory.workerOf(id);
  }

  /** The per-interval metrics so far. */
  metricsRows(): readonly MetricsRow[] {
    return this.measures.metrics.rows();
  }

  /** Rows of the per-interval metrics. */
  metricsCsv(): string {
    return this.measures.metrics.toCsv();
  }
}
