import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Checkpoint } from "../../engine/checkpoint.js";
import { ProtocolError } from "../../engine/control.js";
import { InProcessRuntime } from "../../engine/inProcessRuntime.js";
import { keyGroupOf } from "../../engine/keyGroups.js";
import { instancesOf, physicalPlan } from "../../engine/physicalPlan.js";
import { acksOf, backup, backupHolder, restore } from "../../engine/primitives.js";
import { finalCounts, keyedCountPlan, makeEvents, perKey, type SinkRecord } from "./fixtures.js";

function expectedCounts(events: readonly { key: number }[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const e of events) m.set(e.key, (m.get(e.key) ?? 0) + 1);
  return m;
}

const sorted = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]);

describe("Instance through the in-process runtime", () => {
  it("a keyed count gives the expected counts at any parallelism, each running count exactly once", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (ps, pc, pk, batchSize, seed) => {
          const events = makeEvents(600, 37, seed);
          const out: SinkRecord[] = [];
          const rt = new InProcessRuntime(
            physicalPlan(keyedCountPlan(events, out, { source: ps, count: pc, sink: pk })),
            {
              batchSize,
            },
          );
          rt.start();
          rt.run();
          expect(sorted(finalCounts(out))).toEqual(sorted(expectedCounts(events)));
          for (const [, values] of perKey(out)) {
            expect([...values].sort((a, b) => (a as number) - (b as number))).toEqual(
              values.map((_, i) => i + 1),
            );
          }
          expect(out.length).toBe(events.length);
          for (const inst of rt.instances.values()) expect(inst.state).toBe("finished");
        },
      ),
      { numRuns: 40 },
    );
  });

  it("a checkpoint taken while tuples keep arriving reflects exactly the tuples before its timestamps", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 1e6 }),
        (at, chunk, seed) => {
          const events = makeEvents(3000, 500, seed);
          const out: SinkRecord[] = [];
          const plan = physicalPlan(keyedCountPlan(events, out, { source: 2, count: 2 }));
          const rt = new InProcessRuntime(plan, { batchSize: 50, copyChunkEntries: chunk });
          rt.start();
          const count = instancesOf(plan, 1)[1];
          let cp: Checkpoint | undefined;
          rt.onReply = (r) => {
            if (r.type === "checkpointed") cp = r.checkpoint;
          };
          for (let i = 0; i < at; i++) rt.step();
          rt.sendControl(count.id, { type: "checkpoint", checkpointId: 1 });
          rt.run();
          expect(cp).toBeDefined();
          // Source instance s emitted events s, s+2, s+4, ... with timestamps 1, 2, 3, ...
          const expected = new Map<number, number>();
          for (const pos of cp!.inputs) {
            const s = instancesOf(plan, 0).find((x) => x.id === pos.sender)!.index;
            for (let seq = 1; seq <= pos.seq; seq++) {
              const e = events[s + (seq - 1) * 2];
              if (count.range.contains(keyGroupOf(e.key, 32)))
                expected.set(e.key, (expected.get(e.key) ?? 0) + 1);
            }
          }
          expect(sorted(new Map(cp!.processing.entries()) as Map<number, number>)).toEqual(sorted(expected));
        },
      ),
      { numRuns: 30 },
    );
  });

  it("recovers a failed instance from its backup and a replay, with the same output per key as a failure-free run", () => {
    const events = makeEvents(4000, 200, 7);
    const reference: SinkRecord[] = [];
    const ref = new InProcessRuntime(physicalPlan(keyedCountPlan(events, reference, { count: 2 })), {
      batchSize: 100,
    });
    ref.start();
    ref.run();

    const out: SinkRecord[] = [];
    const plan = physicalPlan(keyedCountPlan(events, out, { count: 2 }));
    const rt = new InProcessRuntime(plan, { batchSize: 100 });
    rt.start();
    const victim = instancesOf(plan, 1)[0];
    const holderId = backupHolder(plan, victim.id);
    for (let i = 0; i < 10; i++) rt.step();
    // checkpoint, then backup to the upstream holder, and ack the other upstreams.
    const cp = rt.instance(victim.id).checkpoint(1);
    backup(cp, rt.instance(holderId));
    for (const a of acksOf(cp)) if (a.to !== holderId) rt.sendControl(a.to, a.message);
    for (let i = 0; i < 7; i++) rt.step();
    rt.fail(victim.id);
    for (let i = 0; i < 3; i++) rt.step(); // tuples sent to the dead instance are lost
    // A fresh instance under the same id, restored from the holder's backup, then replay.
    const fresh = rt.deploy(plan, victim);
    restore(rt.instance(holderId).backups.get(victim.id)!, fresh);
    rt.sendControl(victim.id, { type: "start" });
    for (const pos of cp.inputs) {
      rt.sendControl(pos.sender, { type: "replay", edge: pos.edge, receiver: victim.id, afterSeq: pos.seq });
    }
    rt.run();
    expect(perKey(out)).toEqual(perKey(reference));
  });

  it("refuses a control message its lifecycle does not allow", () => {
    const out: SinkRecord[] = [];
    const rt = new InProcessRuntime(physicalPlan(keyedCountPlan(makeEvents(10, 3), out)));
    const inst = rt.instance(1);
    expect(() => inst.handle({ type: "resume" })).toThrow(ProtocolError);
    inst.handle({ type: "stop" });
    expect(() => inst.handle({ type: "start" })).toThrow(/state "stopped" cannot handle "start"/);
  });

  it("holds output while paused and sends it on resume", () => {
    const events = makeEvents(500, 20, 3);
    const out: SinkRecord[] = [];
    const rt = new InProcessRuntime(physicalPlan(keyedCountPlan(events, out)), { batchSize: 50 });
    rt.start();
    rt.step();
    const seen = out.length;
    rt.sendControl(1, { type: "pause" });
    rt.step();
    rt.step();
    expect(out.length).toBe(seen);
    expect(rt.instance(1).bufferedTuples).toBeGreaterThan(seen);
    rt.sendControl(1, { type: "resume" });
    rt.run();
    expect(sorted(finalCounts(out))).toEqual(sorted(expectedCounts(events)));
  });
});

describe("InProcessRuntime.run", () => {
  it("throws when the run goes quiet with an instance stuck on a gap no replay can fill", () => {
    const events = makeEvents(2000, 50, 9);
    const out: SinkRecord[] = [];
    const plan = physicalPlan(keyedCountPlan(events, out));
    const rt = new InProcessRuntime(plan, { batchSize: 100 });
    rt.start();
    for (let i = 0; i < 5; i++) rt.step();
    const counter = instancesOf(plan, 1)[0];
    const cp = rt.instance(counter.id).checkpoint(1);
    for (let i = 0; i < 5; i++) rt.step();
    // The source trims its buffer past the checkpoint (as if a later one had been acked),
    // so the replay the restored counter asks for cannot fill the gap.
    const source = instancesOf(plan, 0)[0];
    const edge = plan.logical.edges.find((e) => e.from === 0)!.id;
    const late = rt.instance(counter.id).processedSeq(edge, source.id);
    expect(late).toBeGreaterThan(cp.inputs[0].seq);
    rt.sendControl(source.id, { type: "ack", edge, receiver: counter.id, seq: late });
    rt.drain();
    rt.fail(counter.id);
    restore(cp, rt.deploy(plan, counter));
    rt.sendControl(counter.id, { type: "start" });
    expect(() => rt.run()).toThrow(
      /unfinished instances: 1 \("count", running, \d+ batches dropped on gaps\); 2 \("sink"/,
    );
  });
});
