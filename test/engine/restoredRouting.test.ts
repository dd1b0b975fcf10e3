import { describe, expect, it } from "vitest";
import { BatchBuilder } from "../../engine/batch.js";
import type { BufferedChannel, OutputPosition } from "../../engine/checkpoint.js";
import { keyGroupOf } from "../../engine/keyGroups.js";
import { OutputBuffer } from "../../engine/outputBuffer.js";
import { underPlanRouting } from "../../engine/restoredRouting.js";
import type { RoutingState } from "../../engine/router.js";

const MAX = 8;
const routing = (receivers: number[], ranges: [number, number][]): RoutingState => ({
  contract: "key",
  receivers,
  ranges: ranges.map(([first, last]) => ({ first, last }) as never),
  maxKeyGroups: MAX,
  senderIndex: 0,
  next: 0,
});

/** A key whose key group is `group`. */
function keyIn(group: number, n: number): number {
  let found = 0;
  for (let k = 1; ; k++) if (keyGroupOf(k, MAX) === group && found++ === n) return k;
}

/** One edge's timestamps dealt to two receivers (10: groups 0-3, 11: groups 4-7), in batches of three. */
function interleaved(): { buffered: BufferedChannel[]; tuples: { key: number; seq: number }[] } {
  const tuples: { key: number; seq: number }[] = [];
  for (let seq = 101; seq <= 130; seq++) tuples.push({ key: keyIn(seq % MAX, seq), seq });
  const to = (r: number) => tuples.filter((t) => (r === 10) === keyGroupOf(t.key, MAX) < 4);
  const channel = (receiver: number, prevSeq: number): BufferedChannel => {
    const batches = [];
    const mine = to(receiver);
    let prev = prevSeq;
    for (let i = 0; i < mine.length; i += 3) {
      const b = new BatchBuilder(0);
      for (const t of mine.slice(i, i + 3)) b.push(t.key, t.seq, t.seq);
      const batch = b.build(t0(mine[Math.min(i + 2, mine.length - 1)].seq), prev);
      prev = batch.lastSeq;
      batches.push(batch);
    }
    return { edge: 0, receiver, batches };
  };
  return { buffered: [channel(10, 100), channel(11, 99)], tuples };
}
const t0 = (seq: number) => seq * 10;

describe("underPlanRouting", () => {
  it("moves interleaved channels' tuples to their new owner in timestamp order, each once", () => {
    const { buffered, tuples } = interleaved();
    const position: OutputPosition = {
      edge: 0,
      routing: routing(
        [10, 11],
        [
          [0, 3],
          [4, 7],
        ],
      ),
      seq: 130,
      sentTo: [
        [10, 130],
        [11, 129],
      ],
    };
    // A scale in merged 11 into 10: 10 owns every key group now.
    const moved = underPlanRouting(position, buffered, routing([10], [[0, 7]]), 0);
    expect(moved.buffered.map((c) => c.receiver)).toEqual([10]);
    const seqs = moved.buffered[0].batches.flatMap((b) => [...b.seqs.subarray(0, b.length)]);
    expect(seqs).toEqual(tuples.map((t) => t.seq));
    // The output buffer that holds the restored channel takes it (timestamps ascend).
    const buffer = new OutputBuffer();
    for (const b of moved.buffered[0].batches) buffer.append(b);
    expect(buffer.length).toBe(tuples.length);
    // No false gap: the channel names a predecessor no later than where either buffer began.
    expect(moved.buffered[0].batches[0].prevSeq).toBeLessThanOrEqual(99);
    expect(moved.position.sentTo).toEqual([[10, 130]]);
  });

  it("splits one channel over two new owners by key group", () => {
    const { tuples } = interleaved();
    const batches = [];
    let prev = 100;
    for (let i = 0; i < tuples.length; i += 3) {
      const b = new BatchBuilder(0);
      for (const t of tuples.slice(i, i + 3)) b.push(t.key, t.seq, t.seq);
      const batch = b.build(0, prev);
      prev = batch.lastSeq;
      batches.push(batch);
    }
    const position: OutputPosition = {
      edge: 0,
      routing: routing([10], [[0, 7]]),
      seq: 130,
      sentTo: [[10, 130]],
    };
    // A scale out split 10: 12 owns key groups 4-7 now.
    const moved = underPlanRouting(
      position,
      [{ edge: 0, receiver: 10, batches }],
      routing(
        [10, 12],
        [
          [0, 3],
          [4, 7],
        ],
      ),
      0,
    );
    expect(moved.buffered.map((c) => c.receiver).sort()).toEqual([10, 12]);
    for (const c of moved.buffered) {
      const keys = c.batches.flatMap((b) => [...b.keys.subarray(0, b.length)]);
      const want = tuples.filter((t) => (c.receiver === 10) === keyGroupOf(t.key, MAX) < 4).map((t) => t.key);
      expect(keys).toEqual(want);
    }
  });
});
