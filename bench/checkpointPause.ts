// Benchmark: checkpoint of a 1M-key keyed state while processing goes on. Reports the
// longest pause the checkpoint causes (its O(1) start, or one copy chunk), the total
// copy time and the time until the copy is complete, against two baselines measured in
// the same run: a stop-the-world copy of the same state (what a checkpoint that pauses
// processing for the whole copy would cost) and the time of one ordinary batch.

import type { Batch } from "../engine/batch.js";
import { BatchBuilder } from "../engine/batch.js";
import { InProcessRuntime } from "../engine/inProcessRuntime.js";
import { DEFAULT_COPY_CHUNK_ENTRIES, type Instance } from "../engine/instance.js";
import type { Operator, OperatorContext } from "../engine/operator.js";
import { instancesOf, physicalPlan } from "../engine/physicalPlan.js";
import { QueryBuilder } from "../engine/queryPlan.js";
import { nowMs } from "../measure/clock.js";
import { keyStream } from "../measure/keyStream.js";
import { median } from "../measure/statistics.js";
import type { BenchResult } from "./benchResult.js";

class Counter implements Operator<number> {
  onBatch(batch: Batch, _port: number, ctx: OperatorContext<number>): void {
    const state = ctx.state;
    for (let i = 0; i < batch.length; i++) {
      const k = batch.keys[i];
      state.set(k, (state.get(k) ?? 0) + 1);
    }
  }
}

/** Feeds hand-built batches to one instance, as sender 0 on edge 0 would. */
class Feeder {
  private seq = 0;
  constructor(
    private readonly target: Instance,
    private readonly rt: InProcessRuntime,
  ) {}
  feed(keys: Float64Array, from: number, n: number): void {
    const b = new BatchBuilder(0, n);
    const prev = this.seq;
    for (let i = 0; i < n; i++) b.push(keys[(from + i) % keys.length], from + i, ++this.seq);
    this.target.receive(0, 0, b.build(from + n, prev));
    this.rt.drain();
  }
}

/** Run the checkpoint-pause benchmark. */
export function benchCheckpointPause(quick: boolean): BenchResult[] {
  const keyCount = quick ? 200_000 : 1_000_000;
  const batch = 1024;
  const q = new QueryBuilder("bench-checkpoint");
  const src = q.source("source", () => ({ next: () => false, position: () => 0, seek() {} }));
  const count = q.operator("count", () => new Counter(), { stateful: true });
  const sink = q.sink("sink", () => ({}));
  q.connect(src, count, "key").connect(count, sink, "forward");
  const plan = physicalPlan(q.build());
  const rt = new InProcessRuntime(plan);
  const counter = rt.instance(instancesOf(plan, count.id)[0].id);
  counter.handle({ type: "start" });
  const feeder = new Feeder(counter, rt);

  // Fill: every key once, then warm up on random keys.
  const dense = Float64Array.from({ length: keyCount }, (_, i) => i);
  for (let i = 0; i < keyCount; i += batch) feeder.feed(dense, i, Math.min(batch, keyCount - i));
  const random = keyStream(4_000_000, keyCount, 99);
  let at = 0;
  const timedBatch = () => {
    const t0 = nowMs();
    feeder.feed(random, at, batch);
    at += batch;
    return nowMs() - t0;
  };
  for (let i = 0; i < 300; i++) timedBatch();
  const normal = Array.from({ length: 500 }, timedBatch);

  // Baseline: a copy that stops processing until it is done.
  const stopTheWorld: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = nowMs();
    counter.keyedState.snapshot();
    stopTheWorld.push(nowMs() - t0);
  }

  // The engine's checkpoint: O(1) start, then one chunk per batch while batches go on.
  const runs = quick ? 2 : 3;
  const begins: number[] = [];
  const chunkMax: number[] = [];
  const stepMax: number[] = [];
  const copyTotal: number[] = [];
  const untilDone: number[] = [];
  const batchesDuring: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = nowMs();
    counter.beginCheckpoint(r + 1);
    begins.push(nowMs() - t0);
    let maxChunk = 0;
    let maxStep = 0;
    let copy = 0;
    let n = 0;
    for (;;) {
      const s0 = nowMs();
      feeder.feed(random, at, batch);
      at += batch;
      const c0 = nowMs();
      const done = counter.checkpointStep(DEFAULT_COPY_CHUNK_ENTRIES);
      const c1 = nowMs();
      maxChunk = Math.max(maxChunk, c1 - c0);
      maxStep = Math.max(maxStep, c1 - s0);
      copy += c1 - c0;
      n++;
      if (done !== null) {
        if (done.processing.size !== keyCount)
          throw new Error(`checkpoint holds ${done.processing.size} keys`);
        break;
      }
    }
    untilDone.push(nowMs() - t0);
    chunkMax.push(maxChunk);
    stepMax.push(maxStep);
    copyTotal.push(copy);
    batchesDuring.push(n);
  }
  const keysLabel = `${keyCount / 1e6}M-key state`;
  const stw = { name: "stop-the-world copy of the same state", value: median(stopTheWorld), unit: "ms" };
  const oneBatch = {
    name: `one batch of ${batch} tuples, no checkpoint (median)`,
    value: median(normal),
    unit: "ms",
  };
  return [
    {
      name: `checkpoint of a ${keysLabel}: longest pause (max of start, one copy chunk)`,
      value: Math.max(median(begins), median(chunkMax)),
      unit: "ms",
      baseline: stw,
      target: "< 50 ms",
    },
    {
      name: `checkpoint of a ${keysLabel}: start (positions, routing, buffers)`,
      value: median(begins),
      unit: "ms",
      baseline: stw,
    },
    {
      name: `checkpoint of a ${keysLabel}: longest batch + chunk during the copy`,
      value: median(stepMax),
      unit: "ms",
      baseline: { ...oneBatch, value: Math.max(...normal), name: `longest batch of ${batch}, no checkpoint` },
    },
    {
      name: `checkpoint of a ${keysLabel}: total copy time (sum of chunks)`,
      value: median(copyTotal),
      unit: "ms",
      baseline: stw,
    },
    {
      name: `checkpoint of a ${keysLabel}: time until complete, processing on (${median(batchesDuring)} batches)`,
      value: median(untilDone),
      unit: "ms",
      baseline: stw,
    },
  ];
}
