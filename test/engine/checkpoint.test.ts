import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  asNewInstancePart,
  type Checkpoint,
  merge,
  type PartFields,
  partition,
  STATE_ELSEWHERE,
  withSuppression,
} from "../../engine/checkpoint.js";
import { InProcessRuntime } from "../../engine/inProcessRuntime.js";
import { KeyGroupRange, keyGroupOf, sliceKeyGroups, splitRange } from "../../engine/keyGroups.js";
import { instancesOf, physicalPlan } from "../../engine/physicalPlan.js";
import { keyedCountPlan, makeEvents, type SinkRecord } from "./fixtures.js";

/** A mid-stream checkpoint of the counter of a keyed count (32 key groups, one instance). */
function midStreamCheckpoint(seed: number, steps: number): Checkpoint {
  const out: SinkRecord[] = [];
  const plan = physicalPlan(keyedCountPlan(makeEvents(2000, 300, seed), out));
  const rt = new InProcessRuntime(plan, { batchSize: 40 });
  rt.start();
  for (let i = 0; i < steps; i++) rt.step();
  return rt.instance(instancesOf(plan, 1)[0].id).checkpoint(7);
}

const entriesOf = (cp: Checkpoint) => [...cp.processing.entries()].sort((a, b) => a[0] - b[0]);

describe("checkpoint partition and merge", () => {
  it("merge(partition(cp, ranges)) gives back cp", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 32 }),
        (seed, steps, parts) => {
          const cp = midStreamCheckpoint(seed, steps);
          const back = merge(partition(cp, sliceKeyGroups(32, parts)));
          expect(entriesOf(back)).toEqual(entriesOf(cp));
          expect(back.range.equals(cp.range)).toBe(true);
          expect(back.inputs).toEqual(cp.inputs);
          expect(back.outputs).toEqual(cp.outputs);
          expect(back.buffers).toEqual(cp.buffers);
          expect(back.instance).toBe(cp.instance);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("puts every key in the part whose range holds its key group, with the same input positions", () => {
    const cp = midStreamCheckpoint(3, 12);
    const ranges = splitRange(cp.range, 3);
    const parts = partition(cp, ranges);
    parts.forEach((p, i) => {
      expect(p.inputs).toEqual(cp.inputs);
      for (const [k] of p.processing.entries()) expect(ranges[i].contains(keyGroupOf(k, 32))).toBe(true);
    });
    expect(parts[0].instance).toBe(cp.instance);
    expect(parts.slice(1).every((p) => p.instance === -1 && p.buffers.length === 0)).toBe(true);
  });

  it("refuses ranges that do not tile the checkpoint, and merging a part that still buffers output", () => {
    const cp = midStreamCheckpoint(4, 10);
    expect(() => partition(cp, [KeyGroupRange.of(0, 10)])).toThrow(/do not tile/);
    const [a, b] = partition(cp, sliceKeyGroups(32, 2));
    const bufferedB = {
      ...b,
      instance: 99,
      buffers: a.buffers.length > 0 ? a.buffers : [{ edge: 1, receiver: 2, batches: [null as never] }],
    };
    expect(() => merge([a, bufferedB])).toThrow(/drain it first/);
  });
});

describe("merge preconditions", () => {
  it("refuses checkpoints that were not taken at one cut", () => {
    const cp = midStreamCheckpoint(5, 10);
    const [a, b] = partition(cp, sliceKeyGroups(32, 2));
    const later = { ...b, inputs: b.inputs.map((p) => ({ ...p, seq: p.seq + 1 })) };
    expect(() => merge([a, later])).toThrow(/not taken at one cut/);
  });
});

describe("a checkpoint whose state is elsewhere", () => {
  it("is partitioned and given part fields its own way, its state never read", () => {
    const calls: string[] = [];
    const fields: PartFields[] = [];
    const elsewhere = {
      partition: (_: Checkpoint, ranges: readonly KeyGroupRange[]) => {
        calls.push(`partition ${ranges.join(" ")}`);
        return ranges.map(remoteOf);
      },
      withFields: (c: Checkpoint, f: PartFields) => {
        fields.push(f);
        return c;
      },
    };
    /** A checkpoint over `range` whose state (and outputs and buffers) throw when read. */
    function remoteOf(range: KeyGroupRange): Checkpoint {
      const cp = { id: 3, instance: 5, operator: 1, range, inputs: [] };
      Object.defineProperty(cp, STATE_ELSEWHERE, { value: elsewhere });
      for (const name of ["processing", "buffers", "outputs"])
        Object.defineProperty(cp, name, {
          get: () => {
            throw new Error(`${name} read`);
          },
        });
      return cp as unknown as Checkpoint;
    }
    const cut = [{ edge: null, receiver: null, processed: [], watermarkMs: 9 }];
    const parts = partition(remoteOf(KeyGroupRange.of(0, 7)), [
      KeyGroupRange.of(0, 3),
      KeyGroupRange.of(4, 7),
    ]).map(asNewInstancePart);
    withSuppression(parts[0], cut);
    expect(calls).toEqual(["partition [0..3] [4..7]"]);
    expect(fields).toEqual([{ newInstance: true }, { newInstance: true }, { suppression: cut }]);
  });
});
