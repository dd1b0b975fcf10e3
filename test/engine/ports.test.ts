import { describe, expect, it } from "vitest";
import type { Batch } from "../../engine/batch.js";
import { InProcessRuntime } from "../../engine/inProcessRuntime.js";
import type { AlignedInputs, Operator, OperatorContext } from "../../engine/operator.js";
import { physicalPlan } from "../../engine/physicalPlan.js";
import { QueryBuilder } from "../../engine/queryPlan.js";
import { ArraySource, CollectSink, type KeyedEvent, makeEvents, type SinkRecord } from "./fixtures.js";

/** Tags every tuple with the input port it came in on. */
class PortTagger implements Operator {
  onBatch(batch: Batch, port: number, ctx: OperatorContext): void {
    for (let i = 0; i < batch.length; i++) ctx.emit(batch.keys[i], batch.eventTimesMs[i], port);
  }
}

/** Emits, per aligned call, how many tuples each port held. */
class AlignedCounter implements Operator {
  calls: number[][] = [];
  onAligned(inputs: AlignedInputs, ctx: OperatorContext): void {
    const sizes = Array.from({ length: inputs.ports }, (_, p) =>
      inputs.get(p).reduce((n, b) => n + b.length, 0),
    );
    this.calls.push(sizes);
    ctx.emit(0, 0, sizes);
  }
}

/** Even keys to port 0, odd keys to port 1. */
class Splitter implements Operator {
  onBatch(batch: Batch, _port: number, ctx: OperatorContext): void {
    for (let i = 0; i < batch.length; i++)
      ctx.out(batch.keys[i] % 2).emit(batch.keys[i], batch.eventTimesMs[i]);
  }
}

function twoSources(q: QueryBuilder, a: KeyedEvent[], b: KeyedEvent[]) {
  return [q.source("a", () => new ArraySource(a)), q.source("b", () => new ArraySource(b))] as const;
}

describe("ports and input access", () => {
  it("an operator with asynchronous inputs sees each batch with the port it arrived on", () => {
    const out: SinkRecord[] = [];
    const q = new QueryBuilder("async");
    const [a, b] = twoSources(q, makeEvents(300, 10, 1), makeEvents(200, 10, 2));
    const tag = q.operator("tag", () => new PortTagger(), { inputs: 2 });
    const sink = q.sink("sink", () => new CollectSink(out, 0));
    q.connect(a, tag, "forward", { toPort: 0 })
      .connect(b, tag, "forward", { toPort: 1 })
      .connect(tag, sink, "forward");
    const rt = new InProcessRuntime(physicalPlan(q.build()), { batchSize: 64 });
    rt.start();
    rt.run();
    expect(out.filter((r) => r.value === 0).length).toBe(300);
    expect(out.filter((r) => r.value === 1).length).toBe(200);
  });

  it("an operator with synchronous inputs is called only when every port has data, and once more at the end", () => {
    const out: SinkRecord[] = [];
    const op = new AlignedCounter();
    const q = new QueryBuilder("sync");
    const [a, b] = twoSources(q, makeEvents(300, 10, 1), makeEvents(100, 10, 2));
    const join = q.operator("join", () => op, { inputs: 2, syncInputs: true });
    const sink = q.sink("sink", () => new CollectSink(out, 0));
    q.connect(a, join, "forward", { toPort: 0 })
      .connect(b, join, "forward", { toPort: 1 })
      .connect(join, sink, "forward");
    const rt = new InProcessRuntime(physicalPlan(q.build()), { batchSize: 50 });
    rt.start();
    rt.run();
    const last = op.calls.length - 1;
    op.calls.forEach((sizes, i) => {
      if (i < last) expect(sizes.every((n) => n > 0)).toBe(true);
    });
    expect(op.calls.reduce((n, s) => n + s[0], 0)).toBe(300);
    expect(op.calls.reduce((n, s) => n + s[1], 0)).toBe(100);
  });

  it("multiple output ports go to the edges connected to them, and broadcast reaches every instance", () => {
    const evens: SinkRecord[] = [];
    const odds: SinkRecord[] = [];
    const q = new QueryBuilder("ports");
    const src = q.source("src", () => new ArraySource(makeEvents(400, 50, 3)));
    const split = q.operator("split", () => new Splitter(), { outputs: [{ fields: 0 }, { fields: 0 }] });
    const e = q.sink("evens", (i) => new CollectSink(evens, i.index), { parallelism: 3 });
    const o = q.sink("odds", (i) => new CollectSink(odds, i.index), { parallelism: 2 });
    q.connect(src, split, "roundRobin")
      .connect(split, e, "broadcast", { fromPort: 0 })
      .connect(split, o, "roundRobin", { fromPort: 1 });
    const rt = new InProcessRuntime(physicalPlan(q.build()), { batchSize: 32 });
    rt.start();
    rt.run();
    const nEven = makeEvents(400, 50, 3).filter((x) => x.key % 2 === 0).length;
    expect(evens.every((r) => r.key % 2 === 0)).toBe(true);
    expect(evens.length).toBe(3 * nEven);
    for (let i = 0; i < 3; i++) expect(evens.filter((r) => r.instance === i).length).toBe(nEven);
    expect(odds.length).toBe(400 - nEven);
    expect(
      Math.abs(odds.filter((r) => r.instance === 0).length - odds.filter((r) => r.instance === 1).length),
    ).toBeLessThanOrEqual(1);
  });

  it("the same plan and input give the same output, tuple for tuple", () => {
    const run = () => {
      const out: SinkRecord[] = [];
      const q = new QueryBuilder("det");
      const src = q.source("src", (i) => new ArraySource(makeEvents(2000, 97, 5), i.index, i.parallelism), {
        parallelism: 2,
      });
      const tag = q.operator("tag", () => new PortTagger(), { parallelism: 3 });
      const sink = q.sink("sink", (i) => new CollectSink(out, i.index), { parallelism: 2 });
      q.connect(src, tag, "key").connect(tag, sink, "roundRobin");
      const rt = new InProcessRuntime(physicalPlan(q.build()), { batchSize: 37 });
      rt.start();
      rt.run();
      return JSON.stringify(out);
    };
    expect(run()).toBe(run());
  });
});

describe("QueryBuilder", () => {
  it("refuses an unconnected input port, a missing port and a cycle", () => {
    const q = new QueryBuilder("bad");
    const src = q.source("src", () => new ArraySource([]));
    const op = q.operator("op", () => new PortTagger(), { inputs: 2 });
    q.connect(src, op, "forward");
    expect(() => q.build()).toThrow(/input port 1 of "op" is not connected/);
    expect(() => q.connect(src, op, "forward", { toPort: 5 })).toThrow(/no input port 5/);
    const c = new QueryBuilder("cycle");
    const s = c.source("s", () => new ArraySource([]));
    const x = c.operator("x", () => new PortTagger(), { inputs: 2 });
    const y = c.operator("y", () => new PortTagger());
    c.connect(s, x, "forward", { toPort: 0 })
      .connect(y, x, "forward", { toPort: 1 })
      .connect(x, y, "forward");
    expect(() => c.build()).toThrow(/cycle/);
  });

  it("builds an immutable plan", () => {
    const q = new QueryBuilder("frozen");
    const src = q.source("src", () => new ArraySource([]));
    const sink = q.sink("sink", () => new CollectSink([], 0));
    q.connect(src, sink, "forward");
    const plan = q.build();
    expect(Object.isFrozen(plan.operators)).toBe(true);
    expect(Object.isFrozen(plan.edges[0])).toBe(true);
  });
});
