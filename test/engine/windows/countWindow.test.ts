// Count windows driven through the in-process runtime, checked against a brute-force
// computation over each key's tuples in arrival order, plus checkpoint/restore.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Aggregate,
  type CountWindowResult,
  countAggregate,
  countWindow,
  InProcessRuntime,
  physicalPlan,
  QueryBuilder,
  restore,
  sumAggregate,
} from "../../../engine/index.js";
import { Collect, type Row, RowSource, type Out as WindowOut } from "./fixtures.js";

type Out = WindowOut<CountWindowResult<unknown>>;

interface Setup<A, R> {
  readonly size: number;
  readonly slide: number;
  readonly aggregate: Aggregate<A, R>;
  readonly parallelism: number;
}

/** source -> count window (key edge) -> one sink per window instance (forward). */
function windowPlan<A, R>(rows: readonly Row[], s: Setup<A, R>) {
  const w = countWindow({ size: s.size, slide: s.slide, aggregate: s.aggregate });
  const outs: Out[][] = Array.from({ length: s.parallelism }, () => []);
  const q = new QueryBuilder("countWindow");
  const src = q.source("src", () => new RowSource(rows), { outputs: [{ fields: 1 }] });
  const win = q.operator("win", w.create, { ...w.options, parallelism: s.parallelism });
  const sink = q.sink("sink", (info) => new Collect(outs[info.index]), { parallelism: s.parallelism });
  q.connect(src, win, "key").connect(win, sink, "forward");
  return { plan: physicalPlan(q.build()), outs };
}

function runWindow<A, R>(rows: readonly Row[], s: Setup<A, R>, batchSize: number): Out[][] {
  const { plan, outs } = windowPlan(rows, s);
  const rt = new InProcessRuntime(plan, { batchSize });
  rt.start();
  rt.run();
  return outs;
}

/** Every `slide`-th tuple of a key closes a window over the key's last `size` tuples. */
function bruteForce(rows: readonly Row[], size: number, slide: number) {
  const seen = new Map<number, Row[]>();
  const out: { key: number; t: number; value: CountWindowResult<number> }[] = [];
  for (const r of rows) {
    const mine = [...(seen.get(r.key) ?? []), r];
    seen.set(r.key, mine);
    if (mine.length % slide !== 0) continue;
    const window = mine.slice(-size);
    const result = window.reduce((s, w) => s + w.x, 0);
    out.push({ key: r.key, t: r.t, value: { count: window.length, result } });
  }
  return out;
}

/** Outputs grouped by key, each key's outputs in emission order. */
function perKey<T extends { key: number }>(outs: readonly T[]): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const o of outs) m.set(o.key, [...(m.get(o.key) ?? []), o]);
  return new Map([...m].sort((a, b) => a[0] - b[0]));
}

function withoutSeq(outs: readonly Out[]) {
  return outs.map(({ key, t, value }) => ({ key, t, value }));
}

describe("countWindow", () => {
  const rows: Row[] = [1, 2, 1, 1, 2, 1, 1, 2].map((key, j) => ({ key, t: j * 10, x: j }));

  it("every slide tuples of a key emits the count and aggregate of its last size tuples", () => {
    const outs = runWindow(rows, { size: 4, slide: 2, aggregate: countAggregate, parallelism: 1 }, 3);
    expect(withoutSeq(outs[0])).toEqual([
      { key: 1, t: 20, value: { count: 2, result: 2 } },
      { key: 2, t: 40, value: { count: 2, result: 2 } },
      { key: 1, t: 50, value: { count: 4, result: 4 } },
    ]);
  });

  it("rejects a size that is not a multiple of the slide", () => {
    expect(() => countWindow({ size: 5, slide: 2, aggregate: countAggregate })).toThrow(RangeError);
    expect(() => countWindow({ size: 2, slide: 0, aggregate: countAggregate })).toThrow(RangeError);
  });

  it("random streams give the brute-force windows of each key at parallelism 1 and 3", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            key: fc.integer({ min: -2, max: 7 }),
            t: fc.integer({ min: 0, max: 1000 }),
            x: fc.integer({ min: -9, max: 9 }),
          }),
          { maxLength: 80 },
        ),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 16 }),
        (rows, slide, panes, batchSize) => {
          const expected = perKey(bruteForce(rows, slide * panes, slide));
          for (const parallelism of [1, 3]) {
            const setup = { size: slide * panes, slide, aggregate: sumAggregate(0), parallelism };
            const outs = runWindow(rows, setup, batchSize);
            expect(perKey(withoutSeq(outs.flat()))).toEqual(expected);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  for (const parallelism of [1, 2]) {
    it(`a window restored from a checkpoint continues exactly like the original (parallelism ${parallelism})`, () => {
      const many = Array.from({ length: 300 }, (_, j) => ({ key: (j * 7) % 11, t: j, x: j % 5 }));
      const setup = { size: 6, slide: 2, aggregate: sumAggregate(0), parallelism };
      const original = windowPlan(many, setup);
      const rt = new InProcessRuntime(original.plan, { batchSize: 8 });
      rt.start();
      for (let k = 0; k < 10; k++) rt.step();
      const ids = original.plan.instances.filter((i) => i.operator > 0).map((i) => i.id);
      const checkpoints = ids.map((id) => rt.instance(id).checkpoint(1));
      rt.run();

      const resumed = windowPlan(many, setup);
      const rt2 = new InProcessRuntime(resumed.plan, { batchSize: 8 });
      for (const cp of checkpoints) restore(cp, rt2.instance(cp.instance));
      rt2.start();
      rt2.run();

      for (const cp of checkpoints.filter((c) => c.operator === 1)) {
        const index = rt.instance(cp.instance).spec.index;
        expect(cp.processing.size).toBeGreaterThan(0);
        // The sink asks for everything after what it had processed at its checkpoint.
        // (forward edges: only one sink hears tuples from this instance)
        const from = Math.max(
          ...checkpoints
            .flatMap((c) => (c.operator === 2 ? c.inputs : []))
            .filter((p) => p.sender === cp.instance)
            .map((p) => p.seq),
        );
        const after = original.outs[index].filter((o) => o.seq > from);
        expect(after.length).toBeGreaterThan(0);
        expect(resumed.outs[index]).toEqual(after);
      }
    });
  }
});
