import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  KeyGroupRange,
  keyGroupOf,
  mergeRanges,
  ownerTable,
  sliceKeyGroups,
  splitRange,
} from "../../engine/keyGroups.js";

describe("keyGroupOf", () => {
  it("maps every safe integer key into [0, maxKeyGroups)", () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.integer({ min: 1, max: 4096 }), (key, max) => {
        const kg = keyGroupOf(key, max);
        return Number.isInteger(kg) && kg >= 0 && kg < max;
      }),
    );
  });

  it("is stable: known keys keep their key groups across runs and machines", () => {
    // Pinned values: a change here would silently re-partition every saved checkpoint.
    expect([0, 1, 2, 42, -1, 2 ** 40 + 7].map((k) => keyGroupOf(k, 128))).toEqual([0, 40, 24, 4, 64, 8]);
  });

  it("spreads dense keys evenly over key groups", () => {
    const counts = new Array(128).fill(0);
    for (let k = 0; k < 128_000; k++) counts[keyGroupOf(k, 128)]++;
    expect(Math.min(...counts)).toBeGreaterThan(850);
    expect(Math.max(...counts)).toBeLessThan(1150);
  });
});

describe("KeyGroupRange", () => {
  it("contains exactly the key groups between its bounds", () => {
    const r = KeyGroupRange.of(3, 7);
    expect([2, 3, 7, 8].map((kg) => r.contains(kg))).toEqual([false, true, true, false]);
    expect(r.size).toBe(5);
  });

  it("intersects to the shared key groups, or to the empty range", () => {
    expect(KeyGroupRange.of(0, 10).intersect(KeyGroupRange.of(5, 20)).toString()).toBe("[5..10]");
    expect(KeyGroupRange.of(0, 3).intersect(KeyGroupRange.of(5, 9)).isEmpty).toBe(true);
  });

  it("refuses negative or fractional bounds", () => {
    expect(() => KeyGroupRange.of(-1, 3)).toThrow(RangeError);
    expect(() => KeyGroupRange.of(0.5, 3)).toThrow(RangeError);
  });
});

describe("slicing and re-slicing", () => {
  it("slices key groups into contiguous ranges that tile them and differ in size by at most one", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1024 }), fc.integer({ min: 1, max: 1024 }), (max, p) => {
        fc.pre(p <= max);
        const ranges = sliceKeyGroups(max, p);
        const sizes = ranges.map((r) => r.size);
        return (
          ranges.length === p &&
          mergeRanges(ranges).equals(KeyGroupRange.of(0, max - 1)) &&
          Math.max(...sizes) - Math.min(...sizes) <= 1
        );
      }),
    );
  });

  it("splits a range into parts that merge back into it", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 300 }),
        (first, size, parts) => {
          fc.pre(parts <= size);
          const r = KeyGroupRange.of(first, first + size - 1);
          return mergeRanges(splitRange(r, parts)).equals(r);
        },
      ),
    );
  });

  it("refuses to merge ranges that are not adjacent", () => {
    expect(() => mergeRanges([KeyGroupRange.of(0, 3), KeyGroupRange.of(5, 9)])).toThrow(/not adjacent/);
  });

  it("builds an owner table in which every key group has exactly one owner", () => {
    const owners = ownerTable(16, sliceKeyGroups(16, 3));
    expect([...owners]).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
    expect(() => ownerTable(8, [KeyGroupRange.of(0, 4), KeyGroupRange.of(4, 7)])).toThrow(/owned twice/);
  });
});
