// The grid of a sweep: `--grid` texts parsed into axes (values typed as `--set` types them,
// commas inside brackets and quotes kept), malformed ones refused in one line naming them,
// and the cross product of the axes, the first varying slowest.

import { describe, expect, it } from "vitest";
import { UserError } from "../../cli/errors.js";
import {
  collectGridAxis,
  describePoint,
  gridPoints,
  parseGridAxis,
  pointLabel,
  pointSettings,
} from "../../lab/grid.js";

describe("parseGridAxis", () => {
  it("types each value as --set does: JSON when it parses, else a string", () => {
    expect(parseGridAxis("faultTolerance.strategy=rsm,upstream-backup")).toEqual({
      path: "faultTolerance.strategy",
      values: ["rsm", "upstream-backup"],
    });
    expect(parseGridAxis("faultTolerance.checkpointIntervalMs=1000, 5000,10000").values).toEqual([
      1000, 5000, 10000,
    ]);
    expect(parseGridAxis('x.y=true,null,"7"').values).toEqual([true, null, "7"]);
  });

  it("keeps commas inside brackets, braces and quotes", () => {
    expect(parseGridAxis('faults=[],[{"type":"crash","vm":1,"atMs":5}],"a,b"').values).toEqual([
      [],
      [{ type: "crash", vm: 1, atMs: 5 }],
      "a,b",
    ]);
  });

  it.each([
    ["faultTolerance.strategy", /^--grid expects path=value,value,\.\.\./],
    ["=rsm", /^--grid expects path=value/],
    ["a..b=1", /^--grid a\.\.b=1: 'a\.\.b' is not a dotted path/],
    ["__proto__.x=1", /^--grid __proto__\.x=1: '__proto__\.x' is not a dotted path/],
    ["a=1,,2", /^--grid a=1,,2: an empty value/],
    ["a=", /^--grid a=: an empty value/],
    ["a=[1,2", /^--grid a=\[1,2: a bracket, brace or quote is not closed$/],
    ["a=1,2,1", /^--grid a=1,2,1: the value 1 is given twice$/],
  ])("refuses %s in one line naming it", (text, pattern) => {
    expect(() => parseGridAxis(text)).toThrow(UserError);
    expect(() => parseGridAxis(text)).toThrow(pattern);
  });

  it("refuses one path in two --grid flags", () => {
    const first = collectGridAxis("a=1,2", undefined);
    expect(() => collectGridAxis("a=3", first)).toThrow(/^--grid a is given twice/);
    expect(collectGridAxis("b=x", first).map((a) => a.path)).toEqual(["a", "b"]);
  });
});

describe("gridPoints", () => {
  it("is the cross product, the first axis varying slowest, numbered from 0", () => {
    const points = gridPoints([
      { path: "s", values: ["rsm", "ub"] },
      { path: "i", values: [1, 5, 10] },
    ]);
    expect(points.map((p) => [p.index, ...p.values.map((v) => v.value)])).toEqual([
      [0, "rsm", 1],
      [1, "rsm", 5],
      [2, "rsm", 10],
      [3, "ub", 1],
      [4, "ub", 5],
      [5, "ub", 10],
    ]);
    expect(points[4].values).toEqual([
      { path: "s", value: "ub" },
      { path: "i", value: 5 },
    ]);
  });

  it("without axes is one point, the experiment as it is", () => {
    expect(gridPoints([])).toEqual([{ index: 0, values: [] }]);
    expect(describePoint({ values: [] })).toBe("the experiment as it is");
  });

  it("turns a point into settings, a description and a label fit for a directory's name", () => {
    const point = {
      values: [
        { path: "faultTolerance.strategy", value: "rsm" },
        { path: "faults", value: [{ vm: 1 }] },
      ],
    };
    expect(pointSettings(point)).toEqual([
      { key: "faultTolerance.strategy", path: ["faultTolerance", "strategy"], value: "rsm" },
      { key: "faults", path: ["faults"], value: [{ vm: 1 }] },
    ]);
    expect(describePoint(point)).toBe('faultTolerance.strategy=rsm faults=[{"vm":1}]');
    expect(pointLabel(point)).toBe("rsm-_vm_1_");
  });
});
