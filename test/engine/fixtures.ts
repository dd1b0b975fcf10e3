// Small plans shared by the engine tests: a source replaying a fixed list of tuples, a
// keyed counter and a sink that records what reaches it.

import type { Batch } from "../../engine/batch.js";
import type { Checkpoint } from "../../engine/checkpoint.js";
import type { Operator, OperatorContext, Source } from "../../engine/operator.js";
import { type LogicalPlan, QueryBuilder } from "../../engine/queryPlan.js";
import type { RoutingContract } from "../../engine/router.js";
import type { StateCodec } from "../../engine/stateCodec.js";
import type { StateSnapshot } from "../../engine/stateSnapshot.js";

/** One input tuple of a fixture. */
export interface KeyedEvent {
  readonly key: number;
  readonly t: number;
}

/** Replays `events` (instance i of p takes every p-th one, from i), `perCall` at most per poll. */
export class ArraySource implements Source {
  private next_: number;
  constructor(
    private readonly events: readonly KeyedEvent[],
    index = 0,
    private readonly parallelism = 1,
  ) {
    this.next_ = index;
  }
  next(ctx: OperatorContext, max: number, untilEventTimeMs: number): boolean {
    let n = 0;
    while (this.next_ < this.events.length && n < max && this.events[this.next_].t <= untilEventTimeMs) {
      const e = this.events[this.next_];
      ctx.emit(e.key, e.t, this.next_);
      this.next_ += this.parallelism;
      n++;
    }
    return this.next_ < this.events.length;
  }
  position(): number {
    return this.next_;
  }
  seek(position: number): void {
    this.next_ = position;
  }
}

/** Counts tuples per key and emits (key, t, running count). */
export class KeyedCounter implements Operator<number> {
  onBatch(batch: Batch, _port: number, ctx: OperatorContext<number>): void {
    const state = ctx.state;
    for (let i = 0; i < batch.length; i++) {
      const key = batch.keys[i];
      const c = (state.get(key) ?? 0) + 1;
      state.set(key, c);
      ctx.emit(key, batch.eventTimesMs[i], c);
    }
  }
}

/** One record reaching a sink. */
export interface SinkRecord {
  readonly instance: number;
  readonly key: number;
  readonly t: number;
  readonly value: unknown;
}

/** Appends every tuple it receives to `out`. */
export class CollectSink implements Operator {
  constructor(
    private readonly out: SinkRecord[],
    private readonly instance: number,
  ) {}
  onBatch(batch: Batch): void {
    for (let i = 0; i < batch.length; i++) {
      this.out.push({
        instance: this.instance,
        key: batch.keys[i],
        t: batch.eventTimesMs[i],
        value: batch.values?.[i],
      });
    }
  }
}

/** source -> count (key exchange) -> sink, with the given parallelisms. */
export function keyedCountPlan(
  events: readonly KeyedEvent[],
  out: SinkRecord[],
  p: { source?: number; count?: number; sink?: number; maxKeyGroups?: number; toSink?: RoutingContract } = {},
): LogicalPlan {
  const q = new QueryBuilder("keyed-count");
  const src = q.source("source", (i) => new ArraySource(events, i.index, i.parallelism), {
    parallelism: p.source ?? 1,
  });
  const count = q.operator("count", () => new KeyedCounter(), {
    stateful: true,
    parallelism: p.count ?? 1,
    maxKeyGroups: p.maxKeyGroups ?? 32,
  });
  const sink = q.sink("sink", (i) => new CollectSink(out, i.index), { parallelism: p.sink ?? 1 });
  q.connect(src, count, "key").connect(count, sink, p.toSink ?? "key");
  return q.build();
}

/** The final count of every key, from sink records carrying running counts. */
export function finalCounts(records: readonly SinkRecord[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const r of records) m.set(r.key, Math.max(m.get(r.key) ?? 0, r.value as number));
  return m;
}

/** Per key, the sequence of values that reached the sink, in arrival order. */
export function perKey(records: readonly SinkRecord[]): Map<number, unknown[]> {
  const m = new Map<number, unknown[]>();
  for (const r of records) {
    const list = m.get(r.key) ?? [];
    list.push(r.value);
    m.set(r.key, list);
  }
  return new Map([...m].sort((a, b) => a[0] - b[0]));
}

/** Deterministic pseudo-random events for tests (a linear congruential sequence). */
export function makeEvents(n: number, keys: number, seed = 1): KeyedEvent[] {
  let x = seed >>> 0;
  const events: KeyedEvent[] = [];
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    events.push({ key: x % keys, t: i });
  }
  return events;
}

/** A checkpoint of `processing` alone (checkpoint 4 of instance 2, operator 1), as the codec tests take state. */
export function checkpointOfState(processing: StateSnapshot): Checkpoint {
  return {
    id: 4,
    instance: 2,
    operator: 1,
    range: processing.range,
    inputs: [],
    processing,
    outputs: [],
    buffers: [],
    sourcePosition: 0,
    watermarkMs: 0,
    ended: false,
  };
}

/** The state codec of extras `{ n }`, as `[n]`. */
export const EXTRA_CODEC: StateCodec<unknown> = {
  encode: (v: unknown) => [(v as { n: number }).n],
  decode: (j: unknown) => ({ n: (j as number[])[0] }),
};
