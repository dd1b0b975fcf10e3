import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Batch, BatchBuilder } from "../../engine/batch.js";
import { OutputBuffer } from "../../engine/outputBuffer.js";

/** Batches with the given sizes over strictly increasing, gappy timestamps. */
function batchesOf(sizes: readonly number[], gaps: readonly number[]): Batch[] {
  let seq = 0;
  let g = 0;
  return sizes.map((n) => {
    const b = new BatchBuilder(0);
    for (let i = 0; i < n; i++) {
      seq += 1 + (gaps[g++ % Math.max(1, gaps.length)] ?? 0);
      b.push(seq * 10, seq, seq);
    }
    return b.build(0);
  });
}

const seqsOf = (batches: readonly Batch[]) => batches.flatMap((b) => [...b.seqs]);

const sizes = fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 12 });
const gaps = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 });

describe("OutputBuffer", () => {
  it("trimming never drops a tuple that is not covered by the ack", () => {
    fc.assert(
      fc.property(sizes, gaps, fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 6 }), (s, g, acks) => {
        const batches = batchesOf(s, g);
        const buffer = new OutputBuffer(batches);
        let acked = 0;
        for (const a of acks) {
          buffer.trim(a);
          acked = Math.max(acked, a);
          const kept = seqsOf(buffer.snapshot());
          expect(kept).toEqual(seqsOf(batches).filter((q) => q > acked));
          expect(buffer.length).toBe(kept.length);
        }
      }),
    );
  });

  it("replay from a timestamp delivers exactly the tuples after it, in order", () => {
    fc.assert(
      fc.property(
        sizes,
        gaps,
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 400 }),
        (s, g, ack, from) => {
          const batches = batchesOf(s, g);
          const buffer = new OutputBuffer(batches);
          buffer.trim(ack);
          const replayed = buffer.replayFrom(from);
          expect(seqsOf(replayed)).toEqual(seqsOf(batches).filter((q) => q > Math.max(ack, from)));
          // Payload columns travel with their timestamps.
          for (const b of replayed) for (let i = 0; i < b.length; i++) expect(b.keys[i]).toBe(b.seqs[i] * 10);
        },
      ),
    );
  });

  it("a trim bounded by event time drops only the leading tuples covered by the ack and before that time", () => {
    fc.assert(
      fc.property(
        sizes,
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 70 }),
        (s, times, ack, before) => {
          let seq = 0;
          const batches = s.map((n) => {
            const b = new BatchBuilder(0);
            const prev = seq;
            for (let i = 0; i < n; i++, seq++) b.push(seq, times[seq % times.length], seq + 1);
            return b.build(0, prev);
          });
          const buffer = new OutputBuffer(batches);
          const all = batches.flatMap((b) => [...b.seqs].map((q, i) => [q, b.eventTimesMs[i]] as const));
          let lead = 0;
          while (lead < all.length && all[lead][0] <= ack && all[lead][1] < before) lead++;
          const dropped = buffer.trim(ack, before);
          expect(dropped).toBe(lead);
          expect(seqsOf(buffer.snapshot())).toEqual(all.slice(lead).map(([q]) => q));
          expect(buffer.firstSeq).toBe(lead < all.length ? all[lead][0] : Number.NaN);
          // What is kept still names the last dropped tuple as its predecessor.
          if (lead > 0 && lead < all.length) expect(buffer.snapshot()[0].prevSeq).toBe(all[lead - 1][0]);
        },
      ),
    );
  });

  it("a snapshot is not changed by later appends and trims", () => {
    const [a, b, c] = batchesOf([3, 3, 3], [0]);
    const buffer = new OutputBuffer([a, b]);
    const snap = buffer.snapshot();
    buffer.append(c);
    buffer.trim(4);
    expect(seqsOf(snap)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("refuses a batch whose timestamps do not follow those it holds", () => {
    const [a, b] = batchesOf([3, 3], [0]);
    const buffer = new OutputBuffer([b]);
    expect(() => buffer.append(a)).toThrow(/does not follow/);
  });
});
