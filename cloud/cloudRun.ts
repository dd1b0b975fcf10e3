// The coordinator of a real run: it takes workers from a VM pool, deploys the physical
// plan onto them, starts it through the engine's Coordinator, and follows the run until
// every sink has ended: heartbeats every interval (stats: CPU, queues, throughput), a
// watch stream per worker (engine replies and the sinks' outputs), and a fault detector
// that declares a worker dead at once when its watch stream breaks and, failing that,
// after missed heartbeats. Outputs, latency and throughput go into the same Metrics and
// OutputDigest as a simulated run's, so the two can be compared field by field.

import type { ClientReadableStream, Metadata } from "@grpc/grpc-js";
import {
  type ControlMessage,
  type ControlReply,
  Coordinator,
  decodeBatch,
  JSON_STATE_CODEC,
  type LogicalPlan,
  latencyFiguresMs,
  Metrics,
  OutputDigest,
  type OutputRecord,
  type PhysicalPlan,
  physicalPlan,
  roundMs,
  SinkLedger,
  type StateCodec,
} from "../engine/index.js";
import { channelCredentials, type TlsFiles, tokenMetadata } from "./auth.js";
import { fromReplyMessage, toControlRequest } from "./controlWire.js";
import { ControlClient, type Stats, type WorkerEvent } from "./gen/seep/v1/seep.js";
import type { RunSummary, WorkerFailure } from "./runSummary.js";
import type { CloudVm, VmPool } from "./vmPool.js";

/** One tuple a sink received (the same record as a simulated run's). */
export type CloudOutput = OutputRecord;

/** What a real run is made of. */
export interface CloudRunOptions {
  readonly name: string;
  readonly pool: VmPool;
  readonly poolKind: string;
  readonly workers: number;
  readonly token: string;
  readonly tls?: TlsFiles;
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
  readonly metricsIntervalMs?: number;
  /** Every tuple a sink received. */
  readonly onOutput?: (o: CloudOutput) => void;
  /** Progress, every metrics interval. */
  readonly onProgress?: (runMs: number, tuplesIn: number, tuplesOut: number) => void;
  /** A worker was declared dead. */
  readonly onFailure?: (failure: WorkerFailure) => void;
  /** Every reply an instance sent to the coordinator (checkpoints included, decoded). */
  readonly onReply?: (reply: ControlReply) => void;
}

interface WorkerLink {
  readonly index: number;
  readonly vm: CloudVm;
  readonly client: ControlClient;
  watch: ClientReadableStream<WorkerEvent> | null;
  alive: boolean;
  misses: number;
  lastStats: Stats | null;
}

/** Heartbeats in a row a worker may miss (each with a deadline of 4 intervals) before it is declared dead. */
export const MISSED_HEARTBEATS_DEAD = 3;

/** A real run on workers from a pool. */
export class CloudRun {
  private readonly metrics: Metrics;
  private readonly digest = new OutputDigest();
  /** What the sinks have let out (a restored sink reports some of it again). */
  private readonly ledger = new SinkLedger();
  private readonly failures: WorkerFailure[] = [];
  private links: WorkerLink[] = [];
  private plan!: PhysicalPlan;
  private coordinator!: Coordinator;
  private codecs: StateCodec<unknown>[] = [];
  private startEpochMs = 0;
  private stopping = false;
  private finish: (() => void) | null = null;
  private vmsMax = 0;
  private lastTickMs = 0;
  private readonly metadata: Metadata;

  constructor(private readonly o: CloudRunOptions) {
    this.metrics = new Metrics({ intervalMs: o.metricsIntervalMs ?? 1000 });
    this.metadata = tokenMetadata(o.token);
  }

  /** Run to the end of the stream (or `untilMs`); resolves with the summary. */
  async run(): Promise<RunSummary> {
    const o = this.o;
    await o.pool.prewarm(o.workers);
    const vms = await Promise.all(Array.from({ length: o.workers }, () => o.pool.acquire()));
    const creds = channelCredentials(o.tls);
    this.links = vms.map((vm, index) => ({
      index,
      vm,
      client: new ControlClient(vm.address, creds),
      watch: null,
      alive: true,
      misses: 0,
      lastStats: null,
    }));
    this.vmsMax = vms.length;
    this.plan = physicalPlan(o.plan, { vms: o.workers });
    this.codecs = o.plan.operators.map(
      (op) => (op.stateCodec as StateCodec<unknown> | undefined) ?? JSON_STATE_CODEC,
    );
    const done = new Promise<void>((resolve) => {
      this.finish = resolve;
    });
    for (const l of this.links) this.watch(l);
    this.startEpochMs = Date.now() + 300 - (o.startEventTimeMs ?? 0) / (o.replaySpeed ?? 1);
    await Promise.all(this.links.map((l) => this.deploy(l)));
    this.coordinator = new Coordinator(this.plan, { sendControl: (id, msg) => this.sendControl(id, msg) });
    this.coordinator.start();
    const beat = setInterval(() => void this.heartbeat(), o.heartbeatMs ?? 500);
    const speed = o.replaySpeed ?? 1;
    const tick = setInterval(() => this.tick(), (o.metricsIntervalMs ?? 1000) / speed);
    const until = o.untilMs === undefined ? null : setTimeout(() => this.finish?.(), o.untilMs / speed + 300);
    await done;
    clearInterval(beat);
    clearInterval(tick);
    if (until !== null) clearTimeout(until);
    await this.heartbeat(); // the counters since the last beat
    const endMs = this.runMs();
    this.metrics.closeInterval(Math.max(endMs, this.lastTickMs + 1), this.gauges());
    await this.stopAll();
    return this.summary(endMs);
  }

  /** Time since event time 0, in event-time milliseconds (wall time times the replay speed). */
  private runMs(): number {
    return (Date.now() - this.startEpochMs) * (this.o.replaySpeed ?? 1);
  }

  private gauges() {
    const cpuByVm = new Map<number, number>();
    let queueLength = 0;
    for (const l of this.links) {
      if (!l.alive || l.lastStats === null) continue;
      cpuByVm.set(l.index, l.lastStats.cpuUtilisation);
      queueLength += l.lastStats.queuedTuples;
    }
    return { queueLength, vmsInUse: this.links.filter((l) => l.alive).length, cpuByVm };
  }

  private tick(): void {
    const now = this.runMs();
    if (now <= this.lastTickMs) return;
    this.lastTickMs = now;
    this.metrics.closeInterval(now, this.gauges());
    this.o.onProgress?.(now, this.metrics.tuplesInTotal, this.metrics.tuplesOutTotal);
  }

  private deploy(l: WorkerLink): Promise<void> {
    const addresses: Record<number, string> = {};
    for (const i of this.plan.instances) addresses[i.id] = this.links[i.vm].vm.address;
    const request = {
      runId: this.o.name,
      workload: this.o.workload,
      paramsJson: JSON.stringify(this.o.params),
      seed: this.o.seed,
      instances: this.plan.instances.map((i) => ({
        id: i.id,
        operator: i.operator,
        index: i.index,
        firstKeyGroup: i.range.first,
        lastKeyGroup: i.range.last,
        vm: i.vm,
      })),
      addresses,
      hosted: this.plan.instances.filter((i) => i.vm === l.index).map((i) => i.id),
      batchSize: this.o.batchSize,
      sourcePollMs: this.o.sourcePollMs,
      startEpochMs: this.startEpochMs,
      replaySpeed: this.o.replaySpeed ?? 1,
    };
    return new Promise((resolve, reject) =>
      l.client.deploy(request, this.metadata, { deadline: Date.now() + 10_000 }, (err) =>
        err ? reject(new Error(`deploying on ${l.vm.address}: ${err.details || err.message}`)) : resolve(),
      ),
    );
  }

  /** Send a control message to an instance, wherever it runs. */
  sendControl(id: number, message: ControlMessage): void {
    const spec = this.plan.instances.find((i) => i.id === id);
    if (spec === undefined) return;
    const l = this.links[spec.vm];
    if (!l.alive) return;
    const req = toControlRequest(id, message, this.codecs[spec.operator]);
    l.client.send(req, this.metadata, { deadline: Date.now() + 10_000 }, () => {});
  }

  private watch(l: WorkerLink): void {
    const stream = l.client.watch({}, this.metadata);
    l.watch = stream;
    stream.on("data", (e: WorkerEvent) => this.onEvent(e));
    stream.on("error", () => this.lost(l, "stream"));
    stream.on("end", () => this.lost(l, "stream"));
  }

  private onEvent(e: WorkerEvent): void {
    if (e.reply !== undefined) {
      const reply = fromReplyMessage(e.reply, (op) => this.codecs[op] ?? JSON_STATE_CODEC);
      this.coordinator?.handleReply(reply);
      this.o.onReply?.(reply);
      if (this.coordinator?.sinksDone) this.finish?.();
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

  /** Ask every live worker for its stats; two missed beats in a row and it is dead. */
  private heartbeat(): Promise<void> {
    const interval = this.o.heartbeatMs ?? 500;
    const beats = this.links
      .filter((l) => l.alive)
      .map(
        (l) =>
          new Promise<void>((resolve) => {
            l.client.heartbeat({}, this.metadata, { deadline: Date.now() + 4 * interval }, (err, stats) => {
              if (err) {
                // A worker busy for a moment (a long task holds its event loop) is not dead:
                // a dead one breaks its watch stream at once; this catches one that hangs.
                if (++l.misses >= MISSED_HEARTBEATS_DEAD) this.lost(l, "heartbeat");
              } else {
                l.misses = 0;
                l.lastStats = stats;
                this.metrics.addTuplesIn(stats.sourceTuples);
              }
              resolve();
            });
          }),
      );
    return Promise.all(beats).then(() => {});
  }

  /** A worker is declared dead: its instances are lost. */
  private lost(l: WorkerLink, via: "stream" | "heartbeat"): void {
    if (!l.alive || this.stopping) return;
    l.alive = false;
    const instances = this.plan.instances.filter((i) => i.vm === l.index);
    for (const i of instances) this.coordinator?.instanceLost(i.id);
    const operators = this.plan.logical.operators;
    const failure: WorkerFailure = {
      vm: l.index,
      address: l.vm.address,
      failedAtMs: this.runMs(),
      detectedVia: via,
      instances: instances.map((i) => ({ id: i.id, operator: operators[i.operator].name })),
    };
    this.failures.push(failure);
    this.o.onFailure?.(failure);
    if (this.coordinator?.sinksDone || this.links.every((x) => !x.alive)) this.finish?.();
  }

  private async stopAll(): Promise<void> {
    this.stopping = true;
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
    for (const l of this.links) l.client.close();
    await Promise.all(this.links.map((l) => this.o.pool.release(l.vm)));
  }

  private summary(endMs: number): RunSummary {
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
      latencyMs: latencyFiguresMs(this.metrics),
      vmsMax: this.vmsMax,
      vmSeconds: roundMs((this.vmsMax * endMs) / 1000),
      faultTolerance: "none",
      failures: this.failures,
      recoveries: [],
      scaleOuts: [],
    };
  }

  /** The VMs the run's workers are on (in the physical plan's VM order), once deployed. */
  get vms(): readonly CloudVm[] {
    return this.links.map((l) => l.vm);
  }

  /** Rows of the per-interval metrics. */
  metricsCsv(): string {
    return this.metrics.toCsv();
  }
}
