// The simulator's side of the runtime boundary. Instances run on simulated VMs: each
// task (a batch, a control message, a source poll, a checkpoint copy step) runs the
// engine's real code at once, in zero virtual time, while the work it reports through
// the WorkMeter is priced by the cost model; the task then holds a core for that long,
// and what it sent leaves only when it completes. A VM that crashes mid-task loses the
// task's output. Sources are polled every `sourcePollMs` and replay their stream at the
// pace of its event times: a tuple with event time t arrives at t + eventTimeOffsetMs.
//
// Fidelity: with `sampleOneIn` n > 1 the sources keep 1 key in n (engine-side, by a
// stable hash, so a kept key keeps its whole stream) and every kept tuple stands for n:
// per-tuple work, state entries and bytes on links are charged n times. What this
// preserves: CPU load, queueing, network load and latency dynamics, the spread of keys
// over key groups and instances, and per-key operator semantics for the kept keys.
// What it does not: exact outputs (only kept keys produce them, and anything computed
// across keys, such as a count of distinct cars, sees the sample), so its output digest
// is not comparable with a full run's. n = 1 is full fidelity: every tuple computed.
// A source that can make the sample itself (`Source.sampleKeys`, e.g. the Linear Road
// generator, which then simulates only the kept cars) produces only the kept tuples, and
// its production is charged n times too: the run's cost is then 1/n of a full run's.

import {
  type Address,
  type Batch,
  type Checkpoint,
  type ControlMessage,
  type ControlReply,
  cutSizeBytes,
  Instance,
  type InstanceSpec,
  numericSizeBytes,
  type PhysicalPlan,
  type Placement,
  type Runtime,
  type Transport,
  type WorkKind,
  type WorkMeter,
} from "../engine/index.js";
import { type CostModel, OperatorCosts } from "./costModel.js";
import type { Environment } from "./kernel.js";
import type { Network } from "./network.js";
import type { RandomStream } from "./randomStreams.js";
import { SimHost, type Task, TaskKind } from "./simHost.js";
import type { Vm } from "./vm.js";

/** Knobs of how the engine is driven: batch granularity and pacing. */
export interface SimRuntimeOptions {
  /** Most tuples a source emits per poll. */
  readonly batchSize: number;
  /** Virtual time between two polls of a source. */
  readonly sourcePollMs: number;
  /** Virtual time at which event time 0 arrives. */
  readonly eventTimeOffsetMs: number;
  /** State entries a checkpoint copies per step. */
  readonly copyChunkEntries: number;
  /** Sources keep 1 key in this many; each kept tuple stands for this many (1: full fidelity). */
  readonly sampleOneIn: number;
  /** Keep sent output until acked (the fault-tolerance strategy replays buffers); default true. */
  readonly bufferOutput?: boolean;
  /** Receivers ack what they processed every this many batches per channel (0: never). */
  readonly ackProcessedEvery?: number;
  /** Batches carry their sender's cut (parallel recovery; engine/outputCut.ts). */
  readonly stampOutputCuts?: boolean;
  /** Every VM's tasks share this many cores of one machine (absent: VMs' cores are their own). */
  readonly hostCores?: number;
  /**
   * Where in its period each source's polling starts: `aligned` (at 0: polls fall on
   * multiples of the period, as do round event times such as window ends) or `random`
   * (a seeded offset per source, as a real runtime's timers fall).
   */
  readonly sourcePollPhase?: "aligned" | "random";
  /** The seeded stream `random` phases are drawn from. */
  readonly pollPhaseRandom?: RandomStream;
}

/** What the simulation wants to hear about while the runtime runs. */
export interface SimRuntimeHooks {
  /** A task completed on a live VM (after its output left). */
  onTask?(host: SimHost, kind: number, tuples: number, costMs: number): void;
  /** A sink completed processing `batch` of channel (edge, sender) at `nowMs`. */
  onSinkBatch?(host: SimHost, edge: number, sender: number, batch: Batch, nowMs: number): void;
  /** A source emitted `tuples` tuples. */
  onSourceTuples?(host: SimHost, tuples: number): void;
  /** A batch crossed from sender to receiver (after the link). */
  onDeliver?(sender: number, receiver: number, tuples: number, linkMs: number): void;
  /** A batch was lost: its receiver is gone. */
  onDrop?(sender: number, receiver: number, tuples: number): void;
  /** A reply to the coordinator. */
  onReply?(reply: ControlReply): void;
}

interface SinkRun {
  readonly edge: number;
  readonly sender: number;
  readonly batch: Batch;
}

interface Outgoing {
  readonly sender: number;
  readonly receiver: number;
  readonly edge: number;
  readonly batch: Batch;
}

/** Runs engine instances on simulated VMs. */
export class SimRuntime implements Runtime, Transport, WorkMeter, Placement {
  readonly transport: Transport = this;
  readonly meter: WorkMeter = this;
  readonly placement: Placement = this;
  readonly hosts: SimHost[] = [];
  private readonly byId = new Map<number, SimHost>();
  private current: SimHost | null = null;
  /** Batches on the network and tasks on cores, for telling when the run is idle. */
  private inFlight = 0;
  /** Control messages on their way. */
  private controlInFlight = 0;
  private tasksRunning = 0;
  private workUs = 0;
  private emittedBySource = 0;
  private outbox: Outgoing[] = [];
  /** Replies to the coordinator sent during the current task: they leave when it completes. */
  private replies: ControlReply[] = [];
  /** What a sink processed during the current task: it leaves when the task completes. */
  private sinkRuns: SinkRun[] = [];
  /** Bytes of a batch on the wire, per port field count (values priced by the cost model). */
  private readonly fieldCounts = new Map<number, number>();
  /** How many tuples each computed tuple stands for. */
  readonly weight: number;
  readonly sourceSampleOneIn: number;
  readonly bufferOutput: boolean;
  readonly ackProcessedEvery: number;
  readonly stampOutputCuts: boolean;
  /** Cores of the shared machine running a task now (with `hostCores`). */
  private hostBusy = 0;
  /** VMs with work waiting for a core of the shared machine, first come first served. */
  private readonly hostWaiting: Vm[] = [];

  constructor(
    readonly clock: Environment,
    readonly random: RandomStream,
    private readonly network: Network,
    private readonly cost: CostModel,
    readonly options: SimRuntimeOptions,
    private readonly hooks: SimRuntimeHooks = {},
    /** Control messages from the coordinator take this long to arrive. */
    private readonly controlLatencyMs = 0.5,
  ) {
    if (!Number.isInteger(options.sampleOneIn) || options.sampleOneIn < 1) {
      throw new RangeError(`sampleOneIn ${options.sampleOneIn} must be an integer >= 1`);
    }
    this.weight = options.sampleOneIn;
    this.sourceSampleOneIn = options.sampleOneIn;
    this.bufferOutput = options.bufferOutput ?? true;
    this.ackProcessedEvery = options.ackProcessedEvery ?? 0;
    this.stampOutputCuts = options.stampOutputCuts ?? false;
  }

  /** Deploy an instance of `plan` on `vm`. */
  deploy(plan: PhysicalPlan, spec: InstanceSpec, vm: Vm): SimHost {
    const op = plan.logical.operators[spec.operator];
    const host = new SimHost(
      this.hosts.length,
      new Instance(plan, spec, this),
      vm,
      new OperatorCosts(this.cost, op.name),
    );
    this.hosts.push(host);
    this.byId.set(spec.id, host);
    return host;
  }

  /**
   * Deploy a fresh instance under `spec.id` on `vm`, in place of its current incarnation
   * (which stops at once: its queued work and unfinished output are lost).
   */
  redeploy(plan: PhysicalPlan, spec: InstanceSpec, vm: Vm): SimHost {
    const old = this.byId.get(spec.id);
    if (old?.alive) {
      old.alive = false;
      old.clear();
    }
    const host = this.deploy(plan, spec, vm);
    if (host.instance.operator.kind === "source") this.startPolling(host);
    return host;
  }

  /** The host of instance `id`, if it is alive. */
  host(id: number): SimHost | undefined {
    const h = this.byId.get(id);
    return h?.alive ? h : undefined;
  }

  vmOf(instance: number): number {
    const h = this.byId.get(instance);
    if (h === undefined) throw new Error(`no instance ${instance}`);
    return h.vm.id;
  }

  /** Start every source's polling (call after the `start` messages are sent). */
  startPolling(host: SimHost): void {
    const tick = () => {
      if (!host.alive || host.instance.state === "finished" || host.instance.state === "stopped") return;
      if (!host.pollQueued) {
        host.pollQueued = true;
        this.enqueue(host, { kind: TaskKind.poll });
      }
      this.clock.schedule(this.options.sourcePollMs, tick);
    };
    const phase = this.options.pollPhaseRandom;
    const random = this.options.sourcePollPhase === "random" && phase !== undefined;
    this.clock.schedule(random ? phase.next() * this.options.sourcePollMs : 0, tick);
  }

  // ---- transport and meter (called by the engine, inside a task) ----

  sendBatch(sender: number, receiver: number, edge: number, batch: Batch): void {
    if (this.current !== null) {
      this.outbox.push({ sender, receiver, edge, batch });
      if (batch.length > 0 && this.byId.get(receiver)?.vm !== this.current.vm) {
        this.workUs += (this.bytesOf(edge, batch) * this.cost.serializeNsPerByte) / 1000;
      }
    } else {
      this.route({ sender, receiver, edge, batch });
    }
  }

  sendControl(to: Address, message: ControlMessage | ControlReply): void {
    if (to === "coordinator") {
      if (this.current !== null) this.replies.push(message as ControlReply);
      else this.hooks.onReply?.(message as ControlReply);
      return;
    }
    const msg = message as ControlMessage;
    // A message goes to the incarnation alive when it is sent: if that one is replaced
    // meanwhile, the message is lost with it, as on a real network.
    const host = this.host(to);
    if (host === undefined) return;
    const deliver = () => {
      if (host.alive) this.enqueue(host, { kind: TaskKind.control, message: msg });
    };
    if (msg.type !== "backup" && msg.type !== "restore") {
      // Counted until delivered, so that the run is not idle while a `start` is on its way.
      this.controlInFlight++;
      this.clock.schedule(this.controlLatencyMs, () => {
        this.controlInFlight--;
        deliver();
      });
      return;
    }
    // A checkpoint travels over the network: from the instance it belongs to (a backup
    // relayed by the coordinator) or from its holder (a restore), or from the store.
    const bytes = this.checkpointBytes(msg.checkpoint);
    const target = host;
    const fromHost = msg.type === "backup" ? this.byId.get(msg.checkpoint.instance) : this.current;
    if (fromHost === undefined || fromHost === null || !fromHost.alive) {
      const transferMs = bytes / ((this.network.options.bandwidthMbps * 1e6) / 8 / 1000);
      this.clock.schedule(this.controlLatencyMs + this.network.options.latencyMs + transferMs, deliver);
      return;
    }
    this.network.send(fromHost.vm.id, target.vm.id, bytes, () => deliver());
  }

  /** Bytes of a checkpoint on the wire: its state entries and buffered tuples. */
  private checkpointBytes(cp: Checkpoint): number {
    let tuples = 0;
    for (const b of cp.buffers) for (const batch of b.batches) tuples += batch.length;
    const w = this.weight;
    return (cp.processing.size * this.cost.stateEntryBytes + tuples * 8 * 4) * w;
  }

  sinkOutput(instance: number, edge: number, sender: number, batch: Batch): void {
    if (this.current?.instance.id === instance) this.sinkRuns.push({ edge, sender, batch });
  }

  record(instance: number, kind: WorkKind, units: number): void {
    const c = this.current;
    if (c === null || c.instance.id !== instance) return;
    if (kind === "tuples" && c.instance.operator.kind === "source") {
      // A source produces every tuple, sampled out or not; one that makes its sample
      // itself produces only the kept ones, each standing for `weight`.
      this.workUs += c.costs.us(kind, c.instance.presampled ? units * this.weight : units);
      this.emittedBySource += units;
    } else {
      this.workUs += c.costs.us(kind, kind === "batches" ? units : units * this.weight);
    }
  }

  private bytesOf(edge: number, batch: Batch): number {
    let f = this.fieldCounts.get(edge);
    if (f === undefined) {
      f = batch.fields.length;
      this.fieldCounts.set(edge, f);
    }
    const n = batch.length * this.weight;
    return (
      numericSizeBytes(n, f) +
      (batch.values === null ? 0 : n * this.cost.valueBytes) +
      (batch.cut === null ? 0 : cutSizeBytes(batch.cut.processed.length))
    );
  }

  private route(m: Outgoing): void {
    const from = this.byId.get(m.sender);
    const to = this.byId.get(m.receiver);
    if (from === undefined || to === undefined || !to.alive) {
      this.hooks.onDrop?.(m.sender, m.receiver, m.batch.length);
      return;
    }
    const bytes = this.bytesOf(m.edge, m.batch);
    this.inFlight++;
    this.network.send(from.vm.id, to.vm.id, bytes, (linkMs) => {
      this.inFlight--;
      if (!to.alive) {
        this.hooks.onDrop?.(m.sender, m.receiver, m.batch.length);
        return;
      }
      this.hooks.onDeliver?.(m.sender, m.receiver, m.batch.length, linkMs);
      const crossVm = from.vm !== to.vm ? bytes : 0;
      this.enqueue(to, {
        kind: TaskKind.batch,
        edge: m.edge,
        sender: m.sender,
        batch: m.batch,
        bytes: crossVm,
      });
    });
  }

  // ---- CPU scheduling ----

  /** Queue a task for a host and give its VM a chance to run it. */
  enqueue(host: SimHost, task: Task): void {
    if (!host.alive) return;
    host.push(task);
    this.wake(host);
  }

  private wake(host: SimHost): void {
    if (!host.running && !host.queued && host.hasWork) {
      host.queued = true;
      host.vm.enqueue(host.index);
    }
    this.dispatch(host.vm);
  }

  /** Start tasks on free cores of `vm` (and of the shared machine, with `hostCores`). */
  dispatch(vm: Vm): void {
    const limit = this.options.hostCores;
    while (vm.alive && vm.busyCores < vm.shape.cores) {
      if (limit !== undefined && this.hostBusy >= limit) {
        if (vm.hasQueued && !this.hostWaiting.includes(vm)) this.hostWaiting.push(vm);
        return;
      }
      const index = vm.dequeue();
      if (index < 0) return;
      const host = this.hosts[index];
      host.queued = false;
      if (!host.alive || host.vm !== vm || !host.hasWork) continue;
      this.runTask(host);
    }
  }

  private runTask(host: SimHost): void {
    const vm = host.vm;
    const token = vm.beginTask(this.clock.nowMs());
    this.hostBusy++;
    host.running = true;
    this.tasksRunning++;
    const task = host.take();
    this.current = host;
    this.workUs = 0;
    this.emittedBySource = 0;
    this.outbox = [];
    this.replies = [];
    this.sinkRuns = [];
    let tuples = 0;
    const inst = host.instance;
    switch (task.kind) {
      case TaskKind.batch:
        tuples = task.batch.length;
        this.workUs += (task.bytes * this.cost.deserializeNsPerByte) / 1000;
        inst.receive(task.edge, task.sender, task.batch);
        break;
      case TaskKind.control:
        this.workUs += this.cost.controlUs;
        inst.handle(task.message);
        break;
      case TaskKind.poll: {
        host.pollQueued = false;
        const until = this.clock.nowMs() - this.options.eventTimeOffsetMs;
        inst.poll(this.options.batchSize, until);
        tuples = this.emittedBySource;
        if (tuples > 0) this.hooks.onSourceTuples?.(host, inst.presampled ? tuples * this.weight : tuples);
        // A full batch means more tuples may be due: poll again as soon as a core allows.
        if (tuples >= this.options.batchSize && !host.pollQueued) {
          host.pollQueued = true;
          host.push({ kind: TaskKind.poll });
        }
        break;
      }
      case TaskKind.checkpointStep:
        host.stepQueued = false;
        if (inst.checkpointPending) inst.checkpointStep(this.options.copyChunkEntries);
        break;
    }
    if (inst.checkpointPending && !host.stepQueued) {
      host.stepQueued = true;
      host.push({ kind: TaskKind.checkpointStep });
    }
    this.current = null;
    const outbox = this.outbox;
    this.outbox = [];
    const replies = this.replies;
    this.replies = [];
    const sinkRuns = this.sinkRuns;
    this.sinkRuns = [];
    const costMs = this.workUs / 1000 / vm.speed;
    this.clock.schedule(costMs, () => {
      this.tasksRunning--;
      this.hostBusy--;
      if (this.hostWaiting.length > 0) this.wakeHostWaiting();
      if (vm.state === "crashed") return; // the task's output dies with the VM
      vm.endTask(token, this.clock.nowMs());
      host.running = false;
      host.busyMs += costMs;
      if (task.kind === TaskKind.batch) host.processedTuples += tuples;
      if (!host.alive) {
        // Replaced while the task ran: its output dies with it; the core goes to others.
        this.dispatch(vm);
        return;
      }
      for (const m of outbox) this.route(m);
      for (const r of sinkRuns) this.hooks.onSinkBatch?.(host, r.edge, r.sender, r.batch, this.clock.nowMs());
      for (const r of replies) this.hooks.onReply?.(r);
      this.hooks.onTask?.(host, task.kind, tuples, costMs);
      this.wake(host);
    });
  }

  /** A core of the shared machine is free: the VMs waiting for one, in turn. */
  private wakeHostWaiting(): void {
    const limit = this.options.hostCores ?? Number.POSITIVE_INFINITY;
    while (this.hostWaiting.length > 0 && this.hostBusy < limit) {
      const vm = this.hostWaiting.shift()!;
      this.dispatch(vm);
    }
  }

  /**
   * True when nothing can happen any more without outside help: every source has ended
   * or died, no task runs or waits, and no batch is on the network.
   */
  idle(): boolean {
    if (this.inFlight > 0 || this.tasksRunning > 0 || this.controlInFlight > 0) return false;
    for (const h of this.hosts) {
      if (!h.alive) continue;
      if (h.hasWork || h.running) return false;
      if (
        h.instance.operator.kind === "source" &&
        h.instance.state !== "finished" &&
        h.instance.state !== "stopped"
      ) {
        return false;
      }
    }
    return true;
  }

  /** The VM crashed: its instances stop at once, their queued and running work is lost. */
  crash(vm: Vm): SimHost[] {
    const lost = this.hosts.filter((h) => h.alive && h.vm === vm);
    for (const h of lost) {
      h.alive = false;
      h.clear();
    }
    return lost;
  }
}
