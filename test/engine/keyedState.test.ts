import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KeyedState } from "../../engine/keyedState.js";
import { KeyGroupRange, keyGroupOf, sliceKeyGroups } from "../../engine/keyGroups.js";
import { StateSnapshot } from "../../engine/stateSnapshot.js";

const MAX_KG = 16;
const ALL = KeyGroupRange.of(0, MAX_KG - 1);

type Op =
  | { kind: "set"; key: number; value: number }
  | { kind: "delete"; key: number }
  | { kind: "step"; n: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), key: fc.integer({ min: 0, max: 40 }), value: fc.integer() }),
  fc.record({ kind: fc.constant("delete" as const), key: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant("step" as const), n: fc.integer({ min: 1, max: 5 }) }),
);

function asObject(entries: Iterable<[number, unknown]>): Record<number, unknown> {
  return Object.fromEntries([...entries].sort((a, b) => a[0] - b[0]));
}

describe("KeyedState", () => {
  it("restore(checkpoint(s)) gives back s", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer())), (pairs) => {
        const s = new KeyedState<number>(MAX_KG, ALL);
        for (const [k, v] of pairs) s.set(k, v);
        const restored = KeyedState.restore(s.snapshot());
        expect(asObject(restored.entries())).toEqual(asObject(s.entries()));
      }),
    );
  });

  it("a checkpoint copied in chunks while writes go on holds exactly the state of its instant", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.array(op, { maxLength: 120 }), (before, during) => {
        const s = new KeyedState<number>(MAX_KG, ALL);
        const apply = (o: Op) => {
          if (o.kind === "set") s.set(o.key, o.value);
          else if (o.kind === "delete") s.delete(o.key);
        };
        for (const o of before) apply(o);
        const expected = asObject(s.entries());
        s.beginCopy();
        let snapshot: StateSnapshot<number> | null = null;
        for (const o of during) {
          if (o.kind === "step" && snapshot === null) snapshot = s.copyStep(o.n);
          else apply(o);
        }
        snapshot ??= s.copyAll();
        expect(asObject(snapshot.entries())).toEqual(expected);
        expect(s.copying).toBe(false);
      }),
    );
  });

  it("keeps a clone of a value changed in place through `mutable` while a checkpoint is copied", () => {
    const s = new KeyedState<number[]>(MAX_KG, ALL, (v) => [...v]);
    s.set(1, [1, 2]);
    s.set(2, [3]);
    s.beginCopy();
    s.mutable(1)!.push(99);
    s.mutable(2)!.push(98);
    const snap = s.copyAll();
    expect(asObject(snap.entries())).toEqual({ 1: [1, 2], 2: [3] });
    expect(s.get(1)).toEqual([1, 2, 99]);
    // Writes after the copy completed do not reach the snapshot either.
    s.mutable(1)!.push(100);
    expect(snap.get(keyGroupOf(1, MAX_KG), 1)).toEqual([1, 2]);
  });

  it("never copies more than the chunk size in one step, plus the undo log of one key group", () => {
    const s = new KeyedState<number>(MAX_KG, ALL);
    for (let k = 0; k < 10_000; k++) s.set(k, k);
    s.beginCopy();
    let steps = 0;
    while (s.copyStep(500) === null) {
      expect(s.lastCopyStepEntries).toBeLessThanOrEqual(500);
      steps++;
    }
    expect(steps).toBeGreaterThanOrEqual(19);
  });

  it("refuses keys outside its key groups", () => {
    const [first] = sliceKeyGroups(MAX_KG, 2);
    const s = new KeyedState<number>(MAX_KG, first);
    const outside = [...Array(100).keys()].find((k) => !first.contains(keyGroupOf(k, MAX_KG)))!;
    expect(() => s.set(outside, 1)).toThrow(/not in this instance's key groups/);
  });
});

describe("KeyedState.restore", () => {
  const range = KeyGroupRange.of(0, 3);
  const groupsOf = () => [0, 1, 2, 3].map((g) => new Map([[g * 100, g]]));

  it("copies a snapshot's entries, leaving the snapshot as it was", () => {
    const snap = new StateSnapshot(4, range, groupsOf());
    const state = KeyedState.restore(snap);
    const key = [...snap.entries()][0][0];
    state.set(key, 99);
    expect(snap.groups.map((g) => g.size)).toEqual([1, 1, 1, 1]);
    expect([...snap.entries()][0][1]).not.toBe(99);
  });

  it("adopts the maps of a snapshot decoded for it alone, which cannot be read afterwards", () => {
    const groups = groupsOf();
    const snap = new StateSnapshot(4, range, groups, true);
    const state = KeyedState.restore(snap);
    expect(state.size).toBe(4);
    expect(() => snap.groups).toThrow(/adopted/);
    expect(snap.adopt()).toBeNull();
    // The same content compares equal to a snapshot that is not adoptable.
    expect(new StateSnapshot(4, range, groupsOf(), true)).toEqual(new StateSnapshot(4, range, groupsOf()));
  });
});

describe("StateSnapshot partition and merge", () => {
  it("merge(partition(s, ranges)) gives back s, and every key lands in the part whose range holds its key group", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -10_000, max: 10_000 }), fc.integer())),
        fc.integer({ min: 1, max: MAX_KG }),
        (pairs, parts) => {
          const s = new KeyedState<number>(MAX_KG, ALL);
          for (const [k, v] of pairs) s.set(k, v);
          const snap = s.snapshot();
          const ranges = sliceKeyGroups(MAX_KG, parts);
          const split = snap.partition(ranges);
          split.forEach((part, i) => {
            for (const [k] of part.entries()) expect(ranges[i].contains(keyGroupOf(k, MAX_KG))).toBe(true);
          });
          expect(split.reduce((n, p) => n + p.size, 0)).toBe(snap.size);
          const merged = StateSnapshot.merge(split);
          expect(merged.range.equals(snap.range)).toBe(true);
          expect(asObject(merged.entries())).toEqual(asObject(snap.entries()));
        },
      ),
    );
  });

  it("refuses to partition by a range outside the snapshot", () => {
    const snap = new KeyedState<number>(MAX_KG, KeyGroupRange.of(0, 7)).snapshot();
    expect(() => snap.partition([KeyGroupRange.of(0, 9)])).toThrow(RangeError);
  });
});
