// The top-k job's logic: an aggregate that counts items (the window keeps one per pane and
// per category, merges a window's panes when it fires, and checkpoints them), and a
// stateless operator that turns each window's top k into one readable row per rank.
//
// The accumulator is a Map from item number to count: a mutable object that is not JSON
// data, so the aggregate gives `clone` (a checkpoint in progress keeps the old version of
// a pane it changes) and `encodeAcc`/`decodeAcc` (an encoded checkpoint carries it as
// [item, count, item, count, ...], items ascending).

import type { Aggregate, Batch, Operator, OperatorContext, WindowResult } from "seep-testbed/engine";

/** Counts per item number. */
export type ItemCounts = Map<number, number>;

/** One entry of a top k: an item number and its count in the window. */
export type TopItem = readonly [item: number, count: number];

/** Most-frequent-first order; ties go to the lower item number. */
function byCountThenItem(a: TopItem, b: TopItem): number {
  return b[1] - a[1] || a[0] - b[0];
}

/** Counts the items (numeric field 0 of each tuple); the result is the k most frequent, in order. */
export function topItems(k: number): Aggregate<ItemCounts, TopItem[]> {
  return {
    create: () => new Map(),
    add: (acc, batch, i) => {
      const item = batch.fields[0][i];
      acc.set(item, (acc.get(item) ?? 0) + 1);
      return acc;
    },
    merge: (a, b) => {
      for (const [item, n] of b) a.set(item, (a.get(item) ?? 0) + n);
      return a;
    },
    result: (acc) => [...acc].sort(byCountThenItem).slice(0, k),
    clone: (acc) => new Map(acc),
    encodeAcc: (acc) => [...acc.keys()].sort((x, y) => x - y).flatMap((item) => [item, acc.get(item)!]),
    decodeAcc: (json) => {
      if (!Array.isArray(json) || json.length % 2 !== 0) throw new TypeError("item counts: expected pairs");
      const acc: ItemCounts = new Map();
      for (let j = 0; j < json.length; j += 2) {
        const [item, n] = [json[j], json[j + 1]];
        if (!Number.isSafeInteger(item) || !Number.isSafeInteger(n) || n <= 0)
          throw new TypeError(`item counts: bad pair ${JSON.stringify([item, n])}`);
        acc.set(item, n);
      }
      return acc;
    },
  };
}

/** One row of the job's output: a category's item of rank `rank` (1: the most frequent) in a window. */
export interface TopKRow {
  readonly category: string;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly rank: number;
  readonly item: string;
  readonly count: number;
}

/** Turns a window's top k of a category into rows, names instead of numbers. */
export class RankRows implements Operator {
  constructor(
    /** The category name of each category key. */
    private readonly categoryOf: ReadonlyMap<number, string>,
    private readonly itemName: (item: number) => string,
  ) {}

  onBatch(batch: Batch, _port: number, ctx: OperatorContext): void {
    for (let i = 0; i < batch.length; i++) {
      const key = batch.keys[i];
      const w = batch.values?.[i] as WindowResult<TopItem[]>;
      const category = this.categoryOf.get(key);
      if (category === undefined) throw new RangeError(`key ${key} is no category's`);
      w.result.forEach(([item, count], r) => {
        const row: TopKRow = {
          category,
          windowStartMs: w.windowStartMs,
          windowEndMs: w.windowEndMs,
          rank: r + 1,
          item: this.itemName(item),
          count,
        };
        ctx.emit(key, batch.eventTimesMs[i], row);
      });
    }
  }
}
