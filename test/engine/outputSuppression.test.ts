import { describe, expect, it } from "vitest";
import { channelKey, OutputSuppression } from "../../engine/outputSuppression.js";

const at = (edge: number, sender: number, seq: number) => ({ edge, sender, seq, watermarkMs: 0 });

describe("OutputSuppression", () => {
  const s = new OutputSuppression([
    { edge: 1, receiver: 10, processed: [at(0, 5, 100), at(0, 6, 40)], watermarkMs: 2_000 },
    { edge: 1, receiver: 11, processed: [at(0, 5, 250)], watermarkMs: 1_000 },
    { edge: null, receiver: null, processed: [at(0, 5, 100)], watermarkMs: 500 },
  ]);

  it("lists each channel's cut positions in order, from a tuple on", () => {
    expect(s.positionsOn(channelKey(0, 5), 0)).toEqual([100, 250]);
    expect(s.positionsOn(channelKey(0, 5), 101)).toEqual([250]);
    expect(s.positionsOn(channelKey(0, 6), 0)).toEqual([40]);
    expect(s.positionsOn(channelKey(0, 7), 0)).toEqual([]);
    expect(s.watermarksAbove(600)).toEqual([1_000, 2_000]);
  });

  it("suppresses, per receiver, the output of tuples its cut reaches", () => {
    const upTo100 = s.byPosition(channelKey(0, 5), 100);
    expect([upTo100(1, 10), upTo100(1, 11), upTo100(2, 12)]).toEqual([true, true, true]);
    const upTo250 = s.byPosition(channelKey(0, 5), 250);
    expect([upTo250(1, 10), upTo250(1, 11), upTo250(2, 12)]).toEqual([false, true, false]);
    const other = s.byPosition(channelKey(0, 6), 40);
    expect([other(1, 10), other(1, 11)]).toEqual([true, false]);
  });

  it("suppresses, per receiver, the firings up to its cut's event time", () => {
    const w = s.byWatermark(1_000);
    expect([w(1, 10), w(1, 11), w(2, 12)]).toEqual([true, true, false]);
    expect(s.byWatermark(2_001)(1, 10)).toBe(false);
  });
});
