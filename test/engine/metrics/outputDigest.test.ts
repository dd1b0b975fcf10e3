// Tests of the sink output digest: blind to how keys interleave, sensitive to the order
// and content of each key's records.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OutputDigest } from "../../../engine/metrics/outputDigest.js";

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
  const d = new OutputDigest();
  for (const r of records) d.add(r.sink, r.key, r.eventTimeMs, r.value);
  return d.digest();
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
