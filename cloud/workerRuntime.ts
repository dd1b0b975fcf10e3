// The runtime boundary inside a worker process: the instances it hosts, their inboxes,
// and a scheduler that runs their tasks on the event loop in short slices, so gRPC I/O
// keeps flowing. Batches to instances on the same worker are handed over directly;
// others go out on the data plane. An instance whose outgoing streams hold frames
// waiting for credit is not run (no input taken, no source polled) until credit comes:
// that, with credits granted only for processed frames, is the flow control.
//
// Load: the worker times each instance's turns on its real clock and counts the tuples
// of the batches it processed, so the coordinator can build per-instance load reports
// (`loads`, read by every heartbeat, in totals that a lost reply does not lose).
//
// Recovery: instances are deployed afresh under their ids (on a new worker, or here in
// place of their live incarnation) and every worker learns where they run now and their
// incarnation. A control message goes to the incarnation alive when it was sent: one
// tagged with an older incarnation is dropped, as it would be lost with it. Control
// messages to instances on other workers are forwarded to those workers.
//
// The plan a worker knows only grows (it hears of instances, not of their leaving), so a
// fresh instance is built with that plan less the instances that left it since: those
// overlapping, by key groups, an instance of their operator the redeploy names (the
// coordinator names the whole plan with every fresh instance), as the simulator builds it
// with the coordinator's plan. A retired instance lingering here stays hosted meanwhile.

import { performance } from "node:perf_hooks";
import { ChannelCredentials } from "@grpc/grpc-js";
import seedrandom from "seedrandom";
import {
  type Address,
  type Batch,
  type ControlMessage,
  type ControlReply,
  Instance,
  type InstanceSpec,
  type LifecycleState,
  type PhysicalPlan,
  type Placement,
  type RandomSource,
  type Runtime,
  type Transport,
  type WorkKind,
  type WorkMeter,
  withInstances,
} from "../engine/index.js";
import { channelCredentials, type TlsFiles, tokenMetadata } from "./auth.js";
import type { IncomingStream } from "./dataPlane.js";
import { OutgoingStream } from "./dataPlane.js";
import { encodeFrame, FrameDataPlaneClient } from "./frameCodec.js";
import { DATA_CHANNEL_OPTIONS, FramePool } from "./framePool.js";
import { RealClock } from "./realClock.js";

/** How a worker's instances are driven. */
export interface WorkerRuntimeOptions {
  readonly batchSize: number;
  readonly sourcePollMs: number;
  /** Wall-clock ms since the epoch at which event time 0 arrives. */
  readonly startEpochMs: number;
  /** Event-time ms replayed per wall-clock ms (1: real time). */
  readonly replaySpeed: number;
  readonly seed: number;
  /** Token for calls to other workers. */
  readonly token: string;
  readonly tls?: TlsFiles;
  /** Keep sent output until acked (the fault-tolerance strategy replays buffers, or the run may scale out). */
  readonly bufferOutput: boolean;
  /**
   * Instances ack what they processed every this many batches of a channel (a run that
   * may scale out without checkpoints trims its buffers so); absent or 0: never.
   */
  readonly ackProcessedEvery?: number;
  /** Stamp batches with their sender's cut (parallel recovery). */
  readonly stampOutputCuts?: boolean;
}

/** What the worker reports to its coordinator. */
export interface WorkerEvents {
  /** An instance's reply to the coordinator, with the instance's incarnation. */
  reply(reply: ControlReply, incarnation: number): void;
  sinkBatch(
    instance: number,
    sink: string,
    edge: number,
    sender: number,
    batch: Batch,
    processedEpochMs: number,
  ): void;
  /** A stream to another worker broke (that worker is probably dead). */
  peerLost(address: string, error: Error): void;
  /** A control message to an instance on another worker (at `address`, as `incarnation`). */
  forward(instance: number, address: string, incarnation: number, message: ControlMessage): void;
  /**
   * A task of an instance threw (a control message its lifecycle refuses, an operator
   * failing on a batch): the task is dropped and the worker goes on; `task` says which.
   */
  taskFailed(instance: number, incarnation: number, task: string, error: unknown): void;
}

type Task =
  | {
      readonly kind: "batch";
      readonly edge: number;
      readonly sender: number;
      readonly batch: Batch;
      readonly from: IncomingStream | null;
    }
  | { readonly kind: "control"; readonly message: ControlMessage }
  | { readonly kind: "poll" };

/**
 * What one hosted incarnation did in total since it was deployed, and its queue now. Totals,
 * not counts since the last read: a heartbeat whose reply is lost (a deadline missed on a
 * busy machine) then loses nothing, as the next one carries the same totals and more.
 */
export interface InstanceLoadCounters {
  readonly instance: number;
  readonly incarnation: number;
  readonly busyMs: number;
  readonly processedTuples: number;
  readonly queuedTuples: number;
  readonly shedTuples: number;
}

class Hosted {
  /** Tasks to run from `head` on; those before it were taken (their slots emptied). */
  readonly inbox: (Task | undefined)[] = [];
  head = 0;
  queuedTuples = 0;
  pollQueued = false;
  /** Time its tasks took since its checkpoint copy last stepped (the copy's share of time). */
  taskMsSinceStep = 0;
  /** Wall-clock ms its turns took, and tuples of the batches it processed, in total. */
  busyMs = 0;
  processedTuples = 0;
  readonly streams = new Set<OutgoingStream>();
  constructor(
    readonly instance: Instance,
    readonly incarnation: number,
  ) {}
  get hasWork(): boolean {
    return this.head < this.inbox.length;
  }
  get blocked(): boolean {
    for (const s of this.streams) if (s.congested) return true;
    return false;
  }
  take(): Task {
    const t = this.inbox[this.head] as Task;
    // The slot lets go of its task at once. Kept until the inbox is next compacted, a
    // processed batch (and the received frame it is a view of) would outlive a few
    // young-generation collections, be promoted, and bring on full collections: on a
    // receiving worker at millions of tuples a second, that was a sixth of its time.
    this.inbox[this.head++] = undefined;
    if (this.head > 256 && this.head * 2 > this.inbox.length) {
      this.inbox.splice(0, this.head);
      this.head = 0;
    }
    if (t.kind === "batch") {
      this.queuedTuples -= t.batch.length;
      this.processedTuples += t.batch.length;
    }
    return t;
  }
}

/**
 * The plan to build a fresh instance with: `plan` (as a worker knows it) without the
 * instances that overlap, by key groups, one of `told` of their operator and are not told
 * of themselves. Those left the plan since the worker heard of them (merged away by a scale
 * in, split by a live scale out, discarded with a given-up one), and a plan with two owners
 * of a key group cannot route. Told the whole plan as it stands, this is that plan.
 */
export function buildingPlan(plan: PhysicalPlan, told: readonly InstanceSpec[]): PhysicalPlan {
  const ids = new Set(told.map((s) => s.id));
  const left = plan.instances.filter(
    (i) =>
      !ids.has(i.id) && told.some((t) => t.operator === i.operator && !t.range.intersect(i.range).isEmpty),
  );
  return left.length === 0
    ? plan
    : withInstances(
        plan,
        left.map((i) => i.id),
        [],
      );
}

const SLICE_MS = 8;
/** Least time a pending checkpoint copies for on each turn of its instance. */
const STEP_MIN_MS = 2;

/** The instances of one worker and the runtime they see. */
export class WorkerRuntime implements Runtime, Transport, WorkMeter, Placement {
  readonly clock: RealClock;
  readonly random: RandomSource;
  readonly transport: Transport = this;
  /** Batches sent are encoded onto a frame at once, or copied for a local inbox: see sendBatch. */
  readonly copiesBatches = true;
  readonly meter: WorkMeter = this;
  readonly placement: Placement = this;
  private readonly hosts = new Map<number, Hosted>();
  private readonly order: Hosted[] = [];
  private readonly streams = new Map<string, OutgoingStream>();
  private readonly clients = new Map<string, FrameDataPlaneClient>();
  /** The buffers outgoing frames are encoded into, reused once sent. */
  private readonly frames = new FramePool();
  private current: Hosted | null = null;
  /** Replies sent during the current task: they go out after the task's outputs. */
  private replies: ControlReply[] = [];
  private physical: PhysicalPlan;
  /** Worker address of every instance, as last told. */
  private readonly addresses: Map<number, string>;
  /** Live incarnation of every instance, as last told (absent: 0, any). */
  private readonly incarnations: Map<number, number>;
  readonly bufferOutput: boolean;
  readonly ackProcessedEvery: number;
  readonly stampOutputCuts: boolean;
  /** Frames and control messages dropped: for an instance not hosted here, or a replaced incarnation. */
  dropped = 0;
  private sliceScheduled = false;
  /** Incoming streams owed credit for frames processed in the current slice. */
  private readonly owing = new Set<IncomingStream>();
  private cursor = 0;
  private pollTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Tuples processed (sources' excluded), emitted, and produced by sources, in total. */
  private processed = 0;
  private emitted = 0;
  private sourceTuples = 0;

  constructor(
    plan: PhysicalPlan,
    hosted: readonly number[],
    addresses: ReadonlyMap<number, string>,
    private readonly options: WorkerRuntimeOptions,
    private readonly events: WorkerEvents,
    incarnations: ReadonlyMap<number, number> = new Map(),
  ) {
    this.physical = plan;
    this.addresses = new Map(addresses);
    this.incarnations = new Map(incarnations);
    this.bufferOutput = options.bufferOutput;
    this.ackProcessedEvery = options.ackProcessedEvery ?? 0;
    this.stampOutputCuts = options.stampOutputCuts ?? false;
    this.clock = new RealClock(options.startEpochMs);
    const rng = seedrandom.alea(`${options.seed}/worker/${hosted.join(",")}`);
    this.random = { next: () => rng() };
    for (const id of hosted) this.host(id);
  }

  /** The physical plan as this worker knows it. */
  get plan(): PhysicalPlan {
    return this.physical;
  }

  /**
   * Deploy a fresh incarnation of instance `id`, in place of the live one if any, built with
   * `plan` (the plan as this worker knows it unless told) and its spec there (unless told).
   */
  private host(id: number, plan = this.physical, told?: InstanceSpec): void {
    const spec = told ?? plan.instances.find((i) => i.id === id);
    if (spec === undefined) throw new Error(`instance ${id} is not in the plan`);
    const h = new Hosted(new Instance(plan, spec, this), this.incarnations.get(id) ?? 0);
    const old = this.hosts.get(id);
    this.hosts.set(id, h);
    if (old === undefined) {
      this.order.push(h);
      return;
    }
    this.discard(old);
    this.order[this.order.indexOf(old)] = h;
  }

  /**
   * Instance `id` runs elsewhere now (a migration moved it): its incarnation here is
   * dropped, so that batches and control messages from this worker's instances go to the
   * new one at its address instead of into this one's inbox.
   */
  private unhost(id: number): void {
    const old = this.hosts.get(id);
    if (old === undefined) return;
    this.hosts.delete(id);
    this.discard(old);
    const i = this.order.indexOf(old);
    this.order.splice(i, 1);
    if (this.cursor > i) this.cursor--;
    if (this.cursor >= this.order.length) this.cursor = 0;
  }

  /**
   * A replaced incarnation's queued work dies with it (a task of it cannot be running: one
   * thread); the frames it held give their credit back, or their streams would shrink for good.
   */
  private discard(old: Hosted): void {
    for (let i = old.head; i < old.inbox.length; i++) {
      const t = old.inbox[i] as Task;
      if (t.kind === "batch" && t.from !== null) {
        t.from.processed();
        t.from.flush();
      }
    }
    old.inbox.length = 0;
    old.head = 0;
    old.queuedTuples = 0;
  }

  /**
   * Instances were deployed afresh: `specs` as now placed, at `addresses`, as
   * `incarnations`; those of `fresh` are deployed here anew (replacing their live
   * incarnations), built with the plan as it stands (see `buildingPlan`). One of `specs`
   * hosted here but not in `fresh` is no longer hosted here when it runs elsewhere now (a
   * migration moved it: another worker's address) or nowhere (a given-up reconfiguration
   * discarded it: no address); with this worker's address it stays. Returns the ids
   * deployed here.
   */
  redeploy(
    specs: readonly InstanceSpec[],
    addresses: ReadonlyMap<number, string>,
    incarnations: ReadonlyMap<number, number>,
    fresh: readonly number[],
  ): number[] {
    const gone = specs.filter(
      (s) =>
        !fresh.includes(s.id) && this.hosts.has(s.id) && addresses.get(s.id) !== this.addresses.get(s.id),
    );
    this.physical = withInstances(
      this.physical,
      specs.map((s) => s.id),
      specs,
    );
    for (const [id, a] of addresses) this.addresses.set(id, a);
    for (const [id, n] of incarnations) this.incarnations.set(id, n);
    for (const s of gone) this.unhost(s.id);
    if (fresh.length === 0) return [];
    const plan = buildingPlan(this.physical, specs);
    for (const id of fresh)
      this.host(
        id,
        plan,
        specs.find((s) => s.id === id),
      );
    this.scheduleSlice();
    return [...fresh];
  }
  /** The worker address of instance `id`, as last told (a hosted one's: this worker's, as others reach it). */
  addressOf(id: number): string | undefined {
    return this.addresses.get(id);
  }

  /** Ids of the hosted instances. */
  get hosted(): number[] {
    return [...this.hosts.keys()];
  }

  /** Each hosted instance's id, live incarnation and lifecycle state, in hosting order (a Survey's). */
  hostedStates(): { instance: number; incarnation: number; state: LifecycleState }[] {
    return this.order.map((h) => ({
      instance: h.instance.id,
      incarnation: h.incarnation,
      state: h.instance.state,
    }));
  }

  /** Begin polling sources. */
  start(): void {
    const tick = () => {
      for (const h of this.order) {
        if (h.instance.operator.kind !== "source" || h.pollQueued || h.instance.state !== "running") continue;
        h.pollQueued = true;
        this.push(h, { kind: "poll" });
      }
    };
    // The poll interval is in event time, like the rest of the run: faster replays poll more often.
    this.pollTimer = setInterval(tick, this.options.sourcePollMs / this.options.replaySpeed);
    tick();
  }

  /** Stop everything: timers, streams. */
  stop(): void {
    this.stopped = true;
    if (this.pollTimer !== null) clearInterval(this.pollTimer);
    this.clock.cancelAll();
    for (const s of this.streams.values()) s.close();
    for (const c of this.clients.values()) c.close();
  }

  vmOf(instance: number): number {
    const spec = this.plan.instances.find((i) => i.id === instance);
    if (spec === undefined) throw new Error(`no instance ${instance}`);
    return spec.vm;
  }

  // ---- inputs ----

  /**
   * A frame arrived from another worker for a hosted instance. One for an instance not
   * hosted here (sent on stale knowledge of where it runs) is dropped, its credit returned.
   */
  receive(receiver: number, edge: number, sender: number, batch: Batch, from: IncomingStream): void {
    const h = this.hosts.get(receiver);
    if (h === undefined) {
      this.dropped++;
      from.processed();
      from.flush();
      return;
    }
    this.push(h, { kind: "batch", edge, sender, batch, from });
  }

  /**
   * A control message for a hosted instance, sent to its incarnation `incarnation` (0:
   * whichever is live). Returns false when it was for a replaced incarnation and dropped.
   */
  control(instance: number, message: ControlMessage, incarnation = 0): boolean {
    const h = this.hosts.get(instance);
    if (h === undefined) throw new Error(`instance ${instance} is not hosted here`);
    if (incarnation !== 0 && h.incarnation !== 0 && incarnation !== h.incarnation) {
      this.dropped++;
      return false;
    }
    this.push(h, { kind: "control", message });
    return true;
  }

  private push(h: Hosted, task: Task): void {
    h.inbox.push(task);
    if (task.kind === "batch") h.queuedTuples += task.batch.length;
    this.scheduleSlice();
  }

  // ---- transport and meter ----

  sendBatch(sender: number, receiver: number, edge: number, batch: Batch): void {
    const local = this.hosts.get(receiver);
    if (local !== undefined) {
      // Queued, so copied when it may view its sender's builder (copiesBatches): the engine
      // hands out such views only for outputs it does not keep (bufferOutput false).
      const own = this.bufferOutput ? batch : batch.copy();
      this.push(local, { kind: "batch", edge, sender, batch: own, from: null });
      return;
    }
    const address = this.addresses.get(receiver);
    if (address === undefined) throw new Error(`no address for instance ${receiver}`);
    const stream = this.streamTo(edge, address);
    this.current?.streams.add(stream);
    stream.send(encodeFrame(edge, sender, receiver, batch, this.frames));
  }

  private clientFor(address: string): FrameDataPlaneClient {
    let client = this.clients.get(address);
    if (client === undefined) {
      const creds =
        this.options.tls === undefined
          ? ChannelCredentials.createInsecure()
          : channelCredentials(this.options.tls);
      client = new FrameDataPlaneClient(address, creds, DATA_CHANNEL_OPTIONS);
      this.clients.set(address, client);
    }
    return client;
  }

  /** Open the data-plane connection to the worker at `address` now, ahead of its first batch. */
  connect(address: string): void {
    if (this.stopped) return;
    this.clientFor(address).waitForReady(Date.now() + 10_000, () => {});
  }

  /**
   * Addresses of the other workers this one's instances exchange messages with: those
   * hosting instances upstream or downstream of an instance hosted here.
   */
  neighbourAddresses(): string[] {
    const { logical, instances } = this.physical;
    const hostedOperators = new Set([...this.hosts.values()].map((h) => h.instance.operator.id));
    const adjacent = new Set<number>();
    for (const e of logical.edges) {
      if (hostedOperators.has(e.from)) adjacent.add(e.to);
      if (hostedOperators.has(e.to)) adjacent.add(e.from);
    }
    const own = new Set([...this.hosts.keys()].map((id) => this.addresses.get(id)));
    const out = new Set<string>();
    for (const i of instances) {
      const a = this.addresses.get(i.id);
      if (adjacent.has(i.operator) && !this.hosts.has(i.id) && a !== undefined && !own.has(a)) out.add(a);
    }
    return [...out];
  }

  private streamTo(edge: number, address: string): OutgoingStream {
    const key = `${edge}@${address}`;
    let s = this.streams.get(key);
    if (s === undefined) {
      const client = this.clientFor(address);
      s = new OutgoingStream(
        client,
        tokenMetadata(this.options.token),
        () => this.scheduleSlice(),
        (e) => this.events.peerLost(address, e),
        this.frames,
      );
      this.streams.set(key, s);
    }
    return s;
  }

  sendControl(to: Address, message: ControlMessage | ControlReply): void {
    if (to === "coordinator") {
      const reply = message as ControlReply;
      if (this.current !== null) this.replies.push(reply);
      else this.events.reply(reply, 0);
      return;
    }
    // To another instance: here, straight into its inbox; elsewhere, through its worker.
    if (this.hosts.has(to)) {
      this.control(to, message as ControlMessage);
      return;
    }
    const address = this.addresses.get(to);
    if (address === undefined) throw new Error(`no address for instance ${to}`);
    this.events.forward(to, address, this.incarnations.get(to) ?? 0, message as ControlMessage);
  }

  sinkOutput(instance: number, edge: number, sender: number, batch: Batch): void {
    const h = this.current;
    if (h === null || h.instance.id !== instance) return;
    this.events.sinkBatch(instance, h.instance.operator.name, edge, sender, batch, Date.now());
  }

  record(_instance: number, kind: WorkKind, units: number): void {
    if (kind === "tuples") {
      if (this.current?.instance.operator.kind === "source") this.sourceTuples += units;
      else this.processed += units;
    } else if (kind === "emitted") {
      this.emitted += units;
    }
  }

  /** Every hosted incarnation's totals (see InstanceLoadCounters), and the frames sent and not yet processed. */
  loads(): { instances: InstanceLoadCounters[]; pendingFrames: number } {
    const instances = this.order.map((h) => ({
      instance: h.instance.id,
      incarnation: h.incarnation,
      busyMs: h.busyMs,
      processedTuples: h.processedTuples,
      queuedTuples: h.queuedTuples,
      shedTuples: h.instance.shedTuples,
    }));
    let pendingFrames = 0;
    for (const s of this.streams.values()) pendingFrames += s.pendingFrames;
    return { instances, pendingFrames };
  }

  /** Tuples processed, emitted and produced by sources in total, and those waiting in inboxes now. */
  counters(): { processed: number; emitted: number; sourceTuples: number; queued: number } {
    let queued = 0;
    for (const h of this.order) queued += h.queuedTuples;
    return { processed: this.processed, emitted: this.emitted, sourceTuples: this.sourceTuples, queued };
  }

  // ---- scheduling ----

  private scheduleSlice(): void {
    if (this.sliceScheduled || this.stopped) return;
    this.sliceScheduled = true;
    setImmediate(() => this.slice());
  }

  private slice(): void {
    this.sliceScheduled = false;
    const deadline = performance.now() + SLICE_MS;
    try {
      this.runUntil(deadline);
    } finally {
      for (const s of this.owing) s.flush();
      this.owing.clear();
    }
    if (this.order.some((h) => (h.hasWork && !h.blocked) || h.instance.checkpointPending))
      this.scheduleSlice();
  }

  /** Give the hosted instances turns, round robin, until none can run or `deadline` (performance.now()). */
  private runUntil(deadline: number): void {
    let ran = true;
    while (ran && performance.now() < deadline) {
      ran = false;
      for (let n = 0; n < this.order.length; n++) {
        const h = this.order[this.cursor];
        this.cursor = (this.cursor + 1) % this.order.length;
        // A checkpoint being copied steps on each turn, beside the next task: queued behind
        // the inbox, its steps would each wait for the whole backlog, and a large state
        // would never finish its checkpoint while input keeps coming.
        const stepping = h.instance.checkpointPending;
        const runnable = h.hasWork && !h.blocked;
        if (!stepping && !runnable) continue;
        this.run(h, runnable);
        ran = true;
      }
    }
  }

  /**
   * Give `h` a turn: copy steps of its pending checkpoint, then its next task if `task`.
   * The copy gets as much time as the instance's tasks took since its last steps (at least
   * STEP_MIN_MS): half the instance's time while a checkpoint is pending, so a checkpoint
   * of a large state completes in about twice its copy time under load, and no pause is
   * longer than the instance's own longest task.
   */
  private run(h: Hosted, task: boolean): void {
    const inst = h.instance;
    this.current = h;
    const turnStart = performance.now();
    try {
      if (inst.checkpointPending) {
        const start = performance.now();
        const budget = Math.max(STEP_MIN_MS, h.taskMsSinceStep);
        do inst.checkpointStep();
        while (inst.checkpointPending && performance.now() - start < budget);
        h.taskMsSinceStep = 0;
      }
      if (task) {
        const start = performance.now();
        this.runTaskGuarded(h, h.take());
        if (inst.checkpointPending) h.taskMsSinceStep += performance.now() - start;
      }
    } catch (e) {
      // A checkpoint step threw: the checkpoint is lost, the worker goes on.
      this.events.taskFailed(inst.id, h.incarnation, "a checkpoint step", e);
    } finally {
      h.busyMs += performance.now() - turnStart;
      this.current = null;
      const replies = this.replies;
      this.replies = [];
      for (const r of replies) this.events.reply(r, h.incarnation);
    }
  }

  /**
   * Run a task; one that throws is reported and dropped (its frame's credit returned), as a
   * task runs outside any call and its exception would otherwise end the worker.
   */
  private runTaskGuarded(h: Hosted, task: Task): void {
    try {
      this.runTask(h, task);
    } catch (e) {
      if (task.kind === "batch" && task.from !== null) {
        task.from.processed();
        task.from.flush();
      }
      const what =
        task.kind === "batch"
          ? `a batch of ${task.batch.length} tuples on edge ${task.edge} from ${task.sender}`
          : task.kind === "control"
            ? `control "${task.message.type}"`
            : "a source poll";
      this.events.taskFailed(h.instance.id, h.incarnation, what, e);
    }
  }

  private runTask(h: Hosted, task: Task): void {
    const inst = h.instance;
    switch (task.kind) {
      case "batch":
        inst.receive(task.edge, task.sender, task.batch);
        if (task.from !== null) {
          // Credit goes back in bulk: every CREDIT_BATCH_FRAMES frames, or at the slice's end.
          if (task.from.processed()) task.from.flush();
          else this.owing.add(task.from);
        }
        break;
      case "control":
        inst.handle(task.message);
        break;
      case "poll": {
        h.pollQueued = false;
        const before = this.sourceTuples;
        inst.poll(this.options.batchSize, this.clock.nowMs() * this.options.replaySpeed);
        if (this.sourceTuples - before >= this.options.batchSize) {
          h.pollQueued = true;
          h.inbox.push({ kind: "poll" });
        }
        break;
      }
    }
  }
}
