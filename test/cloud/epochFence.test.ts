// The epoch fence: equal and newer epochs pass and raise it, older ones are refused with one
// line; the header is read strictly, and a coordinator stamps it only under HA (epoch > 0).
// The fence on a live worker (calls refused, a watch stream ended) is in workerFailover.test.ts.

import { Metadata } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { epochMetadata, hasToken } from "../../cloud/auth.js";
import { EPOCH_HEADER, EpochFence, epochOf, MalformedEpoch } from "../../cloud/epochFence.js";

describe("EpochFence", () => {
  it("admits equal and newer epochs, raising the highest, and refuses older ones", () => {
    const fence = new EpochFence();
    expect(fence.highest).toBe(0);
    expect(fence.admit(0)).toBe(true);
    expect(fence.admit(4)).toBe(true);
    expect(fence.highest).toBe(4);
    expect(fence.admit(4)).toBe(true);
    expect(fence.admit(3)).toBe(false);
    expect(fence.admit(0)).toBe(false);
    expect(fence.highest).toBe(4);
    expect(fence.admit(9)).toBe(true);
    expect(fence.admit(4)).toBe(false);
    expect(fence.highest).toBe(9);
  });

  it("words a refusal in one line naming both epochs", () => {
    const fence = new EpochFence();
    fence.admit(4);
    expect(fence.refusal(3)).toBe("fenced: epoch 3 is older than 4");
  });
});

describe("epochOf", () => {
  const stamped = (...values: string[]) => {
    const m = new Metadata();
    for (const v of values) m.add(EPOCH_HEADER, v);
    return m;
  };

  it("is undefined without the header, and the number it carries with it", () => {
    expect(epochOf(new Metadata())).toBeUndefined();
    expect(epochOf(stamped("0"))).toBe(0);
    expect(epochOf(stamped("12"))).toBe(12);
  });

  it.each([["-1"], ["1.5"], ["x"], [""], ["99999999999999999999"], [" 3"]])(
    "refuses the header '%s' in one line",
    (value) => {
      expect(() => epochOf(stamped(value))).toThrow(MalformedEpoch);
      expect(() => epochOf(stamped(value))).toThrow(/^seep-epoch must be one whole number, got '.*'$/);
    },
  );

  it("refuses two values of the header", () => {
    expect(() => epochOf(stamped("1", "2"))).toThrow("seep-epoch must be one whole number, got '1,2'");
  });
});

describe("epochMetadata", () => {
  it("carries the token and the epoch, and at epoch 0 only the token (no HA: as before)", () => {
    const m = epochMetadata("t", 7);
    expect(hasToken(m, "t")).toBe(true);
    expect(epochOf(m)).toBe(7);
    const plain = epochMetadata("t", 0);
    expect(hasToken(plain, "t")).toBe(true);
    expect(plain.get(EPOCH_HEADER)).toEqual([]);
  });

  it("refuses an epoch that is not a whole number >= 0", () => {
    expect(() => epochMetadata("t", -1)).toThrow("a fencing epoch is a whole number >= 0, got -1");
    expect(() => epochMetadata("t", 1.5)).toThrow(RangeError);
  });
});
