// Event-time sliding windows over a numeric aggregate, with each key's window state kept as
// a record of numbers (recordState.ts) instead of an object: the same windows, firing and
// lateness as TimeWindowOperator (timeWindow.ts), which stays the reference for any
// aggregate, but a checkpoint, a restore or a partition of a million keys moves typed
// arrays instead of a million objects.
//
// A key's record: [firedThroughMs, nextFireMs, n, pane index 0..C-1, accumulator 0..C-1],
// with n inline panes sorted by index and C = panes a window spans + 1 (one pane of slack
// for a tuple of the next window). A key that needs more panes at once (tuples far ahead
// of the watermark) is spilled: n = -1, and its panes live in the record's extra as a
// Panes object, for as long as the key holds state. Late tuples, firing order and the
// results are those of TimeWindowOperator (a test runs both on the same streams).

import type { Batch } from "../batch.js";
import type { Operator, OperatorContext } from "../operator.js";
import type { RecordState } from "../recordState.js";
import { decodeFloat, encodeFloat, type StateCodec } from "../stateCodec.js";
import { type Aggregate, mergeAll } from "./aggregate.js";
import { Panes } from "./panes.js";
import type { WindowResult } from "./windowResult.js";
import { WindowTimers } from "./windowTimers.js";

const FIRED = 0;
const NEXT = 1;
const COUNT = 2;
const PANES = 3;

/** Most panes a window may span for its state to be kept as records (wider windows keep objects). */
export const RECORD_PANES_MAX = 7;

/** Numbers per key of the records of a window spanning `panesPerWindow` panes. */
export function timeWindowRecordWidth(panesPerWindow: number): number {
  return PANES + 2 * (panesPerWindow + 1);
}

/** True when `aggregate`'s accumulators are plain numbers, which a record can hold. */
export function numericAggregate(aggregate: Aggregate<unknown, unknown>): boolean {
  return (
    typeof aggregate.create() === "number" &&
    aggregate.encodeAcc === undefined &&
    aggregate.clone === undefined
  );
}

/** The operator of one time-window instance whose state is records (S: the values a reference operator would keep, for typing alone). */
export class TimeWindowRecordsOperator<R, S = unknown> implements Operator<S> {
  /** Tuples dropped because every window containing them had already fired. */
  lateTuples = 0;
  private timers = new WindowTimers();
  private readonly panesPerWindow: number;
  /** Inline panes a record holds. */
  private readonly capacity: number;
  private readonly accs: number[] = [];
  /** Scratch of onBatch: each tuple's row handle. */
  private handles = new Float64Array(0);

  constructor(
    readonly sizeMs: number,
    readonly slideMs: number,
    readonly aggregate: Aggregate<number, R>,
  ) {
    this.panesPerWindow = sizeMs / slideMs;
    this.capacity = this.panesPerWindow + 1;
  }

  /** Rebuild the timers from the records (fresh, or just restored). */
  open(ctx: OperatorContext<S>): void {
    const timers = new WindowTimers();
    const records = ctx.records;
    records.forEach((key, h) => {
      timers.add(records.get(h, NEXT), key);
    });
    this.timers = timers;
  }

  onBatch(batch: Batch, _port: number, ctx: OperatorContext<S>): void {
    const { slideMs, sizeMs } = this;
    const records = ctx.records;
    // Every tuple's record looked up first, in one pass (their cache misses overlap); a key
    // not held then is looked up again, as an earlier tuple of the batch may insert it.
    if (this.handles.length < batch.length) this.handles = new Float64Array(batch.length);
    const handles = this.handles;
    records.findAll(batch.keys, batch.length, handles);
    for (let i = 0; i < batch.length; i++) {
      const key = batch.keys[i];
      const t = batch.eventTimesMs[i];
      if (!Number.isFinite(t)) throw new RangeError(`tuple with key ${key} has event time ${t}`);
      const pane = Math.floor(t / slideMs);
      let h = handles[i];
      if (h < 0) h = records.find(key);
      const firedMs = Math.max(ctx.eventTimeMs, h < 0 ? Number.NEGATIVE_INFINITY : records.get(h, FIRED));
      if (pane * slideMs + sizeMs <= firedMs) {
        this.lateTuples++;
        continue;
      }
      if (h < 0) {
        h = records.insert(key);
        records.set(h, FIRED, Number.NEGATIVE_INFINITY);
        records.set(h, NEXT, Number.POSITIVE_INFINITY);
      }
      this.addToPane(records, h, key, pane, batch, i);
      const firstEndMs = Math.max((pane + 1) * slideMs, (Math.floor(firedMs / slideMs) + 1) * slideMs);
      if (firstEndMs < records.get(h, NEXT)) {
        records.set(h, NEXT, firstEndMs);
        this.timers.add(firstEndMs, key);
      }
    }
  }

  /** Add row `i` of `batch` to pane `pane` of the key at `h`, opening the pane (or spilling) when needed. */
  private addToPane(
    records: RecordState,
    h: number,
    key: number,
    pane: number,
    batch: Batch,
    i: number,
  ): void {
    const { aggregate, capacity } = this;
    const n = records.get(h, COUNT);
    if (n < 0) {
      (records.mutableExtra(key) as Panes<number>).add(pane, aggregate, batch, i);
      return;
    }
    const acc0 = PANES + capacity;
    let j = n;
    while (j > 0 && records.get(h, PANES + j - 1) > pane) j--;
    if (j > 0 && records.get(h, PANES + j - 1) === pane) {
      records.set(h, acc0 + j - 1, aggregate.add(records.get(h, acc0 + j - 1), batch, i));
      return;
    }
    if (n === capacity) {
      const panes = new Panes<number>(
        this.inline(records, h, 0, n, PANES),
        this.inline(records, h, 0, n, acc0),
      );
      panes.add(pane, aggregate, batch, i);
      records.setExtra(key, panes);
      records.set(h, COUNT, -1);
      return;
    }
    for (let k = n; k > j; k--) {
      records.set(h, PANES + k, records.get(h, PANES + k - 1));
      records.set(h, acc0 + k, records.get(h, acc0 + k - 1));
    }
    records.set(h, PANES + j, pane);
    records.set(h, acc0 + j, aggregate.add(aggregate.create(), batch, i));
    records.set(h, COUNT, n + 1);
  }

  /** Fields [from, to) of the column starting at `base` of the key at `h`, as an array. */
  private inline(records: RecordState, h: number, from: number, to: number, base: number): number[] {
    const out: number[] = [];
    for (let k = from; k < to; k++) out.push(records.get(h, base + k));
    return out;
  }

  /** The start of the oldest window some key still has data for (Infinity when none). */
  stateHorizonMs(_ctx: OperatorContext<S>): number {
    return this.timers.nextMs() - this.sizeMs;
  }

  onWatermark(ctx: OperatorContext<S>): void {
    this.fireThrough(ctx.eventTimeMs, ctx);
  }

  onEnd(ctx: OperatorContext<S>): void {
    this.fireThrough(Number.POSITIVE_INFINITY, ctx);
  }

  /** Fire every window ending at or before `untilMs`: by window end, then by key. */
  private fireThrough(untilMs: number, ctx: OperatorContext<S>): void {
    while (this.timers.size > 0 && this.timers.nextMs() <= untilMs) {
      const endMs = this.timers.nextMs();
      for (const key of this.timers.takeNext()) this.fire(key, endMs, ctx);
    }
  }

  private fire(key: number, endMs: number, ctx: OperatorContext<S>): void {
    const records = ctx.records;
    const h = records.find(key);
    if (h < 0 || records.get(h, NEXT) !== endMs) return; // superseded by an earlier registration
    const { slideMs, capacity, aggregate } = this;
    const lastPane = endMs / slideMs - 1;
    const firstPane = lastPane - this.panesPerWindow + 1;
    const n = records.get(h, COUNT);
    const spilled = n < 0 ? (records.mutableExtra(key) as Panes<number>) : null;
    const accs = spilled !== null ? spilled.between(firstPane, lastPane) : this.accs;
    if (spilled === null) {
      accs.length = 0;
      for (let j = 0; j < n; j++) {
        const p = records.get(h, PANES + j);
        if (p > lastPane) break;
        if (p >= firstPane) accs.push(records.get(h, PANES + capacity + j));
      }
    }
    if (accs.length > 0) {
      const result = aggregate.result(mergeAll(aggregate, accs));
      const value: WindowResult<R> = { windowStartMs: endMs - this.sizeMs, windowEndMs: endMs, result };
      ctx.emit(key, endMs - 1, value);
    }
    records.set(h, FIRED, endMs);
    let firstHeld: number;
    if (spilled !== null) {
      spilled.dropThrough(firstPane);
      if (spilled.size === 0) {
        records.remove(key);
        return;
      }
      firstHeld = spilled.first;
    } else {
      let drop = 0;
      while (drop < n && records.get(h, PANES + drop) <= firstPane) drop++;
      if (drop === n) {
        records.remove(key);
        return;
      }
      if (drop > 0) {
        for (let k = drop; k < n; k++) {
          records.set(h, PANES + k - drop, records.get(h, PANES + k));
          records.set(h, PANES + capacity + k - drop, records.get(h, PANES + capacity + k));
        }
        records.set(h, COUNT, n - drop);
      }
      firstHeld = records.get(h, PANES);
    }
    const nextMs = Math.max(endMs + slideMs, (firstHeld + 1) * slideMs);
    records.set(h, NEXT, nextMs);
    this.timers.add(nextMs, key);
  }
}

/** The clone of a spilled key's panes (accumulators are numbers). */
export function clonePanes(value: unknown): unknown {
  return (value as Panes<number>).clone((a) => a);
}

/** The codec of a spilled key's panes: [pane indexes, accumulators] (accumulators may be +-Infinity or NaN). */
export const PANES_CODEC: StateCodec<unknown> = {
  encode: (value) => {
    const { indexes, accs } = (value as Panes<number>).columns();
    return [indexes, accs.map(encodeFloat)];
  },
  decode: (json) => {
    if (!Array.isArray(json) || json.length !== 2 || !Array.isArray(json[0]) || !Array.isArray(json[1]))
      throw new TypeError("spilled panes: expected [indexes, accumulators]");
    const [indexes, accs] = json as [unknown[], unknown[]];
    if (indexes.length !== accs.length || indexes.length === 0)
      throw new TypeError("spilled panes: pane indexes and accumulators do not match");
    for (let j = 0; j < indexes.length; j++) {
      if (
        !Number.isSafeInteger(indexes[j]) ||
        (j > 0 && (indexes[j] as number) <= (indexes[j - 1] as number))
      )
        throw new TypeError("spilled panes: pane indexes must be ascending integers");
    }
    return new Panes<number>(
      indexes as number[],
      accs.map((a) => decodeFloat(a, "accumulator")),
    );
  },
};
