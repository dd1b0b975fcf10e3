// The wording of range errors shared by the experiment and the workloads' parameters:
// every refused number names its range and the value, and zod's own messages are
// reworded into the same one-line style.

import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeIssue, describeValue, integerIn, numberIn, rangeText } from "../../engine/index.js";

/** The message of the first issue of parsing `value` with `schema`, as describeIssue words it. */
function problem(schema: z.ZodType, value: unknown): string {
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) throw new Error(`${JSON.stringify(value)} was accepted`);
  return describeIssue(r.error.issues[0], "(top level)");
}

describe("numberIn", () => {
  const vms = z.object({ vms: integerIn(1, 10_000) });

  it("accepts the bounds and what lies between them", () => {
    for (const n of [1, 5000, 10_000]) expect(vms.parse({ vms: n })).toEqual({ vms: n });
  });

  it("names the path, the range and the value of a number out of range, huge or tiny", () => {
    expect(problem(vms, { vms: 1_000_000 })).toBe("vms: must be an integer from 1 to 10000, got 1000000");
    expect(problem(vms, { vms: 1e300 })).toBe("vms: must be an integer from 1 to 10000, got 1e+300");
    expect(problem(vms, { vms: -3 })).toBe("vms: must be an integer from 1 to 10000, got -3");
    expect(problem(vms, { vms: 2.5 })).toBe("vms: must be an integer from 1 to 10000, got 2.5");
  });

  it("words NaN, Infinity, a string, a list and a missing value the same way", () => {
    expect(problem(vms, { vms: Number.NaN })).toBe("vms: must be an integer from 1 to 10000, got NaN");
    expect(problem(vms, { vms: Number.POSITIVE_INFINITY })).toBe(
      "vms: must be an integer from 1 to 10000, got Infinity",
    );
    expect(problem(vms, { vms: "8" })).toBe('vms: must be an integer from 1 to 10000, got "8"');
    expect(problem(vms, { vms: [8] })).toBe("vms: must be an integer from 1 to 10000, got a list");
    expect(problem(vms, {})).toBe("vms: is required: an integer from 1 to 10000");
  });

  it("says 'above' for a range open at its minimum", () => {
    const s = numberIn(0, 100, { aboveMin: true });
    expect(s.parse(0.001)).toBe(0.001);
    expect(problem(s, 0)).toBe("(top level): must be a number above 0 and at most 100, got 0");
    expect(rangeText(0, 100, { aboveMin: true })).toBe("a number above 0 and at most 100");
  });
});

describe("describeIssue", () => {
  it("rewords unknown keys, wrong types, enums and discriminators in lower case, with the value", () => {
    const s = z
      .object({
        kind: z.enum(["a", "b"]),
        name: z.string(),
        fault: z.discriminatedUnion("type", [z.object({ type: z.literal("crash") })]),
      })
      .strict();
    const ok = { kind: "a", name: "x", fault: { type: "crash" } };
    expect(problem(s, { ...ok, extra: 1 })).toBe('(top level): unknown key "extra"');
    expect(problem(s, { ...ok, kind: "c" })).toBe('kind: must be one of "a", "b", got "c"');
    expect(problem(s, { ...ok, name: 3 })).toBe("name: expected a string, got 3");
    expect(problem(s, { ...ok, fault: { type: "boom" } })).toBe(
      'fault.type: must be one of "crash", got "boom"',
    );
    expect(problem(s, [1])).toBe("(top level): expected an object, got a list");
  });

  it("quotes long strings shortened, and objects and nulls by kind", () => {
    expect(describeValue("x".repeat(100))).toBe(`"${"x".repeat(40)}..."`);
    expect(describeValue({ a: 1 })).toBe("an object");
    expect(describeValue(null)).toBe("null");
  });
});
