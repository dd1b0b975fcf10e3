// Event-time sliding windows per key (tumbling when slideMs == sizeMs), as a stateful
// operator whose per-key panes live in the instance's KeyedState, so the engine
// checkpoints and partitions them like any other keyed state.
//
// Window [start, start + sizeMs) starts at a multiple of slideMs and fires once the
// instance's event time reaches its end. A tuple is late, counted and dropped, when
// every window that contains it has fired; a tuple some of whose windows have fired
// still counts in the others (as in Flink and Beam). Each key records the last window
// end it fired, so a merged checkpoint with a lower watermark never fires a window twice.

import type { Batch } from "../batch.js";
import type { CloneValue } from "../keyedState.js";
import type { Operator, OperatorContext } from "../operator.js";
import { decodeFloat, encodeFloat, type StateCodec } from "../stateCodec.js";
import { type Aggregate, accumulatorCodec, cloneOf, mergeAll } from "./aggregate.js";
import { Panes } from "./panes.js";
import {
  clonePanes,
  numericAggregate,
  PANES_CODEC,
  RECORD_PANES_MAX,
  TimeWindowRecordsOperator,
  timeWindowRecordWidth,
} from "./timeWindowRecords.js";
import type { WindowDefinition } from "./windowDefinition.js";
import type { WindowResult } from "./windowResult.js";
import { WindowTimers } from "./windowTimers.js";

/** Shape of a time window. */
export interface TimeWindowOptions<A, R> {
  /** Window length; a positive integer multiple of `slideMs`. */
  readonly sizeMs: number;
  /** Distance between window starts, and pane length; a positive integer. */
  readonly slideMs: number;
  readonly aggregate: Aggregate<A, R>;
  /**
   * How each key's state is kept: "records" (numbers in typed arrays, timeWindowRecords.ts;
   * the default when the aggregate's accumulators are numbers and a window spans at most
   * RECORD_PANES_MAX panes) or "values" (one object per key; any aggregate).
   */
  readonly layout?: "records" | "values";
}

export type { WindowResult } from "./windowResult.js";

/** One key's window state: its panes and where it stands in firing them. */
export interface TimeWindowState<A> {
  /** End of the last window this key fired (-Infinity before the first). */
  firedThroughMs: number;
  /** End of the next window this key has data for. */
  nextFireMs: number;
  readonly panes: Panes<A>;
}

/** The operator of one time-window instance. */
export class TimeWindowOperator<A, R> implements Operator<TimeWindowState<A>> {
  /** Tuples dropped because every window containing them had already fired. */
  lateTuples = 0;
  private timers = new WindowTimers();
  private readonly panesPerWindow: number;

  constructor(
    readonly sizeMs: number,
    readonly slideMs: number,
    readonly aggregate: Aggregate<A, R>,
  ) {
    this.panesPerWindow = sizeMs / slideMs;
  }

  /** Rebuild the timers from keyed state (fresh, or just restored). */
  open(ctx: OperatorContext<TimeWindowState<A>>): void {
    this.timers = new WindowTimers();
    for (const [key, s] of ctx.state.entries()) this.timers.add(s.nextFireMs, key);
  }

  onBatch(batch: Batch, _port: number, ctx: OperatorContext<TimeWindowState<A>>): void {
    const { slideMs, sizeMs, aggregate } = this;
    const state = ctx.state;
    for (let i = 0; i < batch.length; i++) {
      const key = batch.keys[i];
      const t = batch.eventTimesMs[i];
      if (!Number.isFinite(t)) throw new RangeError(`tuple with key ${key} has event time ${t}`);
      const pane = Math.floor(t / slideMs);
      const firedMs = Math.max(ctx.eventTimeMs, state.get(key)?.firedThroughMs ?? Number.NEGATIVE_INFINITY);
      if (pane * slideMs + sizeMs <= firedMs) {
        this.lateTuples++;
        continue;
      }
      let s = state.mutable(key);
      if (s === undefined) {
        s = {
          firedThroughMs: Number.NEGATIVE_INFINITY,
          nextFireMs: Number.POSITIVE_INFINITY,
          panes: new Panes(),
        };
        state.set(key, s);
      }
      s.panes.add(pane, aggregate, batch, i);
      const firstEndMs = Math.max((pane + 1) * slideMs, (Math.floor(firedMs / slideMs) + 1) * slideMs);
      if (firstEndMs < s.nextFireMs) {
        s.nextFireMs = firstEndMs;
        this.timers.add(firstEndMs, key);
      }
    }
  }

  /**
   * The start of the oldest window some key still has data for: a key's panes begin no
   * earlier than its next window to fire, and tuples before that time only reach windows
   * that have fired (Infinity when nothing is pending).
   */
  stateHorizonMs(_ctx: OperatorContext<TimeWindowState<A>>): number {
    return this.timers.nextMs() - this.sizeMs;
  }

  onWatermark(ctx: OperatorContext<TimeWindowState<A>>): void {
    this.fireThrough(ctx.eventTimeMs, ctx);
  }

  onEnd(ctx: OperatorContext<TimeWindowState<A>>): void {
    this.fireThrough(Number.POSITIVE_INFINITY, ctx);
  }

  /** Fire every window ending at or before `untilMs`: by window end, then by key. */
  private fireThrough(untilMs: number, ctx: OperatorContext<TimeWindowState<A>>): void {
    while (this.timers.size > 0 && this.timers.nextMs() <= untilMs) {
      const endMs = this.timers.nextMs();
      for (const key of this.timers.takeNext()) this.fire(key, endMs, ctx);
    }
  }

  private fire(key: number, endMs: number, ctx: OperatorContext<TimeWindowState<A>>): void {
    if (ctx.state.get(key)?.nextFireMs !== endMs) return; // superseded by an earlier registration
    const s = ctx.state.mutable(key)!;
    const lastPane = endMs / this.slideMs - 1;
    const firstPane = lastPane - this.panesPerWindow + 1;
    const accs = s.panes.between(firstPane, lastPane);
    if (accs.length > 0) {
      const result = this.aggregate.result(mergeAll(this.aggregate, accs));
      const value: WindowResult<R> = { windowStartMs: endMs - this.sizeMs, windowEndMs: endMs, result };
      ctx.emit(key, endMs - 1, value);
    }
    s.firedThroughMs = endMs;
    s.panes.dropThrough(firstPane); // no window ending after endMs needs them
    if (s.panes.size === 0) {
      ctx.state.delete(key);
      return;
    }
    s.nextFireMs = Math.max(endMs + this.slideMs, (s.panes.first + 1) * this.slideMs);
    this.timers.add(s.nextFireMs, key);
  }
}

/** The clone of a key's window state, deep as far as the aggregate's `clone` goes. */
export function cloneTimeWindowState<A>(aggregate: Aggregate<A, unknown>): CloneValue<TimeWindowState<A>> {
  const cloneAcc = cloneOf(aggregate);
  return (s) => ({
    firedThroughMs: s.firedThroughMs,
    nextFireMs: s.nextFireMs,
    panes: s.panes.clone(cloneAcc),
  });
}

/**
 * The codec of a key's window state, as the JSON array [firedThroughMs, nextFireMs,
 * pane indexes, pane accumulators] (times may be +-Infinity, so they are tagged).
 */
export function timeWindowStateCodec<A>(aggregate: Aggregate<A, unknown>): StateCodec<TimeWindowState<A>> {
  const acc = accumulatorCodec(aggregate);
  return {
    encode: (s) => {
      const { indexes, accs } = s.panes.columns();
      return [encodeFloat(s.firedThroughMs), encodeFloat(s.nextFireMs), indexes, accs.map(acc.encode)];
    },
    decode: (json) => {
      if (!Array.isArray(json) || json.length !== 4) throw new TypeError("time window state: expected [4]");
      const [fired, next, indexes, accs] = json as unknown[];
      if (!Array.isArray(indexes) || !Array.isArray(accs) || indexes.length !== accs.length) {
        throw new TypeError("time window state: pane indexes and accumulators do not match");
      }
      for (let j = 0; j < indexes.length; j++) {
        if (!Number.isSafeInteger(indexes[j]) || (j > 0 && indexes[j] <= indexes[j - 1])) {
          throw new TypeError("time window state: pane indexes must be ascending integers");
        }
      }
      return {
        firedThroughMs: decodeFloat(fired, "firedThroughMs"),
        nextFireMs: decodeFloat(next, "nextFireMs"),
        panes: new Panes<A>(indexes as number[], accs.map(acc.decode)),
      };
    },
  };
}

/**
 * Sliding event-time windows per key: `const w = timeWindow({ sizeMs, slideMs, aggregate })`,
 * then `q.operator(name, w.create, { ...w.options, parallelism })` behind a `key` edge.
 * Emits, per window and key with data, `WindowResult<R>` at event time windowEndMs - 1.
 */
export function timeWindow<A, R>(
  options: TimeWindowOptions<A, R>,
): WindowDefinition<
  TimeWindowState<A>,
  TimeWindowOperator<A, R> | TimeWindowRecordsOperator<R, TimeWindowState<A>>
> {
  const { sizeMs, slideMs, aggregate } = options;
  if (!Number.isSafeInteger(slideMs) || slideMs <= 0) {
    throw new RangeError(`slideMs ${slideMs} must be a positive integer`);
  }
  if (!Number.isSafeInteger(sizeMs) || sizeMs <= 0 || sizeMs % slideMs !== 0) {
    throw new RangeError(`sizeMs ${sizeMs} must be a positive multiple of slideMs ${slideMs}`);
  }
  const recordsFit =
    numericAggregate(aggregate as Aggregate<unknown, unknown>) && sizeMs / slideMs <= RECORD_PANES_MAX;
  if (options.layout === "records" && !recordsFit)
    throw new RangeError(
      `a time window keeps records only for numeric accumulators and windows of at most ${RECORD_PANES_MAX} panes`,
    );
  if (options.layout !== "values" && recordsFit) {
    // Same windows, with each key's state as a record (its extras: spilled panes).
    return {
      create: () =>
        new TimeWindowRecordsOperator<R, TimeWindowState<A>>(
          sizeMs,
          slideMs,
          aggregate as unknown as Aggregate<number, R>,
        ),
      options: {
        stateful: true,
        cloneState: clonePanes as CloneValue<TimeWindowState<A>>,
        stateCodec: PANES_CODEC as StateCodec<TimeWindowState<A>>,
        recordWidth: timeWindowRecordWidth(sizeMs / slideMs),
      },
    };
  }
  const cloneState = cloneTimeWindowState(aggregate);
  const stateCodec = timeWindowStateCodec(aggregate);
  return {
    create: () => new TimeWindowOperator(sizeMs, slideMs, aggregate),
    options: { stateful: true, cloneState, stateCodec },
  };
}
