// Aggregates: how a window folds tuples into an accumulator and accumulators into a
// result. Windows keep one accumulator per pane (a slice of a window) and merge panes
// when a window fires, so an aggregate needs `merge` as well as `add`.
//
// Accumulators live in keyed state and are checkpointed: an accumulator that is a
// mutable object needs `clone`, so that a checkpoint in progress keeps its old version,
// and one that is not JSON data (a Map, a class instance, a typed array) needs
// `encodeAcc`/`decodeAcc`, so that an encoded checkpoint can carry it.

import type { Batch } from "../batch.js";
import { decodeFloat, encodeFloat, type StateCodec } from "../stateCodec.js";

/** Folds rows of batches into an accumulator `A` and turns it into a result `R`. */
export interface Aggregate<A, R> {
  /** A fresh, empty accumulator. */
  create(): A;
  /** Add row `i` of `batch`; may change `acc` in place and return it. */
  add(acc: A, batch: Batch, i: number): A;
  /** Combine two accumulators; may change and return `a`, never changes `b`. */
  merge(a: A, b: A): A;
  /** The result of an accumulator; never changes it. */
  result(acc: A): R;
  /** A deep copy of an accumulator; required when `A` is a mutable object. */
  clone?(acc: A): A;
  /** A JSON-able form of an accumulator; required (with `decodeAcc`) when `A` is not JSON data. */
  encodeAcc?(acc: A): unknown;
  /** The accumulator of `encodeAcc`'s output. */
  decodeAcc?(json: unknown): A;
}

/** Counts tuples. */
export const countAggregate: Aggregate<number, number> = {
  create: () => 0,
  add: (acc) => acc + 1,
  merge: (a, b) => a + b,
  result: (acc) => acc,
};

/** Sums numeric payload field `field` of the tuples. */
export function sumAggregate(field: number): Aggregate<number, number> {
  if (!Number.isInteger(field) || field < 0) throw new RangeError(`field ${field} must be an integer >= 0`);
  return {
    create: () => 0,
    add: (acc, batch, i) => {
      const column = batch.fields[field];
      if (column === undefined) {
        throw new RangeError(`sumAggregate(${field}): the batch has ${batch.fields.length} numeric fields`);
      }
      return acc + column[i];
    },
    merge: (a, b) => a + b,
    result: (acc) => acc,
  };
}

/** Merge accumulators in order into a fresh one (panes are never changed). */
export function mergeAll<A, R>(aggregate: Aggregate<A, R>, accs: Iterable<A>): A {
  let acc = aggregate.create();
  for (const a of accs) acc = aggregate.merge(acc, a);
  return acc;
}

/** The aggregate's `clone`, or identity; throws when a mutable accumulator has no `clone`. */
export function cloneOf<A, R>(aggregate: Aggregate<A, R>): (acc: A) => A {
  if (aggregate.clone !== undefined) return (acc) => aggregate.clone!(acc);
  const sample = aggregate.create();
  if (typeof sample === "object" && sample !== null) {
    throw new TypeError("an aggregate whose accumulator is an object must provide clone()");
  }
  return (acc) => acc;
}

/**
 * The codec of an aggregate's accumulators: `encodeAcc`/`decodeAcc` when given; else
 * numbers with +-Infinity and NaN tagged (when `create()` is a number), else identity,
 * which assumes JSON data (arrays and plain objects of finite numbers and strings).
 */
export function accumulatorCodec<A, R>(aggregate: Aggregate<A, R>): StateCodec<A> {
  const { encodeAcc, decodeAcc } = aggregate;
  if ((encodeAcc === undefined) !== (decodeAcc === undefined)) {
    throw new TypeError("an aggregate must provide both encodeAcc() and decodeAcc(), or neither");
  }
  if (encodeAcc !== undefined && decodeAcc !== undefined) {
    return {
      encode: (acc) => encodeAcc.call(aggregate, acc),
      decode: (json) => decodeAcc.call(aggregate, json),
    };
  }
  if (typeof aggregate.create() === "number") {
    return {
      encode: (acc) => encodeFloat(acc as number),
      decode: (json) => decodeFloat(json, "accumulator") as A,
    };
  }
  return { encode: (acc) => acc, decode: (json) => json as A };
}
