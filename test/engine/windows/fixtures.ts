// Shared by the window tests: a source of (key, t, x) rows and a sink recording what
// reaches it, with timestamps, so outputs can be compared tuple for tuple.

import type { Aggregate, Batch, Operator, OperatorContext, Source } from "../../../engine/index.js";

/** One input row: key, event time and one numeric field. */
export interface Row {
  readonly key: number;
  readonly t: number;
  readonly x: number;
}

/** One output tuple with its per-edge timestamp. */
export interface Out<V> {
  readonly seq: number;
  readonly key: number;
  readonly t: number;
  readonly value: V;
}

/** Emits `rows` in order, with `x` as numeric field 0. */
export class RowSource implements Source {
  private next_ = 0;
  constructor(private readonly rows: readonly Row[]) {}
  next(ctx: OperatorContext, max: number, untilEventTimeMs: number): boolean {
    for (
      let n = 0;
      n < max && this.next_ < this.rows.length && this.rows[this.next_].t <= untilEventTimeMs;
      n++, this.next_++
    ) {
      const r = this.rows[this.next_];
      ctx.emitRow(r.key, r.t, [r.x]);
    }
    return this.next_ < this.rows.length;
  }
  position(): number {
    return this.next_;
  }
  seek(position: number): void {
    this.next_ = position;
  }
}

/** Records every tuple it receives into `out`. */
export class Collect<V> implements Operator {
  constructor(private readonly out: Out<V>[]) {}
  onBatch(batch: Batch): void {
    for (let i = 0; i < batch.length; i++) {
      const value = batch.values![i] as V;
      this.out.push({ seq: batch.seqs[i], key: batch.keys[i], t: batch.eventTimesMs[i], value });
    }
  }
}

/** Collects the values of the tuples it adds (a mutable, JSON-able accumulator that needs clone()). */
export const valuesAggregate: Aggregate<number[], number[]> = {
  create: () => [],
  add: (acc, batch, i) => {
    acc.push(batch.fields[0][i]);
    return acc;
  },
  merge: (a, b) => {
    a.push(...b);
    return a;
  },
  result: (acc) => [...acc],
  clone: (acc) => [...acc],
};
