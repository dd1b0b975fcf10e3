// The in-process runtime: every instance in this process, batches handed over through
// one FIFO queue, a manual clock. Deterministic by construction; used by tests, by
// `seep demo` and by the engine's benchmarks. It implements the same boundary as the
// simulator and the real runtime.

import seedrandom from "seedrandom";
import type { Batch } from "./batch.js";
import type { ControlMessage, ControlReply } from "./control.js";
import { Instance } from "./instance.js";
import { ManualClock } from "./manualClock.js";
import type { InstanceSpec, PhysicalPlan } from "./physicalPlan.js";
import type { Address, Placement, RandomSource, Runtime, Transport, WorkMeter } from "./runtime.js";
import { NO_METER } from "./runtime.js";

type Delivery =
  | {
      readonly kind: "batch";
      readonly sender: number;
      readonly receiver: number;
      readonly edge: number;
      readonly batch: Batch;
    }
  | { readonly kind: "control"; readonly to: number; readonly message: ControlMessage };

/** Options of an in-process run. */
export interface InProcessOptions {
  /** Tuples a source produces per poll. */
  readonly batchSize?: number;
  /** Entries a checkpoint copies between two deliveries. */
  readonly copyChunkEntries?: number;
  /** Where instances report their work. */
  readonly meter?: WorkMeter;
  /** Seed of the run's random source (default 0). */
  readonly seed?: number;
}

/** Runs a physical plan inside this process. */
export class InProcessRuntime implements Runtime, Transport, Placement {
  readonly clock = new ManualClock();
  readonly transport: Transport = this;
  readonly placement: Placement = this;
  readonly random: RandomSource;
  readonly meter: WorkMeter;
  readonly instances = new Map<number, Instance>();
  /** Replies sent to the coordinator, in order. */
  readonly replies: ControlReply[] = [];
  /** Called for each reply to the coordinator. */
  onReply: (reply: ControlReply) => void = () => {};
  private queue: Delivery[] = [];
  private head = 0;
  private readonly batchSize: number;
  private readonly copyChunkEntries: number;

  constructor(
    public plan: PhysicalPlan,
    options: InProcessOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1024;
    this.copyChunkEntries = options.copyChunkEntries ?? 4096;
    this.meter = options.meter ?? NO_METER;
    const rng = seedrandom.alea(String(options.seed ?? 0));
    this.random = { next: () => rng() };
    for (const spec of plan.instances) this.instances.set(spec.id, new Instance(plan, spec, this));
  }

  sendBatch(sender: number, receiver: number, edge: number, batch: Batch): void {
    this.queue.push({ kind: "batch", sender, receiver, edge, batch });
  }

  sendControl(to: Address, message: ControlMessage | ControlReply): void {
    if (to === "coordinator") {
      this.replies.push(message as ControlReply);
      this.onReply(message as ControlReply);
    } else {
      this.queue.push({ kind: "control", to, message: message as ControlMessage });
    }
  }

  vmOf(instance: number): number {
    const spec = this.plan.instances.find((i) => i.id === instance);
    if (spec === undefined) throw new Error(`no instance ${instance} in the plan`);
    return spec.vm;
  }

  /** The instance with id `id`. */
  instance(id: number): Instance {
    const i = this.instances.get(id);
    if (i === undefined) throw new Error(`no instance ${id}`);
    return i;
  }

  /** Send `start` to every instance and deliver it. */
  start(): void {
    for (const id of this.instances.keys()) this.sendControl(id, { type: "start" });
    this.drain();
  }

  /** Deliver everything queued (and copy pending checkpoints a chunk per delivery). */
  drain(): number {
    let delivered = 0;
    while (this.head < this.queue.length) {
      const d = this.queue[this.head++];
      const target = this.instances.get(d.kind === "batch" ? d.receiver : d.to);
      delivered++;
      if (target === undefined) continue; // a failed instance: the message is lost
      if (d.kind === "batch") target.receive(d.edge, d.sender, d.batch);
      else target.handle(d.message);
      if (target.checkpointPending) target.checkpointStep(this.copyChunkEntries);
      if (this.head > 4096 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
    }
    return delivered;
  }

  /** Poll every source once (a batch each) and deliver what follows. Returns true while any source has more. */
  step(): boolean {
    let more = false;
    for (const inst of this.instances.values()) {
      if (inst.operator.kind === "source" && inst.poll(this.batchSize)) more = true;
    }
    this.drain();
    for (const inst of this.instances.values()) {
      if (inst.checkpointPending) inst.checkpointStep(this.copyChunkEntries);
    }
    this.drain();
    return more;
  }

  /**
   * Run until every source is exhausted and nothing is in flight (checkpoints still
   * being copied are completed), or for at most `maxSteps` steps. A run that goes quiet
   * with live instances still waiting for input (a channel stuck on a gap that nobody
   * replays, output held by a pause) is a protocol error and throws.
   */
  run(maxSteps = Number.POSITIVE_INFINITY): number {
    let steps = 0;
    while (steps < maxSteps && this.step()) steps++;
    for (;;) {
      this.drain();
      const copying = [...this.instances.values()].filter((i) => i.checkpointPending);
      if (copying.length === 0) break;
      for (const inst of copying) inst.checkpointStep(this.copyChunkEntries);
    }
    if (steps < maxSteps) {
      const stuck = [...this.instances.values()]
        .filter((i) => i.state !== "finished" && i.state !== "stopped")
        .sort((a, b) => a.id - b.id);
      if (stuck.length > 0) {
        const what = stuck.map(
          (i) => `${i.id} ("${i.operator.name}", ${i.state}, ${i.gapDrops} batches dropped on gaps)`,
        );
        throw new Error(`the run went quiet with unfinished instances: ${what.join("; ")}`);
      }
    }
    return steps;
  }

  /** Crash an instance: it and every message to it vanish. */
  fail(id: number): void {
    this.instance(id);
    this.instances.delete(id);
  }

  /** Deploy a fresh instance for `spec` (a replacement, or a new one from scaling). */
  deploy(plan: PhysicalPlan, spec: InstanceSpec): Instance {
    this.plan = plan;
    const inst = new Instance(plan, spec, this);
    this.instances.set(spec.id, inst);
    return inst;
  }
}
