// Checkpoints off the wire: the coordinator and a backup holder read a checkpoint's id,
// instance, operator and inputs without decoding its state, the state is decoded on first
// use and equals the original, and a checkpoint passed on goes out as the bytes it came
// with, never encoded again. A mark's horizon travels in the head; suppression cuts come
// with the state.

import { describe, expect, it } from "vitest";
import { checkpointFromWire, checkpointHead, wireBytesOf } from "../../cloud/lazyCheckpoint.js";
import {
  type Checkpoint,
  encodeCheckpoint,
  InProcessRuntime,
  physicalPlan,
  QueryBuilder,
  type StateCodec,
  StateSnapshot,
  sumAggregate,
  timeWindow,
} from "../../engine/index.js";
import { Collect, type Out, type Row, RowSource } from "../engine/windows/fixtures.js";

/** A mid-stream checkpoint of a window instance (Panes in its state, a buffer to its sink). */
function windowCheckpoint(): { cp: Checkpoint; codec: StateCodec<unknown> } {
  const rows: Row[] = Array.from({ length: 300 }, (_, j) => ({ key: (j * 7) % 13, t: j * 2, x: j % 5 }));
  const w = timeWindow({ sizeMs: 30, slideMs: 10, aggregate: sumAggregate(0), layout: "values" });
  const outs: Out<unknown>[] = [];
  const q = new QueryBuilder("lazy-window");
  const src = q.source("src", () => new RowSource(rows), { outputs: [{ fields: 1 }] });
  const win = q.operator("win", w.create, { ...w.options, parallelism: 1 });
  const sink = q.sink("sink", () => new Collect(outs));
  q.connect(src, win, "key").connect(win, sink, "forward");
  const plan = physicalPlan(q.build());
  const rt = new InProcessRuntime(plan, { batchSize: 16 });
  rt.start();
  for (let k = 0; k < 6; k++) rt.step();
  const cp = rt.instance(1).checkpoint(9);
  return { cp, codec: plan.logical.operators[1].stateCodec as StateCodec<unknown> };
}

/** `codec`, counting its calls. */
function counting(codec: StateCodec<unknown>) {
  const calls = { encode: 0, decode: 0 };
  const spy: StateCodec<unknown> = {
    encode: (v) => {
      calls.encode++;
      return codec.encode(v);
    },
    decode: (j) => {
      calls.decode++;
      return codec.decode(j);
    },
  };
  return { spy, calls };
}

describe("checkpoints off the wire", () => {
  const { cp, codec } = windowCheckpoint();
  const bytes = encodeCheckpoint(cp, codec);

  it("give id, instance, operator and inputs without decoding the state, and the rest on first use", () => {
    const { spy, calls } = counting(codec);
    const lazy = checkpointFromWire(bytes, checkpointHead(cp), () => spy);
    expect([lazy.id, lazy.instance, lazy.operator]).toEqual([cp.id, cp.instance, cp.operator]);
    expect(lazy.inputs).toEqual(cp.inputs);
    expect(calls.decode).toBe(0);
    expect(cp.processing.size).toBeGreaterThan(0);
    expect([...lazy.processing.entries()]).toEqual([...cp.processing.entries()]);
    expect(calls.decode).toBe(cp.processing.size);
    expect(lazy.buffers.length).toBeGreaterThan(0);
    expect(lazy).toEqual(cp);
    expect(calls.decode).toBe(cp.processing.size); // decoded once
  });

  it("keep the suppression cuts they carry (a restore installs them), decoded with the state", () => {
    const cuts = [{ edge: null, receiver: null, processed: cp.inputs, watermarkMs: 40 }];
    const suppressed: Checkpoint = { ...cp, suppression: cuts };
    const lazy = checkpointFromWire(
      encodeCheckpoint(suppressed, codec),
      checkpointHead(suppressed),
      () => codec,
    );
    expect(lazy.suppression).toEqual(cuts);
    expect(checkpointFromWire(bytes, checkpointHead(cp), () => codec).suppression).toBeUndefined();
  });

  it("passed on, go out as the bytes they came with", () => {
    const { spy, calls } = counting(codec);
    const lazy = checkpointFromWire(bytes, checkpointHead(cp), () => spy);
    expect(wireBytesOf(lazy, spy)).toBe(bytes);
    expect(calls.encode + calls.decode).toBe(0);
  });

  it("without a head, are decoded at once (and still keep their bytes)", () => {
    const lazy = checkpointFromWire(bytes, "", () => codec);
    expect(lazy).toEqual(cp);
    expect(wireBytesOf(lazy, codec)).toBe(bytes);
  });

  it("refuse a head that is not of their bytes, or not a head", () => {
    const head = JSON.parse(checkpointHead(cp));
    const wrongOperator = JSON.stringify([head[0], head[1], head[2] + 1, head[3]]);
    expect(() => checkpointFromWire(bytes, wrongOperator, () => codec)).toThrow(/operator/);
    const wrongId = checkpointFromWire(
      bytes,
      JSON.stringify([head[0] + 1, head[1], head[2], head[3]]),
      () => codec,
    );
    expect(() => wrongId.processing).toThrow(/another checkpoint/);
    expect(() => checkpointFromWire(bytes, "{", () => codec)).toThrow(/malformed checkpoint head/);
    expect(() => checkpointFromWire(bytes, "[1,2]", () => codec)).toThrow(/malformed checkpoint head/);
    expect(() => checkpointFromWire(bytes, JSON.stringify([...head, 5, 6]), () => codec)).toThrow(
      /malformed checkpoint head/,
    );
    expect(() => checkpointFromWire(bytes, JSON.stringify([...head, "soon"]), () => codec)).toThrow(
      /horizonMs/,
    );
  });
});

describe("marks off the wire", () => {
  const { cp, codec } = windowCheckpoint();
  const { range, maxKeyGroups } = cp.processing;
  const empty = new StateSnapshot(
    maxKeyGroups,
    range,
    Array.from({ length: range.size }, () => new Map()),
  );
  const markOf = (horizonMs: number | undefined): Checkpoint => {
    const mark: Checkpoint = { ...cp, processing: empty, buffers: [] };
    return horizonMs === undefined ? mark : { ...mark, horizonMs };
  };

  for (const h of [250, 0, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]) {
    it(`give their horizon ${h} from the head, the same before and after the state is decoded`, () => {
      const mark = markOf(h);
      const head = checkpointHead(mark);
      expect(JSON.parse(head)).toHaveLength(5);
      const { spy, calls } = counting(codec);
      const lazy = checkpointFromWire(encodeCheckpoint(mark, codec), head, () => spy);
      expect(lazy.horizonMs).toBe(h);
      expect(lazy.ended).toBe(mark.ended); // decodes the rest
      expect(lazy.horizonMs).toBe(h);
      expect(lazy).toEqual(mark);
      expect({ ...lazy }).toEqual(mark); // spread (as partition does) keeps it
      expect(calls.decode).toBe(0); // a mark holds no state
    });
  }

  it("without one, have none (absent, not undefined-valued), and their head stays as before", () => {
    const mark = markOf(undefined);
    expect(JSON.parse(checkpointHead(mark))).toHaveLength(4);
    const lazy = checkpointFromWire(encodeCheckpoint(mark, codec), checkpointHead(mark), () => codec);
    expect("horizonMs" in lazy).toBe(false);
    expect(lazy.horizonMs).toBeUndefined();
    expect(lazy.processing.size).toBe(0);
    expect("horizonMs" in lazy).toBe(false);
    expect(lazy).toEqual(mark);
  });

  it("without a head, are decoded at once, horizon included", () => {
    const mark = markOf(Number.NEGATIVE_INFINITY);
    const lazy = checkpointFromWire(encodeCheckpoint(mark, codec), "", () => codec);
    expect(lazy.horizonMs).toBe(Number.NEGATIVE_INFINITY);
  });

  it("refuse a head whose horizon is not their bytes'", () => {
    const mark = markOf(100);
    const bytes = encodeCheckpoint(mark, codec);
    const other = checkpointFromWire(bytes, checkpointHead(markOf(200)), () => codec);
    expect(other.horizonMs).toBe(200); // the head is believed until the bytes are decoded
    expect(() => other.processing).toThrow(/another checkpoint/);
    const none = checkpointFromWire(bytes, checkpointHead(markOf(undefined)), () => codec);
    expect(() => none.outputs).toThrow(/another checkpoint/);
  });
});
