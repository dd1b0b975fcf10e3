// Time windows driven through the in-process runtime, checked against a brute-force
// computation that models lateness from the source's batches, plus checkpoint/restore.

import fc from "fast-check";
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import {
  type Aggregate,
  type Checkpoint,
  countAggregate,
  InProcessRuntime,
  type KeyedState,
  physicalPlan,
  QueryBuilder,
  restore,
  sumAggregate,
  type TimeWindowState,
  timeWindow,
  type WindowResult,
} from "../../../engine/index.js";
import { Collect, type Row, RowSource, valuesAggregate, type Out as WindowOut } from "./fixtures.js";

type Out = WindowOut<WindowResult<unknown>>;

interface Setup<A, R> {
  readonly sizeMs: number;
  readonly slideMs: number;
  readonly aggregate: Aggregate<A, R>;
  readonly parallelism: number;
  /** How the window keeps its state (default: records when the aggregate allows). */
  readonly layout?: "records" | "values";
}

/** source -> window (key edge) -> one sink per window instance (forward); sink i collects into outs[i]. */
function windowPlan<A, R>(rows: readonly Row[], s: Setup<A, R>) {
  const w = timeWindow({ sizeMs: s.sizeMs, slideMs: s.slideMs, aggregate: s.aggregate, layout: s.layout });
  const operators: { readonly lateTuples: number }[] = [];
  const outs: Out[][] = Array.from({ length: s.parallelism }, () => []);
  const q = new QueryBuilder("window");
  const src = q.source("src", () => new RowSource(rows), { outputs: [{ fields: 1 }] });
  const win = q.operator(
    "win",
    (info) => {
      const op = w.create(info);
      operators.push(op);
      return op;
    },
    { ...w.options, parallelism: s.parallelism },
  );
  const sink = q.sink("sink", (info) => new Collect(outs[info.index]), { parallelism: s.parallelism });
  q.connect(src, win, "key").connect(win, sink, "forward");
  return { plan: physicalPlan(q.build()), operators, outs };
}

/** Run the whole stream; returns what each window instance emitted and the late count. */
function runWindow<A, R>(rows: readonly Row[], s: Setup<A, R>, batchSize: number) {
  const { plan, operators, outs } = windowPlan(rows, s);
  const rt = new InProcessRuntime(plan, { batchSize });
  rt.start();
  rt.run();
  return { outs, late: operators.reduce((n, op) => n + op.lateTuples, 0) };
}

/**
 * Expected output: a tuple counts in every window containing it whose end is past the
 * watermark when it is processed (the max event time of the source's earlier batches).
 */
function bruteForce(rows: readonly Row[], sizeMs: number, slideMs: number, batchSize: number, sum: boolean) {
  const windows = new Map<string, { key: number; end: number; acc: number }>();
  let late = 0;
  let watermark = Number.NEGATIVE_INFINITY;
  rows.forEach((r, j) => {
    if (j > 0 && j % batchSize === 0) {
      for (const prev of rows.slice(j - batchSize, j)) watermark = Math.max(watermark, prev.t);
    }
    let counted = false;
    for (let start = Math.floor(r.t / slideMs) * slideMs; start > r.t - sizeMs; start -= slideMs) {
      const end = start + sizeMs;
      if (end <= watermark) continue;
      counted = true;
      const id = `${end}/${r.key}`;
      const w = windows.get(id) ?? { key: r.key, end, acc: 0 };
      w.acc += sum ? r.x : 1;
      windows.set(id, w);
    }
    if (!counted) late++;
  });
  const out = [...windows.values()]
    .sort((a, b) => a.end - b.end || a.key - b.key)
    .map((w) => ({
      key: w.key,
      t: w.end - 1,
      value: { windowStartMs: w.end - sizeMs, windowEndMs: w.end, result: w.acc },
    }));
  return { out, late };
}

const byEndThenKey = (a: { value: WindowResult<unknown>; key: number }, b: typeof a) =>
  a.value.windowEndMs - b.value.windowEndMs || a.key - b.key;

function withoutSeq(outs: Out[]) {
  return outs.map(({ key, t, value }) => ({ key, t, value }));
}

const rowArb = fc.record({
  key: fc.integer({ min: -3, max: 9 }),
  t: fc.integer({ min: -40, max: 300 }),
  x: fc.integer({ min: -5, max: 20 }),
});

describe("timeWindow", () => {
  const rows: Row[] = [
    { key: 1, t: 0, x: 1 },
    { key: 2, t: 3, x: 2 },
    { key: 1, t: 9, x: 3 },
    { key: 1, t: 10, x: 4 },
    { key: 3, t: 14, x: 5 },
    { key: 2, t: 25, x: 6 },
  ];

  it("tumbling windows count each key's tuples per window, ordered by window end then key", () => {
    const { outs } = runWindow(
      rows,
      { sizeMs: 10, slideMs: 10, aggregate: countAggregate, parallelism: 1 },
      2,
    );
    expect(outs[0].map((o) => [o.key, o.t, o.value])).toEqual([
      [1, 9, { windowStartMs: 0, windowEndMs: 10, result: 2 }],
      [2, 9, { windowStartMs: 0, windowEndMs: 10, result: 1 }],
      [1, 19, { windowStartMs: 10, windowEndMs: 20, result: 1 }],
      [3, 19, { windowStartMs: 10, windowEndMs: 20, result: 1 }],
      [2, 29, { windowStartMs: 20, windowEndMs: 30, result: 1 }],
    ]);
  });

  it("sliding windows sum a numeric field and match brute force at parallelism 1 and 2", () => {
    for (const parallelism of [1, 2]) {
      const setup = { sizeMs: 20, slideMs: 5, aggregate: sumAggregate(0), parallelism };
      const { outs, late } = runWindow(rows, setup, 3);
      const expected = bruteForce(rows, 20, 5, 3, true);
      expect(withoutSeq(outs.flat()).sort(byEndThenKey)).toEqual(expected.out);
      expect(late).toBe(0);
    }
  });

  it("a tuple whose every window has fired is counted as late and dropped", () => {
    const late: Row[] = [
      { key: 1, t: 0, x: 0 },
      { key: 1, t: 30, x: 0 },
      { key: 1, t: 5, x: 0 },
      { key: 1, t: 31, x: 0 },
    ];
    const { outs, late: dropped } = runWindow(
      late,
      { sizeMs: 10, slideMs: 10, aggregate: countAggregate, parallelism: 1 },
      2,
    );
    expect(dropped).toBe(1);
    expect(outs[0].map((o) => [o.value.windowStartMs, o.value.result])).toEqual([
      [0, 1],
      [30, 2],
    ]);
  });

  it("drops panes no window needs any more and deletes keys left without panes", () => {
    const stream: Row[] = [
      { key: 1, t: 0, x: 0 },
      { key: 2, t: 5, x: 0 },
      { key: 1, t: 35, x: 0 },
      { key: 3, t: 40, x: 0 },
    ];
    const setup = {
      sizeMs: 20,
      slideMs: 10,
      aggregate: countAggregate,
      parallelism: 1,
      layout: "values" as const,
    };
    const { plan } = windowPlan(stream, setup);
    const rt = new InProcessRuntime(plan, { batchSize: 1 });
    rt.start();
    for (let k = 0; k < 3; k++) rt.step();
    const state = rt.instance(1).keyedState as KeyedState<TimeWindowState<number>>;
    expect(rt.instance(1).eventTimeMs).toBe(35);
    expect([...state.keys()]).toEqual([1]);
    expect(state.get(1)?.panes.size).toBe(1);
    rt.run();
    expect(state.size).toBe(0);

    // The same with the state as records: key 1's record holds one pane (35 in pane 3).
    const records = windowPlan(stream, { ...setup, layout: "records" });
    const rt2 = new InProcessRuntime(records.plan, { batchSize: 1 });
    rt2.start();
    for (let k = 0; k < 3; k++) rt2.step();
    const held = rt2.instance(1).recordState!;
    const keys: number[] = [];
    held.forEach((key, h) => {
      keys.push(key);
      expect([held.get(h, 2), held.get(h, 3), held.get(h, 3 + 3)]).toEqual([1, 3, 1]);
    });
    expect(keys).toEqual([1]);
    rt2.run();
    expect(held.size).toBe(0);
  });

  it("keeps a key's panes in its record's extra once they outgrow the record, with the same windows", () => {
    // One batch: the watermark stays at -Infinity, so key 5 holds ten panes of a 2-pane window.
    const stream: Row[] = [
      ...Array.from({ length: 10 }, (_, j) => ({ key: 5, t: 10 * j, x: j })),
      ...Array.from({ length: 10 }, (_, j) => ({ key: 6, t: 100 + j, x: j })),
    ];
    const setup = { sizeMs: 20, slideMs: 10, aggregate: sumAggregate(0), parallelism: 1 };
    const { plan, outs } = windowPlan(stream, { ...setup, layout: "records" });
    const rt = new InProcessRuntime(plan, { batchSize: 10 });
    rt.start();
    const held = rt.instance(1).recordState!;
    for (let k = 0; k < 5 && held.size === 0; k++) rt.step();
    expect(held.size).toBe(1);
    held.forEach((_key, h) => {
      expect(held.get(h, 2)).toBe(-1);
    });
    expect(held.extra(5)).toBeDefined();
    rt.run();
    expect(held.size).toBe(0);
    expect(withoutSeq(outs.flat())).toEqual(bruteForce(stream, 20, 10, 10, true).out);
  });

  it("rejects a size that is not a multiple of the slide", () => {
    expect(() => timeWindow({ sizeMs: 10, slideMs: 3, aggregate: countAggregate })).toThrow(RangeError);
    expect(() => timeWindow({ sizeMs: 0, slideMs: 0, aggregate: countAggregate })).toThrow(RangeError);
  });

  it("requires clone() from an aggregate whose accumulator is an object", () => {
    const boxed: Aggregate<{ n: number }, number> = {
      create: () => ({ n: 0 }),
      add: (acc) => ({ n: acc.n + 1 }),
      merge: (a, b) => ({ n: a.n + b.n }),
      result: (acc) => acc.n,
    };
    expect(() => timeWindow({ sizeMs: 10, slideMs: 10, aggregate: boxed })).toThrow(TypeError);
  });

  it("random streams give the brute-force windows and late counts at parallelism 1 and 3", () => {
    fc.assert(
      fc.property(
        fc.array(rowArb, { maxLength: 80 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 16 }),
        fc.boolean(),
        (rows, slideMs, panes, batchSize, sorted) => {
          const input = sorted ? [...rows].sort((a, b) => a.t - b.t) : rows;
          const sizeMs = slideMs * panes;
          const expected = bruteForce(input, sizeMs, slideMs, batchSize, true);
          for (const [parallelism, layout] of [
            [1, "records"],
            [3, "records"],
            [3, "values"],
          ] as const) {
            const setup = { sizeMs, slideMs, aggregate: sumAggregate(0), parallelism, layout };
            const { outs, late } = runWindow(input, setup, batchSize);
            for (const out of outs) expect([...out].sort(byEndThenKey)).toEqual(out);
            expect(withoutSeq(outs.flat()).sort(byEndThenKey)).toEqual(expected.out);
            expect(late).toBe(expected.late);
            if (sorted) expect(late).toBe(0);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

function randomRows(seed: number, n: number): Row[] {
  const rng = seedrandom(String(seed));
  return Array.from({ length: n }, (_, j) => ({
    key: Math.floor(rng() * 25),
    t: j * 3 + Math.floor(rng() * 40) - 20,
    x: j,
  }));
}

describe("timeWindow checkpoint and restore", () => {
  for (const [parallelism, aggregate] of [
    [1, valuesAggregate],
    [2, valuesAggregate],
    [1, sumAggregate(0)],
    [2, sumAggregate(0)],
  ] as const) {
    const layout = aggregate === valuesAggregate ? "values" : "records";
    it(`a window restored from a mid-stream checkpoint continues exactly like the original (parallelism ${parallelism}, state as ${layout})`, () => {
      const rows = randomRows(7 + parallelism, 600);
      const setup = {
        sizeMs: 60,
        slideMs: 20,
        aggregate: aggregate as Aggregate<unknown, unknown>,
        parallelism,
      };
      const original = windowPlan(rows, setup);
      const rt = new InProcessRuntime(original.plan, { batchSize: 16, copyChunkEntries: 1 });
      rt.start();
      for (let k = 0; k < 12; k++) rt.step();
      // Windows and their sinks checkpoint at the same cut; the windows' copy goes one
      // entry per delivery while they keep processing (copy-on-write of mutable panes).
      const ids = original.plan.instances.filter((i) => i.operator > 0).map((i) => i.id);
      for (const id of ids) rt.sendControl(id, { type: "checkpoint", checkpointId: 1 });
      rt.run();
      const checkpoints = rt.replies.flatMap((r) => (r.type === "checkpointed" ? [r.checkpoint] : []));
      expect(checkpoints.map((c) => c.instance).sort((a, b) => a - b)).toEqual(ids);

      const resumed = windowPlan(rows, setup);
      const rt2 = new InProcessRuntime(resumed.plan, { batchSize: 16 });
      for (const cp of checkpoints) restore(cp as Checkpoint, rt2.instance(cp.instance));
      rt2.start();
      rt2.run();

      let compared = 0;
      for (const cp of checkpoints.filter((c) => c.operator === 1)) {
        const index = rt.instance(cp.instance).spec.index;
        const cut = cp.outputs[0].seq;
        expect(cp.inputs[0].seq).toBeGreaterThan(0);
        expect(cp.inputs[0].seq).toBeLessThan(rows.length);
        const after = original.outs[index].filter((o) => o.seq > cut);
        expect(resumed.outs[index]).toEqual(after);
        compared += after.length;
      }
      expect(compared).toBeGreaterThan(0);
    });
  }
});
