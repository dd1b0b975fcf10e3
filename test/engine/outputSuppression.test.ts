import { describe, expect, it } from "vitest";
import { BatchBuilder } from "../../engine/batch.js";
import { channelKey, OutputSuppression, type PieceSink } from "../../engine/outputSuppression.js";

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

  function recorder(log: string[]): PieceSink {
    return {
      deliver: (_edge, _sender, tuples) => log.push(`deliver ${[...tuples.seqs].join(",")}`),
      moveEventTime: (watermarkMs) => log.push(`time ${watermarkMs}`),
      flush: (suppressed) =>
        log.push(
          suppressed === null
            ? "flush"
            : `flush ${[suppressed(1, 10), suppressed(1, 11), suppressed(2, 12)].map(Number).join("")}`,
        ),
    };
  }

  it("delivers a channel's tuples in pieces ending at the cuts, each piece's covered output dropped", () => {
    const b = new BatchBuilder();
    for (const seq of [90, 100, 200, 250, 300]) b.push(seq, 0, seq);
    const log: string[] = [];
    const rest = s.deliver(0, 5, b.build(0), recorder(log));
    expect(log).toEqual(["flush", "deliver 90,100", "flush 111", "flush", "deliver 200,250", "flush 010"]);
    expect([...rest!.seqs]).toEqual([300]);
    const past = new BatchBuilder();
    past.push(1, 0, 400);
    const whole = past.build(0);
    expect(s.deliver(0, 5, whole, recorder(log))).toBe(whole);
  });

  it("moves the event time in steps ending at the cuts' event times, each step's covered firings dropped", () => {
    const log: string[] = [];
    expect(s.advance(600, 1_500, recorder(log))).toBe(true);
    expect(log).toEqual(["flush", "time 1000", "flush 110", "flush", "time 1500", "flush 100"]);
    expect(s.advance(2_000, 3_000, recorder(log))).toBe(false);
  });
});
