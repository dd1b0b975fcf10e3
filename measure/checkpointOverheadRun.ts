// One timed run of the checkpoint-overhead measurement (measure/checkpointOverhead.ts): a
// keyed counter instance driven directly through the Instance API, fed batches of random
// keys, with a checkpoint begun every interval and copied a chunk after each batch as a
// real runtime drives it; and the figures of baseline segments merged into one.

import { Batch } from "../engine/batch.js";
import type { Checkpoint } from "../engine/checkpoint.js";
import { encodeCheckpoint } from "../engine/checkpointCodec.js";
import { Instance } from "../engine/instance.js";
import { ManualClock } from "../engine/manualClock.js";
import { LatencyHistogram } from "../engine/metrics/latencyHistogram.js";
import type { Operator, OperatorContext } from "../engine/operator.js";
import { instancesOf, physicalPlan } from "../engine/physicalPlan.js";
import { QueryBuilder } from "../engine/queryPlan.js";
import { type InstanceHost, NO_METER } from "../engine/runtime.js";
import type { OverheadOptions, RunFigures } from "./checkpointOverheadFigures.js";
import { cpuMs, nowMs } from "./clock.js";
import { keyStream } from "./keyStream.js";

/** A keyed count: the state holds, per key, the tuples seen. */
class Counter implements Operator<number> {
  onBatch(batch: Batch, _port: number, ctx: OperatorContext<number>): void {
    const state = ctx.state;
    const keys = batch.keys;
    for (let i = 0; i < batch.length; i++) {
      const k = keys[i];
      state.set(k, (state.get(k) ?? 0) + 1);
    }
  }
}

/** The counter instance, driven directly through the Instance API, and what feeds it. */
export class Harness {
  readonly counter: Instance<number>;
  private readonly edge: number;
  private readonly sender: number;
  private seq = 0;
  private at = 0;
  private readonly stream: Float64Array;
  private nextCheckpointId = 1;
  /** The last completed checkpoint, kept as a backup holder keeps it. */
  last: Checkpoint<number> | null = null;
  tuplesFed = 0;

  constructor(readonly options: OverheadOptions) {
    const q = new QueryBuilder("bench-checkpoint-overhead");
    const src = q.source("source", () => ({ next: () => false, position: () => 0, seek() {} }));
    const count = q.operator("count", () => new Counter(), { stateful: true });
    const sink = q.sink("sink", () => ({}));
    q.connect(src, count, "key").connect(count, sink, "forward");
    const plan = physicalPlan(q.build());
    const host: InstanceHost = {
      clock: new ManualClock(),
      // The counter emits only watermarks and `checkpointed` replies: nobody needs them here.
      transport: { sendBatch() {}, sendControl() {} },
      meter: NO_METER,
    };
    this.counter = new Instance<number>(plan, instancesOf(plan, count.id)[0], host);
    this.counter.handle({ type: "start" });
    this.edge = plan.logical.edges.find((e) => e.to === count.id)!.id;
    this.sender = instancesOf(plan, src.id)[0].id;
    // 4096 batches of random keys, cycled; every key once first, so the state holds them all.
    const { keyCount, batchSize } = options;
    this.stream = keyStream(4096 * batchSize, keyCount, 99);
    const dense = Float64Array.from({ length: keyCount }, (_, i) => i);
    for (let i = 0; i < keyCount; i += batchSize) this.send(dense.subarray(i, i + batchSize));
  }

  private send(keys: Float64Array): void {
    const n = keys.length;
    const prev = this.seq;
    const seqs = new Float64Array(n);
    for (let i = 0; i < n; i++) seqs[i] = prev + 1 + i;
    this.seq = prev + n;
    this.tuplesFed += n;
    this.counter.receive(this.edge, this.sender, new Batch(n, keys, seqs, seqs, [], null, this.seq, prev));
  }

  /** Feed the next batch of random keys. */
  feed(): void {
    const n = this.options.batchSize;
    if (this.at + n > this.stream.length) this.at = 0;
    this.send(this.stream.subarray(this.at, this.at + n));
    this.at += n;
  }

  /** Start a checkpoint (none may be pending). */
  begin(): void {
    this.counter.beginCheckpoint(this.nextCheckpointId++);
  }

  /** A complete checkpoint of the current state, taken at once (for the serialization figure). */
  checkpointNow(): Checkpoint<number> {
    if (this.counter.checkpointPending) this.last = this.counter.checkpointStep(Number.MAX_SAFE_INTEGER);
    return this.counter.checkpoint(this.nextCheckpointId++);
  }
}

/** `total` over `n`, NaN when `n` is 0. */
function mean(total: number, n: number): number {
  return n === 0 ? Number.NaN : total / n;
}

/**
 * One timed run: checkpoints every `intervalMs` (null: none) for `durationMs`.
 * Over 80 lines: one measured loop, whose clock readings and sums stay local so that the
 * loop being timed makes no calls but the engine's and the clock's.
 */
export function timedRun(
  h: Harness,
  intervalMs: number | null,
  durationMs: number,
  encode: boolean,
): { figures: RunFigures; histogram: LatencyHistogram } {
  const now = h.options.clock === "cpu" ? cpuMs : nowMs;
  const hist = new LatencyHistogram();
  const chunk = h.options.copyChunkEntries;
  const counter = h.counter;
  let checkpoints = 0;
  let begunAt = 0;
  let durationSum = 0;
  let workSum = 0;
  let encodeSum = 0;
  let copyBatchMs = 0;
  let copyBatches = 0;
  let plainBatchMs = 0;
  let plainBatches = 0;
  let batches = 0;
  const wall0 = nowMs();
  const cpu0 = cpuMs();
  const t0 = now();
  const end = t0 + durationMs;
  let nextAt = intervalMs === null ? Number.POSITIVE_INFINITY : t0;
  let prevDone = t0; // when the previous batch's processing was done
  let t = t0;
  /** A checkpoint completed at `at`: keep it, and encode it when asked. Returns the time after. */
  const completed = (cp: Checkpoint<number>, at: number): number => {
    durationSum += at - begunAt;
    h.last = cp;
    if (!encode) return at;
    encodeCheckpoint(cp);
    const e1 = now();
    encodeSum += e1 - at;
    return e1;
  };
  while (t < end || counter.checkpointPending) {
    let tb = t;
    if (t >= nextAt && t < end) {
      if (counter.checkpointPending) {
        // The interval is shorter than a copy: finish the pending one now (the engine would).
        const cp = counter.checkpointStep(Number.MAX_SAFE_INTEGER)!;
        const t1 = now();
        workSum += t1 - t;
        t = completed(cp, t1);
      }
      h.begin();
      tb = now();
      workSum += tb - t;
      begunAt = t;
      checkpoints++;
      while (nextAt <= t) nextAt += intervalMs!;
    }
    const copying = counter.checkpointPending;
    h.feed();
    const done = now();
    batches++;
    if (copying) {
      copyBatchMs += done - tb;
      copyBatches++;
    } else {
      plainBatchMs += done - tb;
      plainBatches++;
    }
    hist.add(done - prevDone);
    prevDone = done;
    t = done;
    if (counter.checkpointPending) {
      const cp = counter.checkpointStep(chunk);
      t = now();
      workSum += t - done;
      if (cp !== null) t = completed(cp, t);
    }
  }
  const elapsed = t - t0; // the last copy step and encoding included
  const wallMs = nowMs() - wall0;
  const tuples = batches * h.options.batchSize;
  const copyOnWrite =
    copyBatches > 0 && plainBatches > 0
      ? copyBatches * (copyBatchMs / copyBatches - plainBatchMs / plainBatches)
      : 0;
  return {
    histogram: hist,
    figures: {
      intervalMs,
      encode,
      durationMs: elapsed,
      wallMs,
      cpuShare: (cpuMs() - cpu0) / wallMs,
      tuples,
      batches,
      tuplesPerS: (tuples / elapsed) * 1000,
      wallTuplesPerS: (tuples / wallMs) * 1000,
      latencyMs: { p50: hist.quantile(0.5), p99: hist.quantile(0.99), max: hist.max },
      checkpoints,
      checkpointMsMean: mean(durationSum, checkpoints),
      checkpointWorkMsMean: mean(workSum, checkpoints),
      copyOnWriteMsMean: mean(copyOnWrite, checkpoints),
      encodeMsMean: encode ? mean(encodeSum, checkpoints) : Number.NaN,
    },
  };
}

/** Baseline segments together: tuples over time, latency over all their batches. */
export function mergeSegments(
  runs: readonly { figures: RunFigures; histogram: LatencyHistogram }[],
): RunFigures {
  const hist = new LatencyHistogram();
  for (const r of runs) hist.merge(r.histogram);
  const sum = (f: (x: RunFigures) => number) => runs.reduce((s, r) => s + f(r.figures), 0);
  const durationMs = sum((x) => x.durationMs);
  const wallMs = sum((x) => x.wallMs);
  const tuples = sum((x) => x.tuples);
  return {
    ...runs[0].figures,
    durationMs,
    wallMs,
    cpuShare: sum((x) => x.cpuShare * x.wallMs) / wallMs,
    tuples,
    batches: sum((x) => x.batches),
    tuplesPerS: (tuples / durationMs) * 1000,
    wallTuplesPerS: (tuples / wallMs) * 1000,
    latencyMs: { p50: hist.quantile(0.5), p99: hist.quantile(0.99), max: hist.max },
  };
}
