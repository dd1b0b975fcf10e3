// Tests of the fixed-size trace: its incremental hash, its byte format and its CSV.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readTrace, Trace, TraceKind, type TraceRecord, traceToCsv } from "../../sim/trace.js";

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const recordArb: fc.Arbitrary<TraceRecord> = fc.record({
  timeMs: fc.double({ noNaN: true }),
  kind: fc.constantFrom(...Object.values(TraceKind)),
  a: int32,
  b: int32,
  c: int32,
  x: fc.double({ noNaN: true }),
});

function traceOf(records: readonly TraceRecord[], initialCapacity = 2): Trace {
  const t = new Trace({ initialCapacity });
  for (const r of records) t.record(r.kind, r.timeMs, r.a, r.b, r.c, r.x);
  return t;
}

describe("Trace", () => {
  it("gives equal hashes for equal records, however the buffer grew", () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 60 }), (records) => {
        expect(traceOf(records, 1).hash()).toBe(traceOf(records, 64).hash());
      }),
    );
  });

  it("gives a different hash when any one field of one record differs", () => {
    const fields = ["timeMs", "kind", "a", "b", "c", "x"] as const;
    fc.assert(
      fc.property(
        fc.array(recordArb, { minLength: 1, maxLength: 30 }),
        fc.nat(),
        fc.constantFrom(...fields),
        recordArb,
        (records, at, field, other) => {
          const i = at % records.length;
          fc.pre(!Object.is(records[i][field], other[field]));
          const changed = records.map((r) => ({ ...r }));
          changed[i] = { ...changed[i], [field]: other[field] };
          expect(traceOf(changed).hash()).not.toBe(traceOf(records).hash());
        },
      ),
      { numRuns: 500 },
    );
  });

  it("hashes to 16 hex digits and counts its records", () => {
    const t = traceOf([{ timeMs: 1, kind: TraceKind.VmReady, a: 3, b: 0, c: 0, x: 0 }]);
    expect(t.hash()).toMatch(/^[0-9a-f]{16}$/);
    expect(t.length).toBe(1);
    expect(new Trace().hash()).not.toBe(t.hash());
  });

  it("round-trips its bytes through readTrace", () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 60 }), (records) => {
        const bytes = traceOf(records).bytes();
        expect(bytes.length).toBe(16 + 32 * records.length);
        expect(readTrace(bytes)).toEqual(records);
      }),
    );
  });

  it("is readable record by record while it is written", () => {
    const t = new Trace({ initialCapacity: 1 });
    t.record(TraceKind.Send, 5, 1, 2, 10, 640);
    expect(t.at(0)).toEqual({ timeMs: 5, kind: TraceKind.Send, a: 1, b: 2, c: 10, x: 640 });
    t.record(TraceKind.Deliver, 7, 1, 2, 10, 2);
    expect(t.at(1).kind).toBe(TraceKind.Deliver);
    expect(t.at(0).x).toBe(640);
    expect(() => t.at(2)).toThrow(RangeError);
  });

  it("refuses bytes with a bad header, a wrong version or a truncated record", () => {
    const good = traceOf([{ timeMs: 1, kind: TraceKind.Task, a: 1, b: 0, c: 5, x: 0.5 }]).bytes();
    const badMagic = good.slice();
    badMagic[0] = "X".charCodeAt(0);
    expect(() => readTrace(badMagic)).toThrow(/not a SEEP trace/);
    const badVersion = good.slice();
    badVersion[12] = 9;
    expect(() => readTrace(badVersion)).toThrow(/unsupported SEEP trace/);
    expect(() => readTrace(good.subarray(0, 10))).toThrow(/shorter than/);
    expect(() => readTrace(good.subarray(0, good.length - 1))).toThrow(/truncated/);
  });

  it("refuses fields that do not fit their integer types", () => {
    const t = new Trace();
    expect(() => t.record(TraceKind.Task, 0, 2 ** 31, 0, 0, 0)).toThrow(RangeError);
    expect(() => t.record(TraceKind.Task, 0, 0, 1.5, 0, 0)).toThrow(RangeError);
    expect(() => t.record(-1, 0, 0, 0, 0, 0)).toThrow(RangeError);
    expect(t.length).toBe(0);
  });

  it("keeps and hashes only the kinds it is asked to keep", () => {
    const kinds = new Set<number>([TraceKind.Send]);
    const filtered = new Trace({ kinds });
    const only = new Trace();
    filtered.record(TraceKind.Task, 1, 1, 0, 3, 0.2);
    filtered.record(TraceKind.Send, 2, 1, 2, 3, 96);
    only.record(TraceKind.Send, 2, 1, 2, 3, 96);
    expect(filtered.length).toBe(1);
    expect(filtered.hash()).toBe(only.hash());
  });

  it("writes CSV with kind names", () => {
    const csv = traceToCsv([
      { timeMs: 1.5, kind: TraceKind.Fault, a: 2, b: -1, c: 0, x: 0 },
      { timeMs: 2, kind: 99, a: 0, b: 0, c: 0, x: 0.25 },
    ]);
    expect(csv).toBe("timeMs,kind,a,b,c,x\n1.5,Fault,2,-1,0,0\n2,99,0,0,0,0.25\n");
  });
});
