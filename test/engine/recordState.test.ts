// RecordState checked against a model (a Map of key -> record, extras beside it) under
// random operations, checkpoints taken in the middle of them, restores, partitions and
// merges, and the checkpoint codec's round trip of records.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeCheckpoint,
  encodeCheckpoint,
  KeyGroupRange,
  keyGroupOf,
  partitionEncoded,
  StateSnapshot,
} from "../../engine/index.js";
import { RecordState } from "../../engine/recordState.js";
import { checkpointOfState, EXTRA_CODEC } from "./fixtures.js";

const WIDTH = 3;
const MAX_KG = 16;

type Model = Map<number, { record: number[]; extra?: unknown }>;

/** The snapshot's content as the model's shape, keys sorted. */
function contentOf(s: StateSnapshot): [number, number[], unknown][] {
  const out: [number, number[], unknown][] = [];
  const stride = s.recordWidth! + 1;
  for (const g of s.recordGroups) {
    for (let row = 0; row < g.count; row++) {
      const k = g.rows[row * stride];
      out.push([k, Array.from(g.rows.subarray(row * stride + 1, (row + 1) * stride)), g.extras.get(k)]);
    }
  }
  return out.sort((a, b) => a[0] - b[0]);
}

function modelContent(m: Model): [number, number[], unknown][] {
  return [...m]
    .map(([k, v]): [number, number[], unknown] => [k, [...v.record], v.extra])
    .sort((a, b) => a[0] - b[0]);
}

function stateContent(s: RecordState): [number, number[], unknown][] {
  const out: [number, number[], unknown][] = [];
  s.forEach((k, h) => {
    out.push([k, [s.get(h, 0), s.get(h, 1), s.get(h, 2)], s.extra(k)]);
  });
  return out.sort((a, b) => a[0] - b[0]);
}

const opArb = fc.oneof(
  fc.record({
    op: fc.constant("put" as const),
    key: fc.integer({ min: 0, max: 24 }),
    f: fc.nat(2),
    v: fc.double(),
  }),
  fc.record({ op: fc.constant("remove" as const), key: fc.integer({ min: 0, max: 24 }) }),
  fc.record({ op: fc.constant("extra" as const), key: fc.integer({ min: 0, max: 24 }), v: fc.nat(100) }),
  fc.record({ op: fc.constant("checkpoint" as const), step: fc.integer({ min: 1, max: 6 }) }),
);

const cloneExtra = (v: unknown) => ({ ...(v as { n: number }) });

describe("RecordState", () => {
  it("holds what a Map model holds, and each checkpoint is the state at its instant, under random operations", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), fc.boolean(), (ops, restoreMidway) => {
        let state = new RecordState(MAX_KG, KeyGroupRange.of(0, MAX_KG - 1), WIDTH, cloneExtra);
        const model: Model = new Map();
        let pending: { expected: [number, number[], unknown][]; step: number } | null = null;
        // Every snapshot taken, with what it held: none may change afterwards.
        const taken: [StateSnapshot, [number, number[], unknown][]][] = [];
        const finishStep = () => {
          if (pending === null) return;
          const snap = state.copyStep(pending.step);
          if (snap !== null) {
            expect(contentOf(snap)).toEqual(pending.expected);
            taken.push([snap, pending.expected]);
            if (restoreMidway) {
              // Carry on from a restore of it, after bringing the model back to it too.
              state = RecordState.restore(snap, cloneExtra);
              model.clear();
              for (const [k, record, extra] of pending.expected)
                model.set(
                  k,
                  extra === undefined
                    ? { record: [...record] }
                    : { record: [...record], extra: cloneExtra(extra) },
                );
            }
            pending = null;
          }
        };
        for (const o of ops) {
          if (o.op === "put") {
            let h = state.find(o.key);
            let m = model.get(o.key);
            if (h < 0) {
              expect(m).toBeUndefined();
              h = state.insert(o.key);
              m = { record: [0, 0, 0] };
              model.set(o.key, m);
            }
            state.set(h, o.f, o.v);
            m!.record[o.f] = o.v;
          } else if (o.op === "remove") {
            expect(state.remove(o.key)).toBe(model.delete(o.key));
          } else if (o.op === "extra") {
            const m = model.get(o.key);
            if (m === undefined) continue;
            const e = state.mutableExtra(o.key) as { n: number } | undefined;
            if (e === undefined) {
              state.setExtra(o.key, { n: o.v });
              m.extra = { n: o.v };
            } else {
              e.n = o.v; // in place: a checkpoint in progress must keep the old value
              m.extra = { n: o.v };
            }
          } else if (pending === null) {
            state.beginCopy();
            pending = { expected: modelContent(model), step: o.step };
          }
          finishStep();
          expect(state.size).toBe(model.size);
        }
        while (pending !== null) finishStep();
        expect(stateContent(state)).toEqual(modelContent(model));
        for (const [snap, expected] of taken) expect(contentOf(snap)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it("rebuilds its index after a restore and grows past the restored capacity", () => {
    const state = new RecordState(MAX_KG, KeyGroupRange.of(0, MAX_KG - 1), WIDTH);
    for (let k = 0; k < 1000; k++) state.set(state.insert(k * 3.5), 0, k);
    state.beginCopy();
    const snap = state.copyStep(Number.MAX_SAFE_INTEGER)!;
    const restored = RecordState.restore(snap);
    for (let k = 0; k < 1000; k++) expect(restored.get(restored.find(k * 3.5), 0)).toBe(k);
    for (let k = 1000; k < 3000; k++) restored.set(restored.insert(k * 3.5), 0, k);
    for (let k = 0; k < 3000; k += 2) expect(restored.remove(k * 3.5)).toBe(true);
    expect(restored.size).toBe(1500);
    for (let k = 1; k < 3000; k += 2) expect(restored.get(restored.find(k * 3.5), 0)).toBe(k);
    expect(restored.find(0)).toBe(-1);
    // The snapshot it came from is untouched.
    expect(snap.size).toBe(1000);
  });

  it("adopts the records of a checkpoint decoded for one restore alone: as a shared restore, under random operations", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), fc.array(opArb, { maxLength: 60 }), (before, after) => {
        const state = new RecordState(MAX_KG, KeyGroupRange.of(0, MAX_KG - 1), WIDTH, cloneExtra);
        const apply = (s: RecordState, ops: typeof before) => {
          for (const o of ops) {
            if (o.op === "put") {
              const h = s.find(o.key);
              s.set(h < 0 ? s.insert(o.key) : h, o.f, o.v);
            } else if (o.op === "remove") s.remove(o.key);
            else if (o.op === "extra" && s.find(o.key) >= 0) s.setExtra(o.key, { n: o.v });
          }
        };
        apply(state, before);
        state.beginCopy();
        const bytes = encodeCheckpoint(
          checkpointOfState(state.copyStep(Number.MAX_SAFE_INTEGER)!),
          EXTRA_CODEC,
        );
        // Decoded for one restore alone (a worker's restore): its groups are adopted, not shared.
        const own = decodeCheckpoint(bytes, EXTRA_CODEC, true).processing;
        const adopted = RecordState.restore(own, cloneExtra);
        const shared = RecordState.restore(decodeCheckpoint(bytes, EXTRA_CODEC).processing, cloneExtra);
        expect(() => own.recordGroups).toThrow(/adopted by a live state/);
        apply(adopted, after);
        apply(shared, after);
        expect(stateContent(adopted)).toEqual(stateContent(shared));
        adopted.beginCopy();
        expect(contentOf(adopted.copyStep(Number.MAX_SAFE_INTEGER)!)).toEqual(stateContent(shared));
      }),
    );
  });

  it("keeps a checkpoint's extras when the live state changes them in place", () => {
    const state = new RecordState(MAX_KG, KeyGroupRange.of(0, MAX_KG - 1), WIDTH, cloneExtra);
    state.insert(7);
    state.setExtra(7, { n: 1 });
    state.beginCopy();
    (state.mutableExtra(7) as { n: number }).n = 2;
    const snap = state.copyStep(Number.MAX_SAFE_INTEGER)!;
    expect(contentOf(snap)).toEqual([[7, [0, 0, 0], { n: 1 }]]);
    const restored = RecordState.restore(snap, cloneExtra);
    (restored.mutableExtra(7) as { n: number }).n = 3;
    expect(contentOf(snap)).toEqual([[7, [0, 0, 0], { n: 1 }]]);
    expect(state.extra(7)).toEqual({ n: 2 });
  });

  it("accumulates a batch into the records, rows and checkpoints that find, insert and set give tuple by tuple", () => {
    /** The snapshot's groups as plain arrays: row by row, each key then its record. */
    const rowsOf = (state: RecordState) => {
      state.beginCopy();
      const snap = state.copyStep(Number.MAX_SAFE_INTEGER)!;
      return () => snap.recordGroups.map((g) => [g.count, [...g.rows]]);
    };
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.integer({ min: -50, max: 50 }), fc.double({ noNaN: true, noDefaultInfinity: true })),
          {
            maxLength: 300,
          },
        ),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 4 }),
        (keys, at, width) => {
          const one = new RecordState(MAX_KG, KeyGroupRange.of(0, MAX_KG - 1), width);
          const bulk = new RecordState(MAX_KG, KeyGroupRange.of(0, MAX_KG - 1), width);
          const amounts = keys.map((_, i) => i * 0.5);
          const cut = at % (keys.length + 1);
          const taken: (() => unknown)[][] = [];
          for (const [from, to] of [
            [0, cut],
            [cut, keys.length],
          ]) {
            for (let i = from; i < to; i++) {
              let h = one.find(keys[i]);
              if (h < 0) h = one.insert(keys[i]);
              // The last field sums the amounts; with more fields, the first counts, the others stay 0.
              if (width > 1) one.set(h, 0, one.get(h, 0) + 1);
              one.set(h, width - 1, one.get(h, width - 1) + amounts[i]);
            }
            const increments: (number | Float64Array)[] = new Array(width).fill(0);
            increments[width - 1] = Float64Array.from(amounts.slice(from, to));
            if (width > 1) increments[0] = 1;
            bulk.accumulate(Float64Array.from(keys.slice(from, to)), to - from, increments);
            // Checkpoints between batches: the later batch must not change the earlier one's.
            taken.push([rowsOf(one), rowsOf(bulk)]);
          }
          // Same rows in the same order: the checkpoints are the same.
          for (const [ofOne, ofBulk] of taken) expect(ofBulk()).toEqual(ofOne());
        },
      ),
      { numRuns: 100 },
    );
  });

  it("finds a batch of keys as find does key by key, and its handles read the same fields after inserts", () => {
    const key = fc.oneof(
      fc.integer({ min: -60, max: 60 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), key), { maxLength: 300 }),
        fc.array(key, { maxLength: 200 }),
        fc.array(key, { maxLength: 50 }),
        fc.boolean(),
        (ops, probes, later, restored) => {
          let state = new RecordState(MAX_KG, KeyGroupRange.of(0, MAX_KG - 1), WIDTH);
          for (const [add, k] of ops) {
            if (!add) state.remove(k);
            else if (state.find(k) < 0) state.set(state.insert(k), 1, k);
          }
          if (restored) {
            state.beginCopy();
            state = RecordState.restore(state.copyStep(Number.MAX_SAFE_INTEGER)!);
          }
          const handles = new Float64Array(probes.length);
          state.findAll(Float64Array.from(probes), probes.length, handles);
          expect([...handles]).toEqual(probes.map((k) => state.find(k)));
          // Inserts (a group grown, copied from a snapshot) leave the handles found before valid.
          state.beginCopy();
          for (const k of later) if (state.find(k) < 0) state.insert(k);
          state.copyStep(Number.MAX_SAFE_INTEGER);
          probes.forEach((k, i) => {
            // By ===, as the state compares keys: 0 and -0 are one key.
            if (handles[i] >= 0) {
              expect(state.keyAt(handles[i]) === k, `key ${k}`).toBe(true);
              expect(state.get(handles[i], 1) === k, `key ${k}`).toBe(true);
            }
          });
        },
      ),
      { numRuns: 200 },
    );
    const outside = [...Array(100).keys()].find((k) => keyGroupOf(k, MAX_KG) > 3)!;
    const part = new RecordState(MAX_KG, KeyGroupRange.of(0, 3), WIDTH);
    expect(() => part.findAll([outside], 1, new Float64Array(1))).toThrow(RangeError);
  });

  it("refuses to accumulate other than one increment per field, or a key outside its key groups", () => {
    const state = new RecordState(MAX_KG, KeyGroupRange.of(0, 3), WIDTH);
    expect(() => state.accumulate([1], 1, [1, 1])).toThrow(/3 increments/);
    const outside = [...Array(100).keys()].find((k) => keyGroupOf(k, MAX_KG) > 3)!;
    expect(() => state.accumulate([outside], 1, [1, 1, 1])).toThrow(RangeError);
  });

  it("refuses a key outside its key groups, a key twice, and an extra without a record", () => {
    const kg = (k: number) => keyGroupOf(k, MAX_KG);
    const outside = [...Array(100).keys()].find((k) => kg(k) > 3)!;
    const inside = [...Array(100).keys()].find((k) => kg(k) <= 3)!;
    const state = new RecordState(MAX_KG, KeyGroupRange.of(0, 3), WIDTH);
    expect(() => state.insert(outside)).toThrow(RangeError);
    state.insert(inside);
    expect(() => state.insert(inside)).toThrow(RangeError);
    state.remove(inside);
    expect(() => state.setExtra(inside, 1)).toThrow(RangeError);
    expect(() => new RecordState(MAX_KG, KeyGroupRange.of(0, 3), 0)).toThrow(RangeError);
  });

  it("goes through the checkpoint codec and its partition by key groups, extras through the state codec", () => {
    const state = new RecordState(MAX_KG, KeyGroupRange.of(0, MAX_KG - 1), WIDTH);
    for (let k = 0; k < 500; k++) {
      const h = state.insert(k);
      state.set(h, 0, k);
      state.set(h, 1, k % 3 === 0 ? Number.NEGATIVE_INFINITY : k / 7);
      state.set(h, 2, Number.NaN);
      if (k % 50 === 0) state.setExtra(k, { n: k });
    }
    state.beginCopy();
    const processing = state.copyStep(Number.MAX_SAFE_INTEGER)!;
    const cp = checkpointOfState(processing);
    const codec = EXTRA_CODEC;
    const bytes = encodeCheckpoint(cp, codec);
    const back = decodeCheckpoint(bytes, codec);
    expect(back.processing.recordWidth).toBe(WIDTH);
    expect(contentOf(back.processing)).toEqual(contentOf(processing));
    const ranges = [KeyGroupRange.of(0, 4), KeyGroupRange.of(5, MAX_KG - 1)];
    const parts = partitionEncoded(bytes, ranges).map((b) => decodeCheckpoint(b, codec).processing);
    expect(parts.map((p) => p.range)).toEqual(ranges);
    expect(contentOf(StateSnapshot.merge(parts))).toEqual(contentOf(processing));
    expect(contentOf(StateSnapshot.merge(processing.partition(ranges)))).toEqual(contentOf(processing));
    // The Map view shows each key's record and extra.
    const view = processing.group(keyGroupOf(50, MAX_KG)).get(50);
    expect(view).toEqual({ record: [50, 50 / 7, Number.NaN], extra: { n: 50 } });
    // A truncated encoding is refused with what and where.
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 9), codec)).toThrow(
      /malformed checkpoint/,
    );
  });
});
