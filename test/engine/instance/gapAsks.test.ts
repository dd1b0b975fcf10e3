import { describe, expect, it } from "vitest";
import { Batch } from "../../../engine/batch.js";
import type { ControlMessage } from "../../../engine/control.js";
import { InputChannels } from "../../../engine/inputChannels.js";
import { GapAsks } from "../../../engine/instance/gapAsks.js";
import type { Address } from "../../../engine/runtime.js";

const batchOf = () => Batch.watermark(0);

function asker() {
  const inputs = new InputChannels();
  inputs.expect(3, 7);
  const sent: [Address, ControlMessage][] = [];
  const gaps = new GapAsks({
    id: 9,
    inputs,
    send: (to, message) => sent.push([to, message as ControlMessage]),
  });
  const refuse = (times: number) => {
    for (let i = 0; i < times; i++) gaps.accepted(3, 7, batchOf(), null);
  };
  return { inputs, sent, gaps, refuse };
}

describe("GapAsks", () => {
  it("asks a sender once per received position for a replay, and again every 64 refused batches", () => {
    const { sent, gaps, refuse } = asker();
    refuse(1);
    expect(sent).toEqual([[7, { type: "replay", edge: 3, receiver: 9, afterSeq: 0 }]]);
    refuse(63);
    expect(sent.length).toBe(1);
    refuse(1);
    expect(sent.length).toBe(2);
    expect(gaps.drops).toBe(65);
  });

  it("lets a rebuilding channel wait for its resync batch, asking again for what is kept after 64 refusals", () => {
    const { inputs, sent, refuse } = asker();
    inputs.resync(3, 7);
    refuse(64);
    expect(sent).toEqual([]);
    refuse(1);
    expect(sent).toEqual([[7, { type: "replayKept", edge: 3, receiver: 9 }]]);
  });

  it("counts a replay asked on a restore's start as asked: the batches refused after it ask again only every 64", () => {
    const { sent, gaps, refuse } = asker();
    // Restore.starting asked sender 7 for what follows 0 (the restored position).
    gaps.asked(3, 7, 0);
    refuse(63);
    expect(sent).toEqual([]);
    refuse(1);
    expect(sent).toEqual([[7, { type: "replay", edge: 3, receiver: 9, afterSeq: 0 }]]);
  });

  it("asks nothing for a batch that was taken in", () => {
    const { sent, gaps } = asker();
    gaps.accepted(3, 7, batchOf(), batchOf());
    expect(sent).toEqual([]);
    expect(gaps.drops).toBe(0);
  });
});
