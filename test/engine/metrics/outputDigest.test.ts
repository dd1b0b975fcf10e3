// Tests of the sink output digest: blind to how keys interleave, sensitive to the order
// and content of each key's records; restored from a snapshot, it goes on exactly.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OutputDigest } from "../../../engine/metrics/outputDigest.js";
import { OutputStateError } from "../../../engine/metrics/snapshotBytes.js";
import { admittedRecords, recordRun, sameBytes } from "./outputEvents.js";

interface SinkRecord {
  sink: string;
  key: number;
  eventTimeMs: number;
  value: unknown;
}

const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.string(),
  fc.constant(undefined),
  fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.integer(), fc.boolean(), fc.constant(null)), {
    maxKeys: 3,
  }),
);
const recordArb: fc.Arbitrary<SinkRecord> = fc.record({
  sink: fc.constantFrom("counts", "alerts"),
  key: fc.integer({ min: -3, max: 5 }),
  eventTimeMs: fc.nat(10_000),
  value: valueArb,
});

function digestOf(records: readonly SinkRecord[]): string {
  return fed(new OutputDigest(), records).digest();
}

function fed(d: OutputDigest, records: readonly SinkRecord[]): OutputDigest {
  for (const r of records) d.add(r.sink, r.key, r.eventTimeMs, r.value);
  return d;
}

/** The digest of `records`, through a snapshot taken after the first `k`. */
function restoredAt(records: readonly SinkRecord[], k: number): OutputDigest {
  const before = fed(new OutputDigest(), records.slice(0, k));
  return fed(OutputDigest.restore(before.snapshot()), records.slice(k));
}

/** The records reordered by `picks`, keeping the relative order of each (sink, key). */
function interleave(records: readonly SinkRecord[], picks: readonly number[]): SinkRecord[] {
  const streams = new Map<string, SinkRecord[]>();
  for (const r of records) {
    const id = `${r.sink}/${r.key}`;
    streams.set(id, [...(streams.get(id) ?? []), r]);
  }
  const queues = [...streams.values()];
  const out: SinkRecord[] = [];
  let p = 0;
  while (queues.length > 0) {
    const i = (picks[p++ % Math.max(1, picks.length)] ?? 0) % queues.length;
    out.push(queues[i].shift()!);
    if (queues[i].length === 0) queues.splice(i, 1);
  }
  return out;
}

describe("OutputDigest", () => {
  it("is equal under any interleaving of keys that keeps each key's order", () => {
    fc.assert(
      fc.property(
        fc.array(recordArb, { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (records, picks) => {
          const shuffled = interleave(records, picks);
          expect(shuffled).toHaveLength(records.length);
          expect(digestOf(shuffled)).toBe(digestOf(records));
        },
      ),
    );
  });

  it("differs when two different records of the same key swap", () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 20 }), recordArb, recordArb, (rest, x, y) => {
        const first = { ...x, sink: "s", key: 1 };
        const second = { ...y, sink: "s", key: 1 };
        fc.pre(digestOf([first]) !== digestOf([second]));
        expect(digestOf([...rest, first, second])).not.toBe(digestOf([...rest, second, first]));
      }),
    );
  });

  it("differs when a value, an event time, a key or a sink changes", () => {
    const base: SinkRecord[] = [
      { sink: "counts", key: 1, eventTimeMs: 10, value: { word: "a", n: 2 } },
      { sink: "counts", key: 2, eventTimeMs: 11, value: 3 },
      { sink: "alerts", key: 1, eventTimeMs: 12, value: "hot" },
    ];
    const d = digestOf(base);
    const variants: SinkRecord[][] = [
      [{ ...base[0], value: { word: "a", n: 3 } }, base[1], base[2]],
      [base[0], { ...base[1], value: "3" }, base[2]],
      [base[0], { ...base[1], eventTimeMs: 12 }, base[2]],
      [base[0], { ...base[1], key: 3 }, base[2]],
      [base[0], base[1], { ...base[2], sink: "counts" }],
      [base[0], base[1]],
    ];
    for (const v of variants) expect(digestOf(v)).not.toBe(d);
  });

  it("encodes values canonically: object key order, -0 and undefined properties do not matter", () => {
    const a = digestOf([{ sink: "s", key: 0, eventTimeMs: 0, value: { x: 1, y: [0, "z"], u: undefined } }]);
    const b = digestOf([{ sink: "s", key: 0, eventTimeMs: -0, value: { y: [-0, "z"], x: 1 } }]);
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(digestOf([{ sink: "s", key: 0, eventTimeMs: 0, value: [1, [2]] }])).not.toBe(
      digestOf([{ sink: "s", key: 0, eventTimeMs: 0, value: [[1], 2] }]),
    );
  });

  it("counts records and refuses values it cannot encode canonically", () => {
    const d = new OutputDigest();
    d.add("s", 1, 0, 1);
    d.add("s", 2, 0, new Float64Array([1, 2]));
    expect(d.count).toBe(2);
    expect(() => d.add("s", 1, 0, new Map())).toThrow(TypeError);
    expect(() => d.add("s", 1, 0, () => 1)).toThrow(TypeError);
  });
});

describe("OutputDigest's snapshot", () => {
  it("restored after any prefix of a Linear Road run's outputs, ends with the whole run's digest", () => {
    const records = admittedRecords(recordRun("lrb", 60_321).events);
    const whole = fed(new OutputDigest(), records);
    const n = records.length;
    for (const k of [0, 1, 2, ...Array.from({ length: 30 }, (_, i) => Math.round((i * n) / 29)), n - 1]) {
      const d = restoredAt(records, k);
      expect(d.digest(), `cut ${k} of ${n}`).toBe(whole.digest());
      expect(d.count).toBe(n);
      expect(sameBytes(d.snapshot(), whole.snapshot())).toBe(true);
    }
  });

  it("restored after any prefix of random records on two sinks, ends with the uninterrupted digest", () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 60 }), fc.nat(), (records, at) => {
        const k = at % (records.length + 1);
        const d = restoredAt(records, k);
        expect(d.digest()).toBe(digestOf(records));
        expect(d.count).toBe(records.length);
      }),
    );
  });

  it("grows past its first 256 streams after a restore", () => {
    const records = Array.from({ length: 700 }, (_, i) => ({
      sink: "s",
      key: i % 300,
      eventTimeMs: i,
      value: i,
    }));
    expect(restoredAt(records, 100).digest()).toBe(digestOf(records));
    expect(restoredAt(records, 400).digest()).toBe(digestOf(records));
  });

  it("holds each sink's name once and 24 bytes a (sink, key) stream", () => {
    const d = new OutputDigest();
    for (let i = 0; i < 1000; i++)
      d.add(i % 2 === 0 ? "counts" : "alerts", (i >> 1) % 100, i, { word: "w", n: i });
    const header = 6;
    const sinks = 2 * (4 + 4) + "counts".length + "alerts".length;
    expect(d.snapshot()).toHaveLength(header + 8 + 4 + sinks + 24 * 200);
  });

  it("refuses a snapshot whose streams do not add up to its total, or that repeats a key", () => {
    const d = fed(new OutputDigest(), [
      { sink: "s", key: 1, eventTimeMs: 0, value: 1 },
      { sink: "s", key: 2, eventTimeMs: 0, value: 1 },
    ]);
    const bytes = d.snapshot();
    const total = bytes.slice();
    new DataView(total.buffer).setFloat64(6, 3, true);
    expect(() => OutputDigest.restore(total)).toThrow(OutputStateError);
    expect(() => OutputDigest.restore(total)).toThrow(
      "the digest's streams hold 2 records, its total says 3",
    );
    const keys = bytes.slice();
    const firstKey = 6 + 8 + 4 + 4 + 1 + 4;
    new DataView(keys.buffer).setFloat64(firstKey + 8, 1, true);
    expect(() => OutputDigest.restore(keys)).toThrow("the digest repeats a key of sink s");
  });
});
