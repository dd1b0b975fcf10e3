import { describe, expect, it } from "vitest";
import { type Batch, BatchBuilder } from "../../../engine/batch.js";
import { InputChannels } from "../../../engine/inputChannels.js";
import { InputAlignment } from "../../../engine/instance/inputAlignment.js";
import type { AlignedInputs } from "../../../engine/operator.js";

function batchOf(seqs: number[], timesMs: number[]): Batch {
  const b = new BatchBuilder();
  for (let i = 0; i < seqs.length; i++) b.push(seqs[i], timesMs[i], seqs[i]);
  return b.build(0);
}

describe("InputAlignment", () => {
  it("hands the operator every port's batches together once each port has one, then marks them processed", () => {
    const inputs = new InputChannels();
    const alignment = new InputAlignment(2);
    expect(alignment.push(0, 1, 0, batchOf([1, 2], [10, 20]))).toBe(false);
    expect(alignment.waiting).toBe(true);
    expect(alignment.minHeldTimeMs(0, 1)).toBe(10);
    expect(alignment.push(1, 2, 1, batchOf([5], [7]))).toBe(true);
    const seen: number[][] = [];
    alignment.release((view: AlignedInputs) => {
      for (let p = 0; p < view.ports; p++) seen.push(view.get(p).flatMap((b) => [...b.seqs]));
    }, inputs);
    expect(seen).toEqual([[1, 2], [5]]);
    expect([inputs.processedSeq(0, 1), inputs.processedSeq(1, 2)]).toEqual([2, 5]);
    expect(alignment.waiting).toBe(false);
    expect(alignment.minHeldTimeMs(0, 1)).toBe(Number.POSITIVE_INFINITY);
  });
});
