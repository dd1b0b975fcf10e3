// Encoded checkpoints: decode(encode(cp)) gives back checkpoints taken from real runs (a
// keyed count, time and count windows through their state codecs), a restore from a
// decoded checkpoint continues exactly like one from the original, malformed bytes are
// refused, and window state codecs carry accumulators that are not JSON data. Partitioned
// and given part fields as bytes, a checkpoint gives the bytes of the parts the engine makes.
// Decoded as its bytes arrive, in chunks of any size, it decodes key groups before the last
// chunk and ends as decodeCheckpoint does.

import fc from "fast-check";
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import type { Batch } from "../../engine/batch.js";
import { encodeBatch } from "../../engine/batchCodec.js";
import { asNewInstancePart, type Checkpoint, partition, withSuppression } from "../../engine/checkpoint.js";
import {
  CheckpointDecoder,
  checkpointOperatorOf,
  checkpointSizeBytes,
  decodeCheckpoint,
  decodeRoutingState,
  encodeCheckpoint,
  encodeRoutingState,
  partitionEncoded,
  withPartFields,
} from "../../engine/checkpointCodec.js";
import { InProcessRuntime } from "../../engine/inProcessRuntime.js";
import { KeyGroupRange, splitRange } from "../../engine/keyGroups.js";
import { type PhysicalPlan, physicalPlan } from "../../engine/physicalPlan.js";
import { restore } from "../../engine/primitives.js";
import { QueryBuilder } from "../../engine/queryPlan.js";
import { RecordState } from "../../engine/recordState.js";
import { routingState } from "../../engine/router.js";
import { JSON_STATE_CODEC, type StateCodec } from "../../engine/stateCodec.js";
import { type Aggregate, accumulatorCodec, sumAggregate } from "../../engine/windows/aggregate.js";
import { countWindow, countWindowStateCodec } from "../../engine/windows/countWindow.js";
import { Panes } from "../../engine/windows/panes.js";
import { type TimeWindowState, timeWindow, timeWindowStateCodec } from "../../engine/windows/timeWindow.js";
import { checkpointOfState, EXTRA_CODEC, keyedCountPlan, makeEvents, type SinkRecord } from "./fixtures.js";
import { Collect, type Out, type Row, RowSource, valuesAggregate } from "./windows/fixtures.js";

/** The state codec of each checkpoint's operator, as the plan carries it. */
const codecIn =
  (plan: PhysicalPlan) =>
  (cp: Checkpoint): StateCodec<unknown> =>
    plan.logical.operators[cp.operator].stateCodec ?? JSON_STATE_CODEC;

/** Encode then decode with the operator's codec. */
function roundTrip(plan: PhysicalPlan, cp: Checkpoint): Checkpoint {
  const codec = codecIn(plan)(cp);
  return decodeCheckpoint(encodeCheckpoint(cp, codec), codec);
}

const batchContents = (b: Batch) => ({
  length: b.length,
  keys: [...b.keys],
  eventTimesMs: [...b.eventTimesMs],
  seqs: [...b.seqs],
  fields: b.fields.map((f) => [...f]),
  values: b.values === null ? null : [...b.values],
  watermarkMs: b.watermarkMs,
  prevSeq: b.prevSeq,
});

/** Every part of a checkpoint compared: identity, ranges, entries, positions, buffers, times. */
function expectSameCheckpoint(back: Checkpoint, cp: Checkpoint): void {
  expect([back.id, back.instance, back.operator, back.sourcePosition, back.ended]).toEqual([
    cp.id,
    cp.instance,
    cp.operator,
    cp.sourcePosition,
    cp.ended,
  ]);
  expect(Object.is(back.watermarkMs, cp.watermarkMs)).toBe(true);
  expect(back.range.equals(cp.range)).toBe(true);
  expect(back.processing.range.equals(cp.processing.range)).toBe(true);
  expect(back.processing.maxKeyGroups).toBe(cp.processing.maxKeyGroups);
  expect(back.processing.groups).toEqual(cp.processing.groups);
  expect(back.inputs).toEqual(cp.inputs);
  expect(back.outputs).toEqual(cp.outputs);
  expect(back.buffers.map((c) => ({ ...c, batches: c.batches.map(batchContents) }))).toEqual(
    cp.buffers.map((c) => ({ ...c, batches: c.batches.map(batchContents) })),
  );
}

/** Checkpoints of every instance of a keyed count after `steps` source polls. */
function keyedCountCheckpoints(seed: number, steps: number, batchSize: number) {
  const out: SinkRecord[] = [];
  const plan = physicalPlan(keyedCountPlan(makeEvents(1500, 200, seed), out, { count: 2, sink: 2 }));
  const rt = new InProcessRuntime(plan, { batchSize });
  rt.start();
  for (let i = 0; i < steps; i++) rt.step();
  return { plan, checkpoints: plan.instances.map((s) => rt.instance(s.id).checkpoint(steps)) };
}

/** Rows with keys in [0, 25) and event times that are mostly in order. */
function randomRows(seed: number, n: number): Row[] {
  const rng = seedrandom(String(seed));
  return Array.from({ length: n }, (_, j) => ({
    key: Math.floor(rng() * 25),
    t: j * 3 + Math.floor(rng() * 40) - 20,
    x: j % 7,
  }));
}

/** Distinct values of field 0: a Set accumulator, so it needs encodeAcc/decodeAcc. */
const distinctAggregate: Aggregate<Set<number>, number[]> = {
  create: () => new Set(),
  add: (acc, batch, i) => acc.add(batch.fields[0][i]),
  merge: (a, b) => {
    for (const v of b) a.add(v);
    return a;
  },
  result: (acc) => [...acc].sort((x, y) => x - y),
  clone: (acc) => new Set(acc),
  encodeAcc: (acc) => [...acc],
  decodeAcc: (json) => new Set(json as number[]),
};

type WindowKind = "time" | "count" | "distinct";

/** source -> window (key edge) -> one sink per window instance (forward). */
function windowPlan(kind: WindowKind, rows: readonly Row[], parallelism: number) {
  const w =
    kind === "time"
      ? timeWindow({ sizeMs: 60, slideMs: 20, aggregate: valuesAggregate })
      : kind === "distinct"
        ? timeWindow({ sizeMs: 40, slideMs: 20, aggregate: distinctAggregate })
        : countWindow({ size: 6, slide: 2, aggregate: sumAggregate(0) });
  const outs: Out<unknown>[][] = Array.from({ length: parallelism }, () => []);
  const q = new QueryBuilder(`${kind}-window`);
  const src = q.source("src", () => new RowSource(rows), { outputs: [{ fields: 1 }] });
  const win = q.operator("win", w.create as never, { ...w.options, parallelism } as never);
  const sink = q.sink("sink", (info) => new Collect(outs[info.index]), { parallelism });
  q.connect(src, win, "key").connect(win, sink, "forward");
  return { plan: physicalPlan(q.build()), outs };
}

/**
 * Checkpoints of every instance of a window plan, asked for by control message after
 * `steps` polls and copied one entry per delivery while processing goes on.
 */
function windowCheckpoints(kind: WindowKind, seed: number, steps: number, parallelism = 2) {
  const rows = randomRows(seed, 500);
  const { plan, outs } = windowPlan(kind, rows, parallelism);
  const rt = new InProcessRuntime(plan, { batchSize: 16, copyChunkEntries: 1 });
  rt.start();
  for (let k = 0; k < steps; k++) rt.step();
  for (const s of plan.instances) rt.sendControl(s.id, { type: "checkpoint", checkpointId: 3 });
  rt.run();
  const checkpoints = rt.replies.flatMap((r) => (r.type === "checkpointed" ? [r.checkpoint] : []));
  expect(checkpoints).toHaveLength(plan.instances.length);
  return { rows, plan, outs, checkpoints };
}

describe("encodeCheckpoint and decodeCheckpoint", () => {
  it("decode(encode(cp)) gives back mid-stream checkpoints of a keyed count", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 1, max: 64 }),
        (seed, steps, batchSize) => {
          const { plan, checkpoints } = keyedCountCheckpoints(seed, steps, batchSize);
          for (const cp of checkpoints) expectSameCheckpoint(roundTrip(plan, cp), cp);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("decode(encode(cp)) gives back the output suppression a checkpoint keeps (a live scale out's new instance)", () => {
    const { plan, checkpoints } = keyedCountCheckpoints(7, 5, 16);
    const suppression = [
      {
        edge: null,
        receiver: null,
        processed: [{ edge: 0, sender: 0, seq: 41, watermarkMs: Number.NEGATIVE_INFINITY }],
        watermarkMs: 1234.5,
      },
      { edge: 1, receiver: 9, processed: [], watermarkMs: Number.POSITIVE_INFINITY },
    ];
    const cp = { ...checkpoints[1], suppression };
    const back = roundTrip(plan, cp);
    expectSameCheckpoint(back, cp);
    expect(back.suppression).toEqual(suppression);
    expect(roundTrip(plan, checkpoints[1]).suppression).toBeUndefined();
  });

  it("decode(encode(cp)) gives back time- and count-window checkpoints through their state codecs", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<WindowKind>("time", "count", "distinct"),
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 1, max: 20 }),
        (kind, seed, steps) => {
          const { plan, checkpoints } = windowCheckpoints(kind, seed, steps);
          const windows = checkpoints.filter((c) => c.operator === 1);
          expect(windows.some((c) => c.processing.size > 0)).toBe(true);
          for (const cp of checkpoints) {
            const back = roundTrip(plan, cp);
            expectSameCheckpoint(back, cp);
            if (kind !== "count" && cp.operator === 1) {
              for (const [, s] of back.processing.entries()) {
                expect((s as TimeWindowState<unknown>).panes).toBeInstanceOf(Panes);
              }
            }
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  it("keeps -Infinity and Infinity watermarks and window times", () => {
    const rows = randomRows(5, 200);
    const { plan } = windowPlan("time", rows, 1);
    const rt = new InProcessRuntime(plan, { batchSize: 16 });
    const before = plan.instances.map((s) => rt.instance(s.id).checkpoint(1));
    rt.start();
    for (let k = 0; k < 4; k++) rt.step();
    const during = plan.instances.map((s) => rt.instance(s.id).checkpoint(2));
    rt.run();
    const after = plan.instances.map((s) => rt.instance(s.id).checkpoint(3));
    const all = [...before, ...during, ...after];
    expect(all.some((c) => c.watermarkMs === Number.NEGATIVE_INFINITY)).toBe(true);
    expect(all.some((c) => c.inputs.some((p) => p.watermarkMs === Number.NEGATIVE_INFINITY))).toBe(true);
    expect(after.every((c) => c.watermarkMs === Number.POSITIVE_INFINITY && c.ended)).toBe(true);
    const states = [...during[1].processing.entries()].map(([, s]) => s as TimeWindowState<number[]>);
    expect(states.some((s) => s.firedThroughMs === Number.NEGATIVE_INFINITY)).toBe(true);
    for (const cp of all) expectSameCheckpoint(roundTrip(plan, cp), cp);
  });

  it("a restore from a decoded checkpoint continues exactly like one from the original (keyed count)", () => {
    const events = makeEvents(1500, 200, 11);
    const { plan, checkpoints } = keyedCountCheckpoints(11, 9, 40);
    const resume = (cps: readonly Checkpoint[]): SinkRecord[] => {
      const out: SinkRecord[] = [];
      const fresh = physicalPlan(keyedCountPlan(events, out, { count: 2, sink: 2 }));
      const rt = new InProcessRuntime(fresh, { batchSize: 40 });
      for (const cp of cps.filter((c) => c.operator > 0)) restore(cp, rt.instance(cp.instance));
      rt.start();
      rt.run();
      return out;
    };
    const fromOriginal = resume(checkpoints);
    expect(fromOriginal.length).toBeGreaterThan(0);
    expect(resume(checkpoints.map((cp) => roundTrip(plan, cp)))).toEqual(fromOriginal);
  });

  for (const kind of ["time", "count", "distinct"] as const) {
    it(`a restore from a decoded checkpoint continues exactly like one from the original (${kind} window)`, () => {
      const { rows, plan, outs, checkpoints } = windowCheckpoints(kind, 21, 10);
      const resume = (cps: readonly Checkpoint[]) => {
        const fresh = windowPlan(kind, rows, 2);
        const rt = new InProcessRuntime(fresh.plan, { batchSize: 16 });
        for (const cp of cps.filter((c) => c.operator > 0)) restore(cp, rt.instance(cp.instance));
        rt.start();
        rt.run();
        return fresh.outs;
      };
      const fromOriginal = resume(checkpoints);
      const fromDecoded = resume(checkpoints.map((cp) => roundTrip(plan, cp)));
      expect(fromDecoded).toEqual(fromOriginal);
      let compared = 0;
      for (const cp of checkpoints.filter((c) => c.operator === 1)) {
        const index = plan.instances.find((s) => s.id === cp.instance)!.index;
        // (forward edges: only one sink hears tuples from this instance)
        const from = Math.max(
          ...checkpoints
            .flatMap((c) => (c.operator === 2 ? c.inputs : []))
            .filter((p) => p.sender === cp.instance)
            .map((p) => p.seq),
        );
        const after = outs[index].filter((o) => o.seq > from);
        expect(fromDecoded[index]).toEqual(after);
        compared += after.length;
      }
      expect(compared).toBeGreaterThan(0);
    });
  }

  it("names the operator of encoded bytes, and sizes a checkpoint by its encoding", () => {
    const { plan, checkpoints } = windowCheckpoints("time", 3, 8);
    for (const cp of checkpoints) {
      const codec = codecIn(plan)(cp);
      const bytes = encodeCheckpoint(cp, codec);
      expect(checkpointOperatorOf(bytes)).toBe(cp.operator);
      expect(checkpointSizeBytes(cp, codec)).toBe(bytes.length);
    }
  });
});

/** The same bytes with the header replaced by `edit` of the parsed header. */
function withHeader(bytes: Uint8Array, edit: (h: Record<string, unknown>) => unknown): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(8, true);
  const end = 16 + length + ((8 - (length % 8)) % 8);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + length)));
  const json = new TextEncoder().encode(JSON.stringify(edit(header)));
  const padded = json.length + ((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(16 + padded + bytes.length - end);
  out.set(bytes.subarray(0, 16));
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 16);
  out.set(bytes.subarray(end), 16 + padded);
  return out;
}

describe("decodeCheckpoint refuses malformed bytes", () => {
  const { plan, checkpoints } = keyedCountCheckpoints(2, 8, 30);
  const counter = checkpoints.find((c) => c.operator === 1 && c.processing.size > 0 && c.buffers.length > 0)!;
  const bytes = encodeCheckpoint(counter);

  it("refuses bytes that are not an encoded checkpoint", () => {
    expect(() => decodeCheckpoint(new Uint8Array(0))).toThrow(/malformed checkpoint: truncated prefix/);
    expect(() => decodeCheckpoint(encodeBatch(counter.buffers[0].batches[0]))).toThrow(/bad magic/);
    const otherVersion = bytes.slice();
    otherVersion[4] = 9;
    expect(() => decodeCheckpoint(otherVersion)).toThrow(/version 9/);
  });

  it("refuses every truncation and trailing bytes", () => {
    expect(decodeCheckpoint(bytes).processing.size).toBe(counter.processing.size);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), (cut) => {
        expect(() => decodeCheckpoint(bytes.subarray(0, cut))).toThrow(/malformed checkpoint/);
      }),
      { numRuns: 300 },
    );
    const longer = new Uint8Array(bytes.length + 8);
    longer.set(bytes);
    expect(() => decodeCheckpoint(longer)).toThrow(/8 trailing bytes/);
  });

  it("refuses a header that is not JSON or lacks its fields", () => {
    const garbled = bytes.slice();
    garbled[16] = 0x7b + 1;
    expect(() => decodeCheckpoint(garbled)).toThrow(/header is not UTF-8 JSON/);
    expect(() => decodeCheckpoint(withHeader(bytes, (h) => ({ ...h, operator: "x" })))).toThrow(
      /field operator must be an integer/,
    );
    expect(() => decodeCheckpoint(withHeader(bytes, (h) => ({ ...h, watermarkMs: "soon" })))).toThrow(
      /watermarkMs: expected a number/,
    );
    expect(() => decodeCheckpoint(withHeader(bytes, (h) => ({ ...h, inputs: [[1, 2]] })))).toThrow(
      /input position/,
    );
    const badRouting = withHeader(bytes, (h) => ({
      ...h,
      outputs: (h.outputs as { routing: object }[]).map((o) => ({
        ...o,
        routing: { ...o.routing, contract: "all" },
      })),
    }));
    expect(() => decodeCheckpoint(badRouting)).toThrow(/malformed routing state: contract "all"/);
    expect(() => decodeCheckpoint(withHeader(bytes, (h) => ({ ...h, range: [5, 40] })))).toThrow(
      /malformed checkpoint/,
    );
  });

  it("refuses state values its codec refuses", () => {
    const { plan: windows, checkpoints: cps } = windowCheckpoints("time", 4, 8);
    const cp = cps.find((c) => c.operator === 1 && c.processing.size > 0)!;
    const encoded = encodeCheckpoint(cp, codecIn(windows)(cp));
    expect(() => decodeCheckpoint(encoded, countWindowStateCodec(sumAggregate(0)) as never)).toThrow(
      /malformed checkpoint: key group \d+: count window state: expected \[3\]/,
    );
    expect(plan.logical.operators[1].stateCodec).toBeUndefined();
  });
});

describe("routing state as JSON", () => {
  it("decodeRoutingState(encodeRoutingState(r)) gives back r, key-group ranges included", () => {
    const ranges = [KeyGroupRange.of(0, 9), KeyGroupRange.of(10, 31)];
    for (const r of [
      routingState("key", [4, 5], { ranges, maxKeyGroups: 32, senderIndex: 1 }),
      { ...routingState("roundRobin", [1, 2, 3]), next: 2 },
      routingState("broadcast", [7]),
    ]) {
      expect(decodeRoutingState(JSON.parse(JSON.stringify(encodeRoutingState(r))))).toEqual(r);
    }
    expect(() =>
      decodeRoutingState({ ...(encodeRoutingState(routingState("forward", [1])) as object), next: "0" }),
    ).toThrow(/next must be an integer/);
  });
});

describe("window state codecs", () => {
  it("carry a non-JSON accumulator through the aggregate's encodeAcc and decodeAcc", () => {
    const codec = timeWindowStateCodec(distinctAggregate);
    const state: TimeWindowState<Set<number>> = {
      firedThroughMs: Number.NEGATIVE_INFINITY,
      nextFireMs: Number.POSITIVE_INFINITY,
      panes: new Panes([3, 4, 9], [new Set([1, 2]), new Set(), new Set([5])]),
    };
    expect(codec.decode(JSON.parse(JSON.stringify(codec.encode(state))))).toEqual(state);
  });

  it("carry numeric accumulators that are +-Infinity", () => {
    const max: Aggregate<number, number> = {
      create: () => Number.NEGATIVE_INFINITY,
      add: (acc, batch, i) => Math.max(acc, batch.fields[0][i]),
      merge: (a, b) => Math.max(a, b),
      result: (acc) => acc,
    };
    const codec = countWindowStateCodec(max);
    const state = { closed: [Number.NEGATIVE_INFINITY, 4], open: Number.POSITIVE_INFINITY, openCount: 1 };
    expect(codec.decode(JSON.parse(JSON.stringify(codec.encode(state))))).toEqual(state);
  });

  it("refuse an aggregate with only one of encodeAcc and decodeAcc, and malformed state", () => {
    expect(() => accumulatorCodec({ ...distinctAggregate, decodeAcc: undefined })).toThrow(/both encodeAcc/);
    const codec = timeWindowStateCodec(valuesAggregate);
    expect(() => codec.decode([0, 20, [2, 1], [[], []]])).toThrow(/ascending integers/);
    expect(() => codec.decode([0, 20, [1], []])).toThrow(/do not match/);
    expect(() => codec.decode({})).toThrow(/expected \[4\]/);
  });
});

describe("partitionEncoded", () => {
  it("gives, without decoding, exactly the bytes of each part partition gives", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<WindowKind>("time", "count", "distinct"),
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 2, max: 4 }),
        (kind, seed, steps, parts) => {
          const { plan, checkpoints } = windowCheckpoints(kind, seed, steps);
          for (const cp of checkpoints.filter((c) => c.operator === 1)) {
            const codec = codecIn(plan)(cp);
            const ranges = splitRange(cp.range, Math.min(parts, cp.range.size));
            const expected = partition(cp, ranges).map((p) => encodeCheckpoint(p, codec));
            const sliced = partitionEncoded(encodeCheckpoint(cp, codec), ranges);
            expect(sliced).toEqual(expected);
            expectSameCheckpoint(decodeCheckpoint(sliced[1], codec), partition(cp, ranges)[1]);
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it("refuses ranges that do not tile the checkpoint's", () => {
    const { checkpoints } = keyedCountCheckpoints(3, 5, 20);
    const cp = checkpoints.find((c) => c.operator === 1)!;
    const bytes = encodeCheckpoint(cp);
    expect(() => partitionEncoded(bytes, [KeyGroupRange.of(cp.range.first, cp.range.first)])).toThrow(
      /do not tile/,
    );
  });
});

describe("withPartFields", () => {
  it("gives, without decoding, exactly the bytes of asNewInstancePart and withSuppression", () => {
    const suppression = [
      {
        edge: null,
        receiver: null,
        processed: [{ edge: 0, sender: 0, seq: 41, watermarkMs: 7 }],
        watermarkMs: 9.5,
      },
    ];
    for (const kind of ["time", "count", "distinct"] as const) {
      const { plan, checkpoints } = windowCheckpoints(kind, 11, 8);
      for (const cp of checkpoints) {
        const codec = codecIn(plan)(cp);
        const bytes = encodeCheckpoint(cp, codec);
        const fresh = asNewInstancePart(cp);
        expect(withPartFields(bytes, { newInstance: true })).toEqual(encodeCheckpoint(fresh, codec));
        expect(withPartFields(bytes, { suppression })).toEqual(
          encodeCheckpoint(withSuppression(cp, suppression), codec),
        );
        const both = withPartFields(bytes, { newInstance: true, suppression });
        expect(both).toEqual(encodeCheckpoint(withSuppression(fresh, suppression), codec));
        expectSameCheckpoint(decodeCheckpoint(both, codec), withSuppression(fresh, suppression));
      }
    }
    // Buffered output is dropped with a new instance's identity, and kept otherwise.
    const { checkpoints } = keyedCountCheckpoints(5, 6, 16);
    const buffered = checkpoints.find((c) => c.buffers.some((b) => b.batches.length > 0))!;
    expect(buffered).toBeDefined();
    const bytes = encodeCheckpoint(buffered);
    expect(decodeCheckpoint(withPartFields(bytes, { suppression })).buffers).toEqual(
      decodeCheckpoint(bytes).buffers,
    );
    expect(decodeCheckpoint(withPartFields(bytes, { newInstance: true })).buffers).toEqual([]);
  });
});

/** A checkpoint of records (3 numbers a key, a few extras) over 16 key groups. */
function recordsCheckpoint(): { cp: Checkpoint; codec: StateCodec<unknown> } {
  const state = new RecordState(16, KeyGroupRange.of(0, 15), 3);
  for (let k = 0; k < 2000; k++) {
    const h = state.insert(k);
    state.set(h, 0, k);
    state.set(h, 1, 1);
    state.set(h, 2, k / 7);
    if (k % 100 === 0) state.setExtra(k, { n: k });
  }
  state.beginCopy();
  return { cp: checkpointOfState(state.copyStep(Number.MAX_SAFE_INTEGER)!), codec: EXTRA_CODEC };
}

describe("CheckpointDecoder", () => {
  it("decodes key groups as the chunks arrive, and ends with the checkpoint decodeCheckpoint gives", () => {
    const { plan, checkpoints } = keyedCountCheckpoints(5, 6, 16);
    const maps = checkpoints.find((c) => c.operator === 1 && c.buffers.some((b) => b.batches.length > 0))!;
    const records = recordsCheckpoint();
    for (const { cp, codec } of [{ cp: maps, codec: codecIn(plan)(maps) }, records]) {
      const bytes = encodeCheckpoint(cp, codec);
      for (const chunkBytes of [1, 13, 256, 4096, bytes.length]) {
        const into = new Uint8Array(bytes.length);
        const decoder = new CheckpointDecoder(into, () => codec, true);
        let before = 0;
        for (let at = 0; at < bytes.length; at += chunkBytes) {
          const end = Math.min(bytes.length, at + chunkBytes);
          into.set(bytes.subarray(at, end), at);
          decoder.advanceTo(end);
          if (end < bytes.length) before = decoder.groupsDecoded;
        }
        // Every key group but the last few was decoded before the last chunk came.
        if (chunkBytes < bytes.length / 4) expect(before).toBeGreaterThan(cp.range.size / 2);
        const back = decoder.finish();
        expect(Buffer.from(encodeCheckpoint(back, codec))).toEqual(Buffer.from(bytes));
        expectSameCheckpoint(back, decodeCheckpoint(bytes, codec));
      }
    }
  });

  it("refuses a truncated or malformed checkpoint in one line, as decodeCheckpoint does", () => {
    const { cp, codec } = recordsCheckpoint();
    const bytes = encodeCheckpoint(cp, codec);
    const short = new CheckpointDecoder(bytes.slice(0, bytes.length - 8), () => codec);
    expect(() => short.finish()).toThrow(/malformed checkpoint: truncated/);
    const bad = bytes.slice();
    bad[0] ^= 0xff;
    expect(() => new CheckpointDecoder(bad, () => codec).advanceTo(bad.length)).toThrow(/bad magic/);
    expect(() => new CheckpointDecoder(bytes, () => codec).advanceTo(bytes.length + 1)).toThrow(/bytes in/);
  });
});
