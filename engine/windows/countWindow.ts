// Count-based sliding windows per key: every `slide` tuples of a key, the aggregate over
// that key's last `size` tuples (fewer while the key has seen fewer). The state of a key
// is its pane accumulators of `slide` tuples each, kept in the instance's KeyedState.
// Counting follows the order in which the instance receives a key's tuples, which key
// routing preserves from each sender; tuples of a pane that never fills are not emitted.

import type { Batch } from "../batch.js";
import type { CloneValue } from "../keyedState.js";
import type { Operator, OperatorContext } from "../operator.js";
import type { StateCodec } from "../stateCodec.js";
import { type Aggregate, accumulatorCodec, cloneOf, mergeAll } from "./aggregate.js";
import type { WindowDefinition } from "./windowDefinition.js";

/** Shape of a count window. */
export interface CountWindowOptions<A, R> {
  /** Tuples per window; a positive integer multiple of `slide`. */
  readonly size: number;
  /** Tuples between two firings of a key, and pane length; a positive integer. */
  readonly slide: number;
  readonly aggregate: Aggregate<A, R>;
}

/** The value of a tuple a count window emits (its key is the window's key). */
export interface CountWindowResult<R> {
  /** Tuples in the window: `size`, or fewer while the key has seen fewer. */
  readonly count: number;
  readonly result: R;
}

/** One key's count-window state. */
export interface CountWindowState<A> {
  /** Full panes still needed by the next window, oldest first (at most size / slide - 1). */
  readonly closed: A[];
  /** The pane being filled, and the number of tuples in it. */
  open: A;
  openCount: number;
}

/** The operator of one count-window instance. */
export class CountWindowOperator<A, R> implements Operator<CountWindowState<A>> {
  private readonly panesPerWindow: number;

  constructor(
    readonly size: number,
    readonly slide: number,
    readonly aggregate: Aggregate<A, R>,
  ) {
    this.panesPerWindow = size / slide;
  }

  onBatch(batch: Batch, _port: number, ctx: OperatorContext<CountWindowState<A>>): void {
    const aggregate = this.aggregate;
    for (let i = 0; i < batch.length; i++) {
      const key = batch.keys[i];
      let s = ctx.state.mutable(key);
      if (s === undefined) {
        s = { closed: [], open: aggregate.create(), openCount: 0 };
        ctx.state.set(key, s);
      }
      s.open = aggregate.add(s.open, batch, i);
      if (++s.openCount < this.slide) continue;
      const panes = [...s.closed, s.open];
      const value: CountWindowResult<R> = {
        count: panes.length * this.slide,
        result: aggregate.result(mergeAll(aggregate, panes)),
      };
      ctx.emit(key, batch.eventTimesMs[i], value);
      s.closed.push(s.open);
      if (s.closed.length >= this.panesPerWindow) s.closed.shift();
      s.open = aggregate.create();
      s.openCount = 0;
    }
  }
}

/** The clone of a key's count-window state, deep as far as the aggregate's `clone` goes. */
export function cloneCountWindowState<A>(aggregate: Aggregate<A, unknown>): CloneValue<CountWindowState<A>> {
  const cloneAcc = cloneOf(aggregate);
  return (s) => ({ closed: s.closed.map(cloneAcc), open: cloneAcc(s.open), openCount: s.openCount });
}

/** The codec of a key's count-window state, as the JSON array [closed, open, openCount]. */
export function countWindowStateCodec<A>(aggregate: Aggregate<A, unknown>): StateCodec<CountWindowState<A>> {
  const acc = accumulatorCodec(aggregate);
  return {
    encode: (s) => [s.closed.map(acc.encode), acc.encode(s.open), s.openCount],
    decode: (json) => {
      if (!Array.isArray(json) || json.length !== 3) throw new TypeError("count window state: expected [3]");
      const [closed, open, openCount] = json as unknown[];
      if (!Array.isArray(closed)) throw new TypeError("count window state: closed panes must be an array");
      if (!Number.isSafeInteger(openCount) || (openCount as number) < 0) {
        throw new TypeError(`count window state: bad openCount ${JSON.stringify(openCount)}`);
      }
      return { closed: closed.map(acc.decode), open: acc.decode(open), openCount: openCount as number };
    },
  };
}

/**
 * Sliding count windows per key: `const w = countWindow({ size, slide, aggregate })`, then
 * `q.operator(name, w.create, { ...w.options, parallelism })` behind a `key` edge. Emits
 * `CountWindowResult<R>` at the event time of the tuple that closed the window.
 */
export function countWindow<A, R>(
  options: CountWindowOptions<A, R>,
): WindowDefinition<CountWindowState<A>, CountWindowOperator<A, R>> {
  const { size, slide, aggregate } = options;
  if (!Number.isSafeInteger(slide) || slide <= 0)
    throw new RangeError(`slide ${slide} must be a positive integer`);
  if (!Number.isSafeInteger(size) || size <= 0 || size % slide !== 0) {
    throw new RangeError(`size ${size} must be a positive multiple of slide ${slide}`);
  }
  const cloneState = cloneCountWindowState(aggregate);
  const stateCodec = countWindowStateCodec(aggregate);
  return {
    create: () => new CountWindowOperator(size, slide, aggregate),
    options: { stateful: true, cloneState, stateCodec },
  };
}
