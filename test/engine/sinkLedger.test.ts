// Tests of the sinks' ledger: it lets out each channel's tuples once, and restored from a
// snapshot it admits and drops exactly what the ledger it was taken from would, tuples sent
// again from before the snapshot included.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Batch } from "../../engine/batch.js";
import { OutputStateError } from "../../engine/metrics/snapshotBytes.js";
import { SinkLedger } from "../../engine/sinkLedger.js";
import { recordRun, type SinkEvent, sameBytes } from "./metrics/outputEvents.js";

/** A batch on channel (instance, edge, sender) with timestamps `seqs` (increasing). */
interface Sent {
  readonly instance: number;
  readonly edge: number;
  readonly sender: number;
  readonly batch: Batch;
}

function batchOf(seqs: readonly number[]): Batch {
  const column = Float64Array.from(seqs);
  return new Batch(seqs.length, column, column, column, [], null, 0);
}

/** The timestamps `ledger` lets out of each of `sent`, in order. */
function admitted(ledger: SinkLedger, sent: readonly Sent[]): number[][] {
  return sent.map((s) => Array.from(ledger.admit(s.instance, s.edge, s.sender, s.batch).seqs));
}

/** What a ledger through a snapshot after `sent[0, k)` lets out of the `resent` before k again and of the rest. */
function restoredAt(sent: readonly Sent[], k: number, resent: number) {
  const before = new SinkLedger();
  admitted(before, sent.slice(0, k));
  const after = SinkLedger.restore(before.snapshot());
  const again = admitted(after, sent.slice(Math.max(0, k - resent), k));
  return { ledger: after, again, rest: admitted(after, sent.slice(k)) };
}

const sentArb: fc.Arbitrary<Sent> = fc
  .record({
    instance: fc.integer({ min: 0, max: 2 }),
    edge: fc.integer({ min: 0, max: 1 }),
    sender: fc.integer({ min: 0, max: 40 }),
    from: fc.integer({ min: 1, max: 60 }),
    length: fc.integer({ min: 0, max: 6 }),
  })
  .map(({ instance, edge, sender, from, length }) => {
    const seqs = Array.from({ length }, (_, i) => from + 2 * i);
    return { instance, edge, sender: sender % 3, batch: batchOf(seqs) };
  });

describe("SinkLedger", () => {
  it("lets out a channel's tuples once, whatever is sent again", () => {
    const ledger = new SinkLedger();
    expect(Array.from(ledger.admit(1, 0, 2, batchOf([1, 2, 3])).seqs)).toEqual([1, 2, 3]);
    expect(Array.from(ledger.admit(1, 0, 2, batchOf([2, 3, 4, 5])).seqs)).toEqual([4, 5]);
    expect(Array.from(ledger.admit(1, 0, 3, batchOf([2, 3])).seqs)).toEqual([2, 3]);
    expect(ledger.admit(1, 0, 2, batchOf([4])).length).toBe(0);
    expect(ledger.repeats).toBe(3);
    expect(ledger.ahead(1, () => 4)).toBe(true);
    expect(ledger.ahead(1, () => 5)).toBe(false);
  });
});

describe("SinkLedger's snapshot", () => {
  const events = recordRun("wordcount", 14_321).events.filter((e): e is SinkEvent => e.kind === "sink");
  const whole = new SinkLedger();
  const out = admitted(whole, events);

  it("restored at every cut of a word count run's sink batches, drops the resent ones and lets out the rest as before", () => {
    expect(whole.repeats).toBeGreaterThan(0);
    for (let k = 0; k <= events.length; k++) {
      for (const resent of [0, 1, 8]) {
        const { ledger, again, rest } = restoredAt(events, k, resent);
        expect(
          again.every((seqs) => seqs.length === 0),
          `cut ${k}, ${resent} resent`,
        ).toBe(true);
        expect(rest, `cut ${k}`).toEqual(out.slice(k));
        const resentTuples = events.slice(Math.max(0, k - resent), k).reduce((n, e) => n + e.batch.length, 0);
        expect(ledger.repeats, `cut ${k}, ${resent} resent`).toBe(whole.repeats + resentTuples);
      }
    }
  });

  it("restored after random batches on random channels, admits and drops what the original does", () => {
    fc.assert(
      fc.property(fc.array(sentArb, { maxLength: 40 }), fc.nat(), fc.nat(5), (sent, at, resent) => {
        const k = at % (sent.length + 1);
        const original = new SinkLedger();
        const expected = admitted(original, sent);
        const { ledger, again, rest } = restoredAt(sent, k, resent);
        expect(again.flat()).toEqual([]);
        expect(rest).toEqual(expected.slice(k));
        const seen = (edge: number, sender: number) => 10 * edge + 7 * sender;
        for (const instance of [0, 1, 2])
          expect(ledger.ahead(instance, seen)).toBe(original.ahead(instance, seen));
        expect(sameBytes(restoredAt(sent, k, 0).ledger.snapshot(), original.snapshot())).toBe(true);
      }),
    );
  });

  it("snapshots what restores from it to the same bytes", () => {
    const bytes = whole.snapshot();
    expect(sameBytes(SinkLedger.restore(bytes).snapshot(), bytes)).toBe(true);
    expect(bytes.length).toBe(
      6 + 8 + 4 + 32 * new Set(events.map((e) => `${e.instance}/${e.edge}/${e.sender}`)).size,
    );
  });

  it("refuses a snapshot that names a channel twice, or of another kind", () => {
    const ledger = new SinkLedger();
    ledger.admit(1, 0, 2, batchOf([1]));
    ledger.admit(1, 0, 3, batchOf([1]));
    const twice = ledger.snapshot();
    new DataView(twice.buffer).setFloat64(6 + 8 + 4 + 32 + 16, 2, true);
    expect(() => SinkLedger.restore(twice)).toThrow(OutputStateError);
    expect(() => SinkLedger.restore(twice)).toThrow("the ledger names a channel twice");
    expect(() => SinkLedger.restore(new SinkLedger().snapshot().subarray(0, 10))).toThrow(
      "unreadable output state snapshot: truncated in ledger repeats (8 bytes, 4 left at offset 6 of 10)",
    );
  });
});
