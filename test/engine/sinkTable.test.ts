// A sink's table: what QueryBuilder accepts as one, what the plan keeps of it, and the
// scalars of a value that the fallback lists.

import { describe, expect, it } from "vitest";
import { QueryBuilder } from "../../engine/queryPlan.js";
import { sinkTableProblem, type TableCell, valueLeaves } from "../../engine/sinkTable.js";

/** A source -> sink plan whose sink has `options`. */
function planWith(options: object) {
  const q = new QueryBuilder("t");
  const s = q.source("s", () => ({ next: () => false, position: () => 0, seek: () => {} }));
  const k = q.sink("k", () => ({}), options);
  q.connect(s, k, "forward");
  return q.build();
}

function leavesOf(value: unknown): [string, TableCell][] {
  const out: [string, TableCell][] = [];
  valueLeaves(value, (path, cell) => out.push([path, cell]));
  return out;
}

describe("sink tables", () => {
  it("are kept by the plan with the sink, columns and row, frozen", () => {
    const plan = planWith({ table: { columns: ["a", "b"], row: (key: number, v: number) => [key, v * 2] } });
    const sink = plan.operators[1];
    expect(sink.table?.columns).toEqual(["a", "b"]);
    expect(sink.table?.row(3, 4)).toEqual([3, 8]);
    expect(Object.isFrozen(sink.table)).toBe(true);
    expect(Object.isFrozen(sink.table?.columns)).toBe(true);
    expect(plan.operators[0].table).toBeUndefined();
    expect(planWith({}).operators[1].table).toBeUndefined();
  });

  it("keep `this` of a row written as a method", () => {
    const table = {
      columns: ["x"],
      factor: 10,
      row(_key: number, v: number) {
        return [v * this.factor];
      },
    };
    expect(planWith({ table }).operators[1].table?.row(0, 2)).toEqual([20]);
  });

  it("are refused in one line naming the sink when malformed", () => {
    const row = () => [];
    expect(sinkTableProblem("k", { columns: ["a"], row })).toBeNull();
    expect(sinkTableProblem("k", null)).toBe('sink "k": table must be { columns, row }');
    expect(sinkTableProblem("k", { columns: [], row })).toMatch(/columns must be a non-empty array/);
    expect(sinkTableProblem("k", { columns: ["a", ""], row })).toMatch(/non-empty strings/);
    expect(sinkTableProblem("k", { columns: ["a", 3], row })).toMatch(/non-empty strings/);
    expect(sinkTableProblem("k", { columns: ["a", "a"], row })).toBe(
      'sink "k": table column "a" is named twice',
    );
    expect(sinkTableProblem("k", { columns: ["timeMs"], row })).toMatch(
      /column "timeMs" is one every output already has \(timeMs, sink, instance, eventTimeMs\)/,
    );
    expect(sinkTableProblem("k", { columns: ["a"] })).toMatch(/row must be a function/);
    expect(() => planWith({ table: { columns: ["a", "a"], row } })).toThrow(
      'sink "k": table column "a" is named twice',
    );
  });

  it("list a value's scalars by path, depth first, in the value's own order", () => {
    expect(leavesOf(7)).toEqual([["", 7]]);
    expect(leavesOf("w")).toEqual([["", "w"]]);
    expect(leavesOf(undefined)).toEqual([["", undefined]]);
    expect(leavesOf(null)).toEqual([["", null]]);
    expect(leavesOf({ windowStartMs: 0, windowEndMs: 10, result: [3, 4] })).toEqual([
      ["windowStartMs", 0],
      ["windowEndMs", 10],
      ["result.0", 3],
      ["result.1", 4],
    ]);
    expect(leavesOf({ b: { c: true }, a: 10n })).toEqual([
      ["b.c", true],
      ["a", 10n],
    ]);
    expect(leavesOf(new Float64Array([1.5]))).toEqual([["0", 1.5]]);
    expect(leavesOf(new Map([["k", 1]]))).toEqual([["k", 1]]);
    expect(leavesOf(new Set(["x"]))).toEqual([["0", "x"]]);
    // A value with no scalar still has its row.
    expect(leavesOf({})).toEqual([["", undefined]]);
    expect(leavesOf({ a: [] })).toEqual([["", undefined]]);
  });
});
