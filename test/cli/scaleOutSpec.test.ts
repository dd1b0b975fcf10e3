// `--scale-out operator[:index]@time[xfactor]`: parsed into a scheduled scale out, refused
// in one line when malformed or out of the ranges the experiment's scaling.scaleOuts have.

import { describe, expect, it } from "vitest";
import { UserError } from "../../cli/errors.js";
import { parseScaleOut } from "../../cli/scaleOutSpec.js";

describe("parseScaleOut", () => {
  it("reads the operator, the index, the time and the factor, with their defaults", () => {
    expect(parseScaleOut("count@1500")).toEqual({ operator: "count", index: 0, atMs: 1500, factor: 2 });
    expect(parseScaleOut("count:1@2sx3")).toEqual({ operator: "count", index: 1, atMs: 2000, factor: 3 });
  });

  it("refuses a factor past 64, an index past the key groups and a time past 20 days, in one line", () => {
    expect(() => parseScaleOut("count@5x1000000")).toThrow(UserError);
    expect(() => parseScaleOut("count@5x1000000")).toThrow(
      "--scale-out count@5x1000000: the factor must be at most 64, not 1000000",
    );
    expect(() => parseScaleOut("count:128@5")).toThrow("the index must be below 128, not 128");
    expect(() => parseScaleOut("count@99999999999999")).toThrow(
      "the time must be at most 1728000000 ms, not 99999999999999",
    );
    expect(parseScaleOut("count:127@5x64")).toMatchObject({ index: 127, factor: 64 });
  });
});
