// A simulated run: one experiment and one logical plan, wired into a kernel, a cluster
// of VMs from a pool, a network, the engine's instances on the simulator's runtime,
// faults, metrics and a trace. `run` drives the kernel to the end of the stream (every
// sink ended), to `untilS`, or until nothing is left to happen or the bound on steps (a
// stall: engine/metrics/runEnd.ts), and returns the summary, which says which it was. An
// experiment that asks for a reconfiguration its strategy does not support is refused
// at construction (./supportedCombinations.ts).

import {
  type Batch,
  type ControlReply,
  type Coordinator,
  ElasticityController,
  type FaultTolerance,
  type FaultToleranceLink,
  type InstanceSpec,
  instancesOf,
  type Journal,
  keepsOutputBuffers,
  type LogicalPlan,
  Metrics,
  OutputDigest,
  type OutputRecord,
  outputChannelsOf,
  type PhysicalPlan,
  type PlaceInstance,
  physicalPlan,
  type RunStop,
  runEndFields,
  type ScaleOutRecord,
  type ScalingDecision,
  type ScalingTarget,
  ScheduledScalings,
  SinkLedger,
  sinkEnds,
} from "../engine/index.js";
import { CoordinatorProcess, type TakeoverRecord } from "./coordinatorProcess.js";
import { costModel } from "./costModel.js";
import { type Experiment, ExperimentError } from "./experiment.js";
import { coordinatorCrashes, FaultInjector, type FaultTarget } from "./faults.js";
import { Environment, StepLimitError } from "./kernel.js";
import { LoadReports } from "./loadReports.js";
import { DEFAULT_NETWORK, Network } from "./network.js";
import { RandomStreams } from "./randomStreams.js";
import type { SimHost } from "./simHost.js";
import { SimRuntime } from "./simRuntime.js";
import { type FailureRecord, type SimSummary, summarize } from "./summary.js";
import { unsupportedCombination } from "./supportedCombinations.js";
import { Trace, TraceKind } from "./trace.js";
import type { Vm, VmState } from "./vm.js";
import { defaultVmPoolOptions, VmPool } from "./vmPool.js";

export type { OutputRecord };

/** Where a run stands, for progress bars. */
export interface SimProgress {
  readonly simulatedMs: number;
  readonly untilMs: number;
  readonly events: number;
}

const VM_STATE_KIND: Record<VmState, number> = {
  booting: TraceKind.VmRequested,
  pooled: TraceKind.VmPooled,
  ready: TraceKind.VmReady,
  crashed: TraceKind.VmCrashed,
  released: TraceKind.VmReleased,
};

const METRICS_PRIORITY = -5;
/** A scheduled scale out that finds another under way tries again this much later. */
const SCALE_OUT_RETRY_MS = 100;

/** A simulated run of one experiment. */
export class Simulation {
  readonly env: Environment;
  readonly streams: RandomStreams;
  readonly network: Network;
  readonly pool: VmPool;
  readonly runtime: SimRuntime;
  readonly trace = new Trace();
  readonly metrics: Metrics;
  readonly digest = new OutputDigest();
  /** What the sinks have let out, so that a restored sink does not let it out again. */
  readonly ledger = new SinkLedger();
  readonly failures: FailureRecord[] = [];
  private readonly faults: FaultInjector;
  /** Reconfigurations begun so far (a `reconfigurationCrash` names one by its number). */
  private reconfigurationsBegun = 0;
  /** Scheduled reconfigurations: each begins in its turn, and is asked again if given up (set once the coordinator is). */
  private dueScalings: ScheduledScalings | null = null;
  private readonly untilMs: number;
  /** The coordinator's process: its leader behind a journal, crashed and taken over by `coordinatorCrash` faults. */
  private process: CoordinatorProcess | null = null;
  /** Failures not yet detected by the coordinator. */
  private pendingDetections = 0;
  /** Replies on their way to the coordinator (`network.replyLatencyMs`). */
  private repliesInFlight = 0;
  /** When the deploy calls asked for so far are done (`pool.deployMs`). */
  private deploysDoneAtMs = 0;
  private vmsMax = 0;

  constructor(
    readonly experiment: Experiment,
    readonly plan: LogicalPlan,
    private readonly onOutput?: (record: OutputRecord) => void,
  ) {
    const e = experiment;
    const unsupported = unsupportedCombination(e);
    if (unsupported !== null) throw new ExperimentError(unsupported);
    this.untilMs = e.untilS === undefined ? Number.POSITIVE_INFINITY : e.untilS * 1000;
    this.env = new Environment(e.maxSteps);
    this.streams = new RandomStreams(e.seed);
    this.network = new Network(this.env, { ...DEFAULT_NETWORK, ...e.network });
    const shape = { cores: e.cluster.cores, speed: e.cluster.speed, memoryMb: e.cluster.memoryMb };
    this.pool = new VmPool(
      this.env,
      { ...defaultVmPoolOptions, ...e.pool, shape },
      { onVmState: (vm, nowMs) => this.onVmState(vm, nowMs) },
    );
    this.metrics = new Metrics({ intervalMs: e.metricsIntervalMs });
    const elastic =
      e.scaling.policy !== "none" || e.scaling.scaleOuts.length > 0 || e.scaling.scaleIns.length > 0;
    this.runtime = new SimRuntime(
      this.env,
      this.streams.stream("engine"),
      this.network,
      costModel(e.cost),
      {
        ...e.fidelity,
        // A scale out replays, from the split instance's checkpoint on, what its upstreams had
        // sent; without checkpoints to trim them, receivers ack what they have processed.
        bufferOutput: keepsOutputBuffers(e.faultTolerance.strategy) || elastic,
        ackProcessedEvery: elastic && e.faultTolerance.strategy === "none" ? 16 : 0,
        stampOutputCuts: e.faultTolerance.strategy === "rsm" && e.faultTolerance.parallelRecovery > 1,
        hostCores: e.cluster.hostCores,
        pollPhaseRandom: this.streams.stream("poll-phase"),
      },
      {
        onTask: (h, kind, tuples, costMs) =>
          this.trace.record(TraceKind.Task, this.env.nowMs(), h.instance.id, kind, tuples, costMs),
        onSinkBatch: (h, edge, sender, batch, nowMs) => this.onSinkBatch(h, edge, sender, batch, nowMs),
        onSourceTuples: (h, n) => {
          this.metrics.addTuplesIn(n, this.env.nowMs());
          this.trace.record(TraceKind.SourcePoll, this.env.nowMs(), h.instance.id, 0, n, 0);
        },
        onDeliver: (s, r, n, linkMs) =>
          this.trace.record(TraceKind.Deliver, this.env.nowMs(), s, r, n, linkMs),
        onDrop: (s, r, n) => this.trace.record(TraceKind.Drop, this.env.nowMs(), s, r, n, 0),
        onReply: (reply) => this.reply(reply),
      },
      this.network.options.controlLatencyMs,
    );
    this.faults = new FaultInjector(this.env, this.streams, this.faultTarget(), e.faults, {
      onFault: (f) => this.trace.record(TraceKind.Fault, f.atMs, FAULT_CODES[f.kind], f.vm ?? -1, 0, 0),
    });
  }

  /** The run's physical plan as it stands (after recoveries and scale outs); null before the run. */
  get physicalPlan(): PhysicalPlan | null {
    return this.coordinator?.plan ?? null;
  }

  /** The fault-tolerance protocol of the run (null under `none`, or before the run). */
  get faultTolerance(): FaultTolerance | null {
    return this.coordinator?.faultTolerance ?? null;
  }

  /** The threshold policy's controller (null under `scaling.policy: none`, or before the run). */
  private elasticity: ElasticityController | null = null;

  /** The detector's decisions so far (a blocked one was not carried out). */
  get decisions(): readonly ScalingDecision[] {
    return this.elasticity?.decisions ?? [];
  }

  /** The share of their tuples the sources drop now (load shedding). */
  get shedRate(): number {
    return this.elasticity?.shedRate ?? 0;
  }

  /** The coordinator's takeovers so far (its crashes that a new leader took over from). */
  get takeovers(): readonly TakeoverRecord[] {
    return this.process?.takeovers ?? [];
  }

  /** The coordinator's journal (empty in a run whose faults cannot crash the coordinator). */
  get coordinatorJournal(): Journal | null {
    return this.process?.journal ?? null;
  }

  /** The scale outs of the run so far. */
  get scaleOuts(): readonly ScaleOutRecord[] {
    return this.coordinator?.scaling?.records ?? [];
  }

  /** True once every sink has ended (or, under `none`, was lost): the run finished by itself. */
  get completed(): boolean {
    return this.coordinator?.sinksDone ?? false;
  }

  /** The operator name of instance `id`. */
  operatorOf(id: number): string {
    const op =
      this.coordinator?.plan.instances.find((i) => i.id === id)?.operator ??
      this.coordinator?.faultTolerance?.operatorOf(id);
    return op === undefined ? "?" : this.plan.operators[op].name;
  }

  private onVmState(vm: Vm, nowMs: number): void {
    this.trace.record(VM_STATE_KIND[vm.state], nowMs, vm.id, 0, 0, 0);
    this.vmsMax = Math.max(this.vmsMax, this.pool.inUse);
  }

  private onSinkBatch(host: SimHost, edge: number, sender: number, run: Batch, nowMs: number): void {
    const batch = this.ledger.admit(host.instance.id, edge, sender, run);
    const offset = this.experiment.fidelity.eventTimeOffsetMs;
    const w = this.runtime.weight;
    const sink = host.instance.operator.name;
    const id = host.instance.id;
    let highestMs = 0;
    for (let i = 0; i < batch.length; i++) {
      const key = batch.keys[i];
      const t = batch.eventTimesMs[i];
      const value = batch.values === null ? undefined : batch.values[i];
      // An output can be ahead of its event time (a window flushed at the end of the
      // stream ends in the future): its latency is then zero.
      const latencyMs = Math.max(0, nowMs - (t + offset));
      if (latencyMs > highestMs) highestMs = latencyMs;
      this.metrics.addLatency(latencyMs, w);
      this.digest.add(sink, key, t, value);
      this.onOutput?.({ timeMs: nowMs, sink, instance: id, key, eventTimeMs: t, value });
    }
    this.metrics.addTuplesOut(batch.length * w);
    if (batch.length > 0) this.metrics.addDelivery(nowMs, highestMs);
  }

  /** A reply reaches the coordinator `network.replyLatencyMs` after its task completed. */
  private reply(reply: ControlReply): void {
    const ms = this.network.options.replyLatencyMs;
    if (ms <= 0) {
      this.onReply(reply);
      return;
    }
    this.repliesInFlight++;
    this.env.schedule(ms, () => {
      this.repliesInFlight--;
      this.onReply(reply);
    });
  }

  /**
   * Run `then` once `calls` deploy calls (`pool.deployMs` each) are done, after those asked
   * before them: a real coordinator makes its deploy calls one redeploy after another.
   */
  private afterDeployCalls(calls: number, then: () => void): void {
    const ms = (this.experiment.pool.deployMs ?? 0) * calls;
    if (ms <= 0) {
      then();
      return;
    }
    this.deploysDoneAtMs = Math.max(this.env.nowMs(), this.deploysDoneAtMs) + ms;
    this.env.scheduleAt(this.deploysDoneAtMs, then);
  }

  /** The engine's coordinator of the leader of the moment (the crashed one's while none runs). */
  private get coordinator(): Coordinator | null {
    return this.process?.coordinator ?? null;
  }

  private onReply(reply: ControlReply): void {
    this.process?.handleReply(reply);
    if (reply.type === "retired") {
      // Merged away by a scale in, or split by a live scale out: its host goes, and its VM
      // too when nothing else runs there (a lingering one stays until retired for good).
      if (reply.lingering === true) return;
      const host = this.runtime.host(reply.instance);
      if (host === undefined) return;
      host.alive = false;
      const vm = host.vm;
      if (!this.runtime.hosts.some((h) => h.alive && h.vm === vm)) this.pool.release(vm);
      return;
    }
    if (reply.type !== "ended") return;
    const host = this.runtime.host(reply.instance);
    this.trace.record(TraceKind.InstanceEnded, this.env.nowMs(), reply.instance, host?.vm.id ?? -1, 0, 0);
  }

  /** A new leader took over: the trace says so, and the scheduled scalings follow its records. */
  private tookOver(t: TakeoverRecord, crashed: Coordinator): void {
    this.trace.record(
      TraceKind.CoordinatorTakeover,
      t.tookOverAtMs,
      this.process!.takeovers.length,
      0,
      t.entriesReplayed,
      0,
    );
    this.dueScalings?.rebuilt(crashed.scaling?.records ?? [], this.coordinator!.scaling?.records ?? []);
  }

  private faultTarget(): FaultTarget {
    return {
      crashCoordinator: () =>
        this.process?.crash(this.experiment.faultTolerance.coordinatorTakeoverMs) ?? false,
      crashVm: (id, nowMs) => this.crashVm(id, nowMs),
      setSpeedFactor: (id, factor) => {
        // A straggler on a VM not created (yet) slows nothing, as a crash of one is skipped.
        const vm = this.pool.all()[id];
        if (vm !== undefined && vm.state !== "crashed" && vm.state !== "released")
          vm.speed = vm.shape.speed * factor;
      },
      addLinkDelay: (groups, extraMs) => this.network.addDelay(groups, extraMs),
      removeLinkDelay: (h) => this.network.removeDelay(h),
      partition: (groups) => this.network.partition(groups),
      heal: (h) => this.network.heal(h),
      vmOfInstance: (id) => {
        const host = this.runtime.host(id);
        return host?.alive === true ? host.vm.id : null;
      },
      liveVms: () =>
        this.pool
          .all()
          .filter((v) => v.state === "ready")
          .map((v) => v.id),
    };
  }

  /**
   * Instances failed at `failedAtMs` (their VM crashed, or a deploy to a crashed VM failed).
   * Under `none` the coordinator counts them lost at once; otherwise it learns of the
   * failure when the VM's heartbeats have been missed.
   */
  private instancesFailed(ids: readonly number[], failedAtMs: number): void {
    const ft = this.experiment.faultTolerance;
    if (ft.strategy === "none") {
      this.process?.instancesFailed(ids, failedAtMs);
      return;
    }
    if (ids.length === 0) return;
    this.pendingDetections++;
    this.env.schedule(ft.detectionMs, () => {
      this.pendingDetections--;
      this.trace.record(TraceKind.FailureDetected, this.env.nowMs(), ids.length, 0, 0, 0);
      this.process?.instancesFailed(ids, failedAtMs);
    });
  }

  /** A VM crashes: its instances stop at once and what they held or would emit is lost. */
  crashVm(id: number, nowMs: number): void {
    const vm = this.pool.vm(id);
    this.pool.crash(vm);
    this.network.forget(id);
    const lost = this.runtime.crash(vm);
    for (const h of lost) this.trace.record(TraceKind.InstanceLost, nowMs, h.instance.id, id, 0, 0);
    const ids = lost.map((h) => h.instance.id);
    this.instancesFailed(ids, nowMs);
    this.failures.push({
      vm: id,
      failedAtMs: nowMs,
      instances: lost.map((h) => ({ id: h.instance.id, operator: h.instance.operator.name })),
    });
  }

  /** The threshold policy's controller: the trace records its decisions, and it reaches the sources. */
  private elasticityController(c: ScalingTarget): ElasticityController {
    const e = this.experiment;
    return new ElasticityController(
      c,
      {
        policy: {
          reportIntervalMs: e.scaling.reportIntervalMs,
          cooldownMs: e.scaling.cooldownMs,
          rules: e.scaling.rules,
        },
        placement: e.scaling.placement,
        sheddingMaxRate: e.scaling.shedding.maxRate,
      },
      {
        vmsInUse: () => this.pool.inUse,
        vms: () =>
          this.pool
            .all()
            .filter((vm) => vm.state === "ready")
            .map((vm) => ({ vm: vm.id, cores: vm.shape.cores })),
        shed: (rate, atMs) => {
          this.trace.record(TraceKind.Shed, atMs, 0, 0, 0, rate);
          for (const h of this.runtime.hosts) {
            if (h.alive && h.instance.operator.kind === "source")
              this.runtime.sendControl(h.instance.id, { type: "shed", rate });
          }
        },
        decided: (d) =>
          this.trace.record(
            TraceKind.ScalingDecision,
            d.atMs,
            d.instances[0],
            d.factor,
            d.blockedBy === null ? 0 : 1,
            d.value,
          ),
        started: (d) => this.trace.record(TraceKind.ScaleOut, d.atMs, d.instances[0], d.factor, 0, 0),
      },
    );
  }

  /**
   * A scheduled scale in: merge instance `index + 1` of the operator into `index`. Asked
   * again (`again`) after it was given up, it is dropped if the plan no longer has them.
   */
  private scaleIn(si: { operator: string; index: number }, again = false): void {
    const c = this.coordinator!;
    const op = c.plan.logical.operators.find((o) => o.name === si.operator);
    if (op === undefined) throw new ExperimentError(`scaling.scaleIns: no operator "${si.operator}"`);
    const instances = instancesOf(c.plan, op.id);
    const [x, y] = [instances[si.index], instances[si.index + 1]];
    if (x === undefined || y === undefined) {
      if (again) return;
      throw new ExperimentError(
        `scaling.scaleIns: "${si.operator}" has no instances ${si.index} and ${si.index + 1}`,
      );
    }
    const refused = this.process!.scaleIn(x.id, y.id);
    if (refused !== null) throw new ExperimentError(`scaling.scaleIns: ${refused}`);
    this.dueScalings!.begun(this.coordinator!.scaling!.records.at(-1)!, () => this.scaleIn(si, true));
  }

  /**
   * A scheduled scale out: split the instance named, or say why it cannot be. Asked again
   * (`again`) after it was given up, it is dropped if the plan no longer has the instance.
   */
  private scaleOut(so: { operator: string; index: number; factor: number }, again = false): void {
    const c = this.coordinator!;
    const op = c.plan.logical.operators.find((o) => o.name === so.operator);
    if (op === undefined) throw new ExperimentError(`scaling.scaleOuts: no operator "${so.operator}"`);
    // In key-group order, as scale ins count them.
    const spec = instancesOf(c.plan, op.id)[so.index];
    if (spec === undefined) {
      if (again) return;
      throw new ExperimentError(`scaling.scaleOuts: "${so.operator}" has no instance ${so.index}`);
    }
    const refused = this.process!.scaleOut(spec.id, so.factor);
    if (refused !== null) throw new ExperimentError(`scaling.scaleOuts: ${refused}`);
    this.dueScalings!.begun(this.coordinator!.scaling!.records.at(-1)!, () => this.scaleOut(so, true));
    this.trace.record(TraceKind.ScaleOut, this.env.nowMs(), spec.id, so.factor, 0, 0);
  }

  /**
   * Where the first plan's instances go: round robin over `cluster.vms` VMs; with
   * `cluster.edge`, each source and sink operator on an edge VM of its own instead.
   */
  private initialPlacement(): PlaceInstance {
    const { cluster } = this.experiment;
    const vms = this.pool.provisionReady(cluster.vms);
    const edge = cluster.edge;
    if (edge === undefined) return (_op, _i, n) => vms[n % vms.length].id;
    const edgeOps = this.plan.operators.filter((o) => o.kind !== "operator").map((o) => o.id);
    const edgeVms = this.pool.provisionReady(edgeOps.length, edge);
    let next = 0;
    return (op) => {
      const at = edgeOps.indexOf(op.id);
      return at >= 0 ? edgeVms[at].id : vms[next++ % vms.length].id;
    };
  }

  private deploy(): void {
    const e = this.experiment;
    const plan = physicalPlan(this.plan, { place: this.initialPlacement() });
    for (const spec of plan.instances) {
      this.runtime.deploy(plan, spec, this.pool.vm(spec.vm));
      this.trace.record(TraceKind.InstanceDeployed, 0, spec.id, spec.vm, 0, 0);
    }
    this.pool.prewarm();
    const runtime = {
      link: this.faultToleranceLink(),
      scalingBegun: (record: ScaleOutRecord, spec: InstanceSpec, upstreams: readonly number[]) => {
        const receivers = outputChannelsOf(this.coordinator!.plan, spec).map((c) => c.receiver);
        this.faults.reconfigurationBegun(++this.reconfigurationsBegun, {
          split: spec.id,
          upstream: upstreams.length === 0 ? null : Math.min(...upstreams),
          downstream: receivers.length === 0 ? null : Math.min(...receivers),
          newInstances: () =>
            record.kind === "migration" ? record.instances : record.instances.filter((id) => id !== spec.id),
        });
      },
      outputAhead: () => this.outputAhead(),
      // A scheduled reconfiguration given up is asked again (ScheduledScalings.ended).
      scalingEnded: (record: ScaleOutRecord) => this.dueScalings!.ended(record),
    };
    const setup = {
      plan,
      ft: { options: e.faultTolerance, scaleOut: { live: e.scaling.stateTransfer === "live" } },
    };
    const process = new CoordinatorProcess(
      this.env,
      setup,
      runtime,
      coordinatorCrashes(e.faults),
      (t, crashed) => this.tookOver(t, crashed),
    );
    this.process = process;
    process.start();
    const due = new ScheduledScalings(
      this.env,
      () => {
        const c = process.coordinator;
        return process.down || c.scaling!.busy || c.recovering || c.replaying;
      },
      SCALE_OUT_RETRY_MS,
    );
    this.dueScalings = due;
    for (const so of e.scaling.scaleOuts) this.env.schedule(so.atMs, () => due.due(() => this.scaleOut(so)));
    for (const si of e.scaling.scaleIns) this.env.schedule(si.atMs, () => due.due(() => this.scaleIn(si)));
    if (e.scaling.policy === "threshold") {
      const controller = this.elasticityController(process.controllerTarget);
      this.elasticity = controller;
      const reports = new LoadReports();
      reports.take(0, this.runtime.hosts);
      const report = () => {
        // No leader, no controller: the loads of the interval are not looked at.
        const loads = reports.take(this.env.nowMs(), this.runtime.hosts);
        if (!process.down) controller.observe(loads);
        if (!this.finished()) this.env.schedule(e.scaling.reportIntervalMs, report, METRICS_PRIORITY);
      };
      this.env.schedule(e.scaling.reportIntervalMs, report, METRICS_PRIORITY);
    }
    for (const h of this.runtime.hosts)
      if (h.instance.operator.kind === "source") this.runtime.startPolling(h);
  }

  /** How the fault-tolerance protocol gets VMs and fresh instances. */
  private faultToleranceLink(): FaultToleranceLink {
    const place = (specs: readonly InstanceSpec[]) => {
      const plan = this.coordinator!.plan;
      for (const s of specs) {
        this.runtime.redeploy(plan, s, this.pool.vm(s.vm));
        this.trace.record(TraceKind.InstanceDeployed, this.env.nowMs(), s.id, s.vm, 0, 0);
      }
    };
    return {
      clock: this.env,
      // A lost lingering instance is redeployed out of the plan (FaultTolerance.lingers).
      redeploysRetired: true,
      sendControl: (id, m) => this.runtime.sendControl(id, m),
      // The instances are placed at once; the protocol hears they are deployed after the
      // deploy calls (to their VM, then to every other VM: pool.deployMs each).
      redeploy: (specs, newVm, onDeployed, superseded) => {
        if (!newVm) {
          // A deploy call to a VM that crashed fails: those instances are lost.
          // (It replaces the live incarnation all the same: a migration moves it there.)
          const dead = specs.filter((s) => this.pool.vm(s.vm).state === "crashed");
          for (const s of dead) {
            const old = this.runtime.host(s.id);
            if (old !== undefined) old.alive = false;
          }
          place(specs.filter((s) => !dead.includes(s)));
          if (dead.length > 0)
            this.instancesFailed(
              dead.map((s) => s.id),
              this.env.nowMs(),
            );
          this.afterDeployCalls(2, () => onDeployed(specs));
          return;
        }
        this.acquireForLeader((vm) => {
          if (superseded?.() === true) {
            this.pool.release(vm);
            return;
          }
          const placed = specs.map((s) => ({ ...s, vm: vm.id }));
          place(placed);
          this.afterDeployCalls(
            2,
            this.forLeader(this.leaderGeneration, vm, () => onDeployed(placed)),
          );
        });
      },
      reserve: (onReady, forMigration) => {
        const vm = forMigration ? null : (this.elasticity?.placeNewInstance() ?? null);
        if (vm === null)
          this.acquireForLeader((v) =>
            this.afterDeployCalls(
              1,
              this.forLeader(this.leaderGeneration, v, () => onReady(v.id)),
            ),
          );
        else onReady(vm);
      },
      discard: (ids) => {
        for (const id of ids) {
          const host = this.runtime.host(id);
          if (host !== undefined) host.alive = false;
        }
      },
      unreserve: (id) => {
        const vm = this.pool.vm(id);
        if (vm.state === "ready" && !this.runtime.hosts.some((h) => h.alive && h.vm === vm))
          this.pool.release(vm);
      },
    };
  }

  /** Takeovers so far: a pool's answer to a call of an earlier leader's finds that leader gone. */
  private get leaderGeneration(): number {
    return this.process?.generation ?? 0;
  }

  /**
   * A VM for the leader of the moment: one handed to a crashed leader (orphaned), handed
   * over at once (in a moment of its own), else one from the pool. A new leader finds the VMs the pool handed its run, as a real
   * one finds them in its pool; without this a takeover would leak them and wait for others.
   */
  private acquireForLeader(onReady: (vm: Vm) => void): void {
    let orphan = this.orphanVms.shift();
    while (orphan !== undefined && orphan.state !== "ready") orphan = this.orphanVms.shift();
    if (orphan !== undefined) {
      // An answer of the pool's, as any: after what the leader is taking now (a takeover's
      // catch-up may fold the recovery that asked), never in the middle of it.
      const vm = orphan;
      const generation = this.leaderGeneration;
      this.env.schedule(
        0,
        this.forLeader(generation, vm, () => onReady(vm)),
      );
      return;
    }
    const generation = this.leaderGeneration;
    this.pool.acquire((vm) => this.forLeader(generation, vm, () => onReady(vm))());
  }

  /**
   * `then`, if the leader that asked (of `generation`) is
   * still the one running when the runtime answers; otherwise `vm` is orphaned: kept for
   * the next leader while none runs, given back to the pool once one does (it made its
   * own calls meanwhile).
   */
  private forLeader(generation: number, vm: Vm, then: () => void): () => void {
    return () => {
      if (generation === this.leaderGeneration) {
        then();
        return;
      }
      if (this.process?.down === true) this.orphanVms.push(vm);
      else if (vm.state === "ready" && !this.runtime.hosts.some((h) => h.alive && h.vm === vm))
        this.pool.release(vm);
    };
  }

  /** VMs handed to a leader after it crashed, for the next one (acquireForLeader). */
  private readonly orphanVms: Vm[] = [];

  private tick(): void {
    const now = this.env.nowMs();
    this.closeInterval(now);
    if (!this.finished())
      this.env.schedule(this.experiment.metricsIntervalMs, () => this.tick(), METRICS_PRIORITY);
  }

  private closeInterval(nowMs: number): void {
    const cpuByVm = new Map<number, number>();
    for (const vm of this.pool.all())
      if (vm.state === "ready") cpuByVm.set(vm.id, vm.sampleUtilisation(nowMs));
    let queueLength = 0;
    for (const h of this.runtime.hosts) if (h.alive) queueLength += h.queuedTuples;
    this.metrics.closeInterval(nowMs, { queueLength, vmsInUse: this.pool.inUse, cpuByVm });
  }

  private finished(): boolean {
    return this.stopNow() !== null;
  }

  /** True while a live sink has let out more than it has processed (it re-makes output after a recovery). */
  private outputAhead(): boolean {
    for (const h of this.runtime.hosts) {
      if (!h.alive || h.instance.operator.kind !== "sink") continue;
      const instance = h.instance;
      if (this.ledger.ahead(instance.id, (edge, sender) => instance.processedSeq(edge, sender))) return true;
    }
    return false;
  }

  /**
   * Why the run stops now, or null while it goes on: every sink ended (or, under none, was
   * lost); nothing is left that could happen (no event, or nothing running, arriving or
   * being recovered or reconfigured) while a sink has not ended, a stall; or the next
   * event lies past `untilS`.
   */
  private stopNow(): RunStop | null {
    if (this.coordinator?.sinksDone ?? false) return "finished";
    if (
      this.env.pending === 0 ||
      (this.runtime.idle() &&
        this.pendingDetections === 0 &&
        this.repliesInFlight === 0 &&
        !(this.process?.down ?? false) &&
        !(this.coordinator?.recovering ?? false) &&
        !(this.coordinator?.scaling?.busy ?? false))
    )
      return "stalled";
    if (this.env.peek() > this.untilMs) return "until";
    return null;
  }

  /**
   * Run the experiment to its end; `onProgress` is called every 2^16 events. A run that
   * stalls, or reaches `maxSteps`, returns too: its summary says it stalled.
   */
  run(onProgress?: (p: SimProgress) => void): SimSummary {
    this.deploy();
    this.faults.start();
    this.env.schedule(this.experiment.metricsIntervalMs, () => this.tick(), METRICS_PRIORITY);
    const env = this.env;
    let stop: RunStop | null = null;
    let stalledBy: string | null = "nothing left could happen";
    try {
      for (stop = this.stopNow(); stop === null; stop = this.stopNow()) {
        env.step();
        if ((env.events & 0xffff) === 0)
          onProgress?.({ simulatedMs: env.nowMs(), untilMs: this.untilMs, events: env.events });
      }
    } catch (err) {
      // The kernel refuses the step past the bound before taking it: the run stands whole.
      if (!(err instanceof StepLimitError)) throw err;
      stop = "stalled";
      stalledBy = `it reached maxSteps = ${env.maxSteps}`;
    }
    const endMs = Math.min(env.nowMs(), this.untilMs);
    if (endMs % this.experiment.metricsIntervalMs !== 0) this.closeInterval(endMs);
    onProgress?.({ simulatedMs: endMs, untilMs: this.untilMs, events: env.events });
    const sinks = sinkEnds(this.coordinator!.plan, this.coordinator);
    return summarize(this, endMs, this.vmsMax, runEndFields(stop, endMs, sinks, stalledBy));
  }
}

const FAULT_CODES: Record<string, number> = {
  crash: 1,
  crashSkipped: 2,
  stragglerStart: 3,
  stragglerEnd: 4,
  delayStart: 5,
  delayEnd: 6,
  partitionStart: 7,
  partitionEnd: 8,
  coordinatorCrash: 9,
  coordinatorCrashSkipped: 10,
};
