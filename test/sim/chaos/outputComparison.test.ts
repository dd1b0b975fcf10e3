import { describe, expect, it } from "vitest";
import { canonical, compareOutputs, OutputLog, recordHash } from "../../../sim/chaos/outputComparison.js";

/** A record of sink `sink`, key `key`, event time `t` and value `value`. */
type Row = readonly [sink: string, key: number, t: number, value: unknown];

/** A log of the rows, in order; output times and instances do not matter to the comparison. */
function log(rows: readonly Row[]): OutputLog {
  const l = new OutputLog();
  rows.forEach(([sink, key, eventTimeMs, value], i) => {
    l.add({ timeMs: i, sink, instance: 0, key, eventTimeMs, value });
  });
  return l;
}

const base: Row[] = [
  ["sink", 1, 1000, 3],
  ["sink", 2, 1000, 5],
  ["sink", 1, 2000, 4],
  ["sink", 2, 2000, 6],
  ["other", 1, 1000, { word: "a", count: 1 }],
];

describe("compareOutputs", () => {
  it("finds no difference between equal outputs, whatever the interleaving of keys", () => {
    const interleaved = [base[1], base[3], base[0], base[4], base[2]];
    expect(compareOutputs(log(base), log(interleaved))).toEqual({
      lost: 0,
      duplicated: 0,
      spurious: 0,
      reordered: 0,
    });
  });

  it("counts records missing from the run as lost, and a sink that received nothing loses all", () => {
    expect(compareOutputs(log(base), log([base[0], base[1], base[4]]))).toMatchObject({ lost: 2 });
    expect(compareOutputs(log(base), log(base.slice(0, 4)))).toMatchObject({ lost: 1, spurious: 0 });
    expect(compareOutputs(log(base), log([]))).toMatchObject({ lost: 5, duplicated: 0 });
  });

  it("counts extra copies as duplicated, and records never in the base as spurious", () => {
    const run = [...base, base[0], base[0], ["sink", 3, 1000, 1] as Row];
    expect(compareOutputs(log(base), log(run))).toEqual({
      lost: 0,
      duplicated: 2,
      spurious: 1,
      reordered: 0,
    });
  });

  it("counts a wrong value as one lost and one spurious", () => {
    const run = base.map((r, i) => (i === 2 ? (["sink", 1, 2000, 40] as Row) : r));
    expect(compareOutputs(log(base), log(run))).toEqual({
      lost: 1,
      duplicated: 0,
      spurious: 1,
      reordered: 0,
    });
  });

  it("counts (sink, key) streams with the same records in another order as reordered", () => {
    const run = [base[2], base[3], base[0], base[1], base[4]];
    expect(compareOutputs(log(base), log(run))).toEqual({
      lost: 0,
      duplicated: 0,
      spurious: 0,
      reordered: 2,
    });
  });

  it("tells records apart by event time and by sink as well as by value", () => {
    expect(compareOutputs(log([["sink", 1, 1000, 3]]), log([["sink", 1, 1001, 3]]))).toMatchObject({
      lost: 1,
      spurious: 1,
    });
    expect(compareOutputs(log([["a", 1, 1000, 3]]), log([["b", 1, 1000, 3]]))).toMatchObject({
      lost: 1,
      spurious: 1,
    });
  });
});

describe("canonical", () => {
  it("reads values as the output digest does: key order, -0, undefined properties and typed arrays do not matter", () => {
    expect(canonical({ b: 1, a: [2, "x"] })).toBe(canonical({ a: [2, "x"], b: 1, c: undefined }));
    expect(canonical(-0)).toBe(canonical(0));
    expect(canonical(new Float64Array([1, 2]))).toBe(canonical([1, 2]));
    expect(canonical("1")).not.toBe(canonical(1));
    expect(canonical(null)).not.toBe(canonical(undefined));
    expect(recordHash(1000, { a: 1 })).toBe(recordHash(1000, { a: 1 }));
    expect(recordHash(1000, { a: 1 })).not.toBe(recordHash(1000, { a: 2 }));
  });

  it("refuses values of other classes", () => {
    expect(() => canonical(new Map())).toThrow(/class Map/);
  });
});
