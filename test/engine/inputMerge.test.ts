// The canonical input merge: whatever the batch cuts, the arrival interleaving of channels
// and the steps the watermark takes, the released sequence is the same, and it is the
// (event time, channel) merge of the channels' sequences.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Batch, InputMerge } from "../../engine/index.js";

interface Tuple {
  readonly t: number;
  readonly seq: number;
}

function batchOf(tuples: readonly Tuple[], watermarkMs: number): Batch {
  const n = tuples.length;
  const keys = new Float64Array(n);
  const times = Float64Array.from(tuples.map((x) => x.t));
  const seqs = Float64Array.from(tuples.map((x) => x.seq));
  return new Batch(n, keys, times, seqs, [], null, watermarkMs);
}

/** Channels of non-decreasing event times, each a list of (time, seq). */
const channelsArb = fc.array(
  fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 30 }).map((steps) => {
    let t = 0;
    return steps.map((d, i) => {
      t += d;
      return { t, seq: i + 1 };
    });
  }),
  { minLength: 2, maxLength: 4 },
);

/** Deliver the channels cut into batches (cuts from `cutSeed`) in an order from `orderSeed`. */
function run(channels: readonly Tuple[][], cutSeed: number, orderSeed: number): string[] {
  let r = cutSeed;
  const next = () => {
    r = (r * 1103515245 + 12345) % 2147483648;
    return r;
  };
  const pending = channels.map((c) => {
    const out: Batch[] = [];
    let i = 0;
    while (i < c.length) {
      const n = 1 + (next() % 4);
      const part = c.slice(i, i + n);
      i += n;
      // Watermark: what this channel sends later has an event time of at least this.
      const wm = i < c.length ? c[i].t : Number.POSITIVE_INFINITY;
      out.push(batchOf(part, wm));
    }
    if (out.length === 0) out.push(batchOf([], Number.POSITIVE_INFINITY));
    return out;
  });
  const merge = new InputMerge();
  const wm = channels.map(() => Number.NEGATIVE_INFINITY);
  const released: string[] = [];
  let o = orderSeed;
  while (pending.some((p) => p.length > 0)) {
    o = (o * 69069 + 1) % 4294967296;
    const live = pending.map((p, c) => (p.length > 0 ? c : -1)).filter((c) => c >= 0);
    const c = live[o % live.length];
    const b = pending[c].shift()!;
    merge.push(0, c, b);
    wm[c] = Math.max(wm[c], b.watermarkMs);
    merge.release(Math.min(...wm), (_edge, sender, run) => {
      for (let i = 0; i < run.length; i++) released.push(`${sender}:${run.seqs[i]}@${run.eventTimesMs[i]}`);
    });
  }
  expect(merge.heldTuples).toBe(0);
  expect(merge.lateTuples).toBe(0);
  return released;
}

describe("InputMerge", () => {
  it("releases the same sequence whatever the batch cuts, arrival order and watermark steps", () => {
    fc.assert(
      fc.property(channelsArb, fc.nat(), fc.nat(), fc.nat(), fc.nat(), (channels, c1, o1, c2, o2) => {
        const a = run(channels, c1, o1);
        const b = run(channels, c2, o2);
        expect(b).toEqual(a);
        // The (event time, channel) merge, each channel in its own order.
        const expected = channels
          .flatMap((c, ch) => c.map((x) => ({ ...x, ch })))
          .sort((x, y) => x.t - y.t || x.ch - y.ch || x.seq - y.seq)
          .map((x) => `${x.ch}:${x.seq}@${x.t}`);
        expect(a).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("holds a tuple until every channel's watermark has passed it", () => {
    const m = new InputMerge();
    const out: number[] = [];
    const sink = (_e: number, _s: number, b: Batch) => out.push(...b.eventTimesMs);
    m.push(0, 1, batchOf([{ t: 5, seq: 1 }], 6));
    expect(m.release(Number.NEGATIVE_INFINITY, sink)).toBe(0);
    m.push(0, 2, batchOf([{ t: 7, seq: 1 }], 8));
    expect(m.release(6, sink)).toBe(1);
    expect(out).toEqual([5]);
    expect(m.heldTuples).toBe(1);
    m.push(0, 1, batchOf([{ t: 3, seq: 2 }], 9));
    expect(m.lateTuples).toBe(1);
  });
});
