// Benchmark: keyed count through the in-process runtime, with batches. A source emits
// pre-generated integer keys, a key exchange routes them to a stateful counter, which
// updates its keyed state per tuple. Output buffers are trimmed by acks every step, as
// checkpoints would. Baseline: a bare Map<number, number> update loop over the same keys.
// Then the per-tuple cost of the two layouts of keyed state side by side: the same count
// with its state as records (engine/recordState.ts) against values in Maps, and a tumbling
// window count (engine/windows) with its state as records against values.

import type { Batch } from "../engine/batch.js";
import { InProcessRuntime } from "../engine/inProcessRuntime.js";
import type { InstanceInfo, Operator, OperatorContext, OperatorOptions, Source } from "../engine/operator.js";
import { instancesOf, physicalPlan } from "../engine/physicalPlan.js";
import { QueryBuilder } from "../engine/queryPlan.js";
import { countAggregate } from "../engine/windows/aggregate.js";
import { timeWindow } from "../engine/windows/timeWindow.js";
import { nowMs } from "../measure/clock.js";
import { keyStream } from "../measure/keyStream.js";
import { median, medianOf } from "../measure/statistics.js";
import type { BenchResult } from "./benchResult.js";

class KeySource implements Source {
  private i = 0;
  constructor(private readonly keys: Float64Array) {}
  next(ctx: OperatorContext, max: number, untilEventTimeMs: number): boolean {
    const keys = this.keys;
    const due = Math.floor(untilEventTimeMs) + 1; // tuple i has event time i
    const end = Math.min(keys.length, this.i + max, Math.max(this.i, due));
    for (let i = this.i; i < end; i++) ctx.emit(keys[i], i);
    this.i = end;
    return end < keys.length;
  }
  position(): number {
    return this.i;
  }
  seek(p: number): void {
    this.i = p;
  }
}

class Counter implements Operator<number> {
  onBatch(batch: Batch, _port: number, ctx: OperatorContext<number>): void {
    const state = ctx.state;
    const keys = batch.keys;
    for (let i = 0; i < batch.length; i++) {
      const k = keys[i];
      state.set(k, (state.get(k) ?? 0) + 1);
    }
  }
  onEnd(ctx: OperatorContext<number>): void {
    ctx.emit(-1, 0, ctx.state.size);
  }
}

/** The keyed count with its state as records of one number (ctx.records). */
class RecordCounter implements Operator {
  onBatch(batch: Batch, _port: number, ctx: OperatorContext): void {
    const records = ctx.records;
    const keys = batch.keys;
    for (let i = 0; i < batch.length; i++) {
      const k = keys[i];
      let h = records.find(k);
      if (h < 0) h = records.insert(k);
      records.set(h, 0, records.get(h, 0) + 1);
    }
  }
  onEnd(ctx: OperatorContext): void {
    ctx.emit(-1, 0, ctx.records.size);
  }
}

/** The counter of a run: values in Maps, records, or a tumbling window (as records or values) of 1000 tuples. */
type CountKind = "values" | "records" | "window records" | "window values";

/** The count operator of `kind` and its options. */
function countOf(kind: CountKind) {
  if (kind === "values") return { create: () => new Counter(), options: { stateful: true } };
  if (kind === "records")
    return { create: () => new RecordCounter(), options: { stateful: true, recordWidth: 1 } };
  const w = timeWindow({
    sizeMs: 1000,
    slideMs: 1000,
    aggregate: countAggregate,
    layout: kind === "window records" ? "records" : "values",
  });
  return { create: w.create, options: w.options };
}

/** Tuples per second of the keyed count; checks the count adds up (not for windows, which emit per window). */
function engineRun(keys: Float64Array, batchSize: number, kind: CountKind = "values"): number {
  const q = new QueryBuilder("bench-keyed-count");
  const src = q.source("source", () => new KeySource(keys));
  const op = countOf(kind);
  const count = q.operator(
    "count",
    op.create as (info: InstanceInfo) => Operator,
    op.options as OperatorOptions,
  );
  const sink = q.sink("sink", () => ({ onBatch() {} }));
  q.connect(src, count, "key").connect(count, sink, "forward");
  const plan = physicalPlan(q.build());
  const rt = new InProcessRuntime(plan, { batchSize });
  const source = rt.instance(instancesOf(plan, src.id)[0].id);
  const counter = rt.instance(instancesOf(plan, count.id)[0].id);
  rt.start();
  const t0 = nowMs();
  while (rt.step()) {
    source.handle({ type: "ack", edge: 0, receiver: counter.id, seq: counter.processedSeq(0, source.id) });
  }
  rt.run();
  const ms = nowMs() - t0;
  let total = 0;
  if (kind === "values") for (const [, c] of counter.keyedState.entries()) total += c as number;
  else if (kind === "records") {
    const records = counter.recordState!;
    records.forEach((_k, h) => {
      total += records.get(h, 0);
    });
  } else total = keys.length; // the windows have fired: the state is empty
  if (total !== keys.length) throw new Error(`keyed count lost tuples: ${total} of ${keys.length}`);
  return (keys.length / ms) * 1000;
}

/** Tuples per second of a bare Map update loop over the same keys. */
function baselineRun(keys: Float64Array): number {
  const t0 = nowMs();
  const m = new Map<number, number>();
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  const ms = nowMs() - t0;
  if (m.size === 0) throw new Error("empty");
  return (keys.length / ms) * 1000;
}

/** Run the keyed-count benchmark. */
export function benchKeyedCount(quick: boolean): BenchResult[] {
  const n = quick ? 1_000_000 : 5_000_000;
  const keys = keyStream(n, 100_000);
  const runs = quick ? 3 : 5;
  engineRun(keys.subarray(0, 200_000), 1024); // warm up the JIT
  baselineRun(keys.subarray(0, 200_000));
  const baseline = medianOf(runs, () => baselineRun(keys));
  const results: BenchResult[] = [];
  for (const batchSize of [256, 1024, 4096]) {
    results.push({
      name: `keyed count, in-process, batches of ${batchSize}, 1e5 keys`,
      value: medianOf(runs, () => engineRun(keys, batchSize)),
      unit: "tuples/s",
      baseline: { name: "bare Map<number, number> update loop", value: baseline, unit: "tuples/s" },
      target: batchSize === 1024 ? ">= 3M tuples/s" : undefined,
    });
  }
  // The layouts side by side, runs taken in turn so that both see the same machine.
  for (const [kind, reference] of [
    ["records", "values"],
    ["window records", "window values"],
  ] as const) {
    engineRun(keys.subarray(0, 200_000), 1024, kind);
    engineRun(keys.subarray(0, 200_000), 1024, reference);
    const a: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < runs; r++) {
      a.push(engineRun(keys, 1024, kind));
      b.push(engineRun(keys, 1024, reference));
    }
    const what = kind === "records" ? "keyed count" : "tumbling window count (1 s windows)";
    results.push({
      name: `${what}, state as records, in-process, batches of 1024, 1e5 keys`,
      value: median(a),
      unit: "tuples/s",
      baseline: { name: `the same with the state as values in Maps`, value: median(b), unit: "tuples/s" },
      target: "no slower than the values",
    });
  }
  return results;
}
