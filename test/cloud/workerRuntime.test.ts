// A worker's runtime as recovery needs it: control messages to instances on other workers
// are forwarded with the incarnation the worker knows, a message for a replaced
// incarnation is dropped, a redeploy replaces an instance in place and tells where others
// run now, and a frame for an instance not hosted here is dropped with its credit given
// back. Scale out: a new instance is deployed beside the plan it was built with, and one
// moved to another worker (a migration) is no longer hosted here. Load: each instance's
// busy time and processed tuples are measured and read out once. No server, no process:
// the runtime alone.

import { afterEach, describe, expect, it, vi } from "vitest";
import type { IncomingStream } from "../../cloud/dataPlane.js";
import { type WorkerEvents, WorkerRuntime } from "../../cloud/workerRuntime.js";
import {
  BatchBuilder,
  type ControlMessage,
  keyGroupOf,
  physicalPlan,
  splitRange,
} from "../../engine/index.js";
import { workloadPlan } from "../../workloads/index.js";

// wordcount with parallelism 2 on 3 workers: lines#0 (w0), split#1 (w1), split#2 (w2),
// count#3 (w0), count#4 (w1), sink#5 (w2).
const plan = physicalPlan(workloadPlan("wordcount", { lines: 10 }, 1), { vms: 3 });
const addresses = new Map(plan.instances.map((i) => [i.id, `127.0.0.1:${7000 + i.vm}`]));
const runtimes: WorkerRuntime[] = [];
afterEach(() => {
  for (const r of runtimes.splice(0)) r.stop();
});

function runtimeOf(hosted: number[], incarnations = new Map<number, number>(), ackProcessedEvery?: number) {
  const forwarded: { instance: number; address: string; incarnation: number; message: ControlMessage }[] = [];
  const failed: { instance: number; task: string; error: string }[] = [];
  const events: WorkerEvents = {
    reply: () => {},
    sinkBatch: () => {},
    peerLost: () => {},
    forward: (instance, address, incarnation, message) =>
      forwarded.push({ instance, address, incarnation, message }),
    taskFailed: (instance, _incarnation, task, error) =>
      failed.push({ instance, task, error: error instanceof Error ? error.message : String(error) }),
  };
  const options = {
    batchSize: 64,
    sourcePollMs: 20,
    startEpochMs: Date.now(),
    replaySpeed: 1,
    seed: 1,
    token: "t",
    bufferOutput: true,
    ackProcessedEvery,
  };
  const rt = new WorkerRuntime(plan, hosted, addresses, options, events, incarnations);
  runtimes.push(rt);
  return { rt, forwarded, failed };
}

const replay: ControlMessage = { type: "replay", edge: 1, receiver: 3, afterSeq: 0 };

describe("WorkerRuntime", () => {
  it("forwards a control message to an instance on another worker, with the incarnation it knows", () => {
    const { rt, forwarded } = runtimeOf([1, 4], new Map([[2, 3]]));
    rt.sendControl(2, replay);
    expect(forwarded).toEqual([{ instance: 2, address: "127.0.0.1:7002", incarnation: 3, message: replay }]);
    rt.sendControl(4, { type: "start" }); // hosted here: straight into its inbox
    expect(forwarded).toHaveLength(1);
  });

  it("drops a control message sent to an incarnation that has been replaced", () => {
    const { rt } = runtimeOf([1], new Map([[1, 2]]));
    expect(rt.control(1, { type: "start" }, 1)).toBe(false);
    expect(rt.dropped).toBe(1);
    expect(rt.control(1, { type: "start" }, 2)).toBe(true);
    expect(rt.control(1, { type: "checkpoint", checkpointId: 1 }, 0)).toBe(true);
    expect(() => rt.control(3, { type: "start" }, 0)).toThrow(/not hosted here/);
  });

  it("learns where redeployed instances run now, and replaces its own in place", () => {
    const { rt, forwarded } = runtimeOf([1, 4], new Map(plan.instances.map((i) => [i.id, 1])));
    const moved = { ...plan.instances[2], vm: 3 };
    expect(rt.redeploy([moved], new Map([[2, "127.0.0.1:7003"]]), new Map([[2, 2]]), [])).toEqual([]);
    rt.sendControl(2, replay);
    expect(forwarded.at(-1)).toMatchObject({ instance: 2, address: "127.0.0.1:7003", incarnation: 2 });
    expect(rt.plan.instances.find((i) => i.id === 2)?.vm).toBe(3);
    expect(rt.redeploy([plan.instances[4]], new Map(), new Map([[4, 2]]), [4])).toEqual([4]);
    expect(rt.hosted.sort()).toEqual([1, 4]);
    expect(rt.control(4, { type: "start" }, 1)).toBe(false);
    expect(rt.control(4, { type: "start" }, 2)).toBe(true);
  });

  it("hosts a scale out's new instance, and lets go of one moved to another worker", () => {
    const { rt, forwarded } = runtimeOf([0, 3], new Map(plan.instances.map((i) => [i.id, 1])));
    // count#3 split: count#6, here too, takes the upper half of its key groups.
    const three = plan.instances[3];
    const [, upper] = splitRange(three.range, 2);
    const six = { ...three, id: 6, range: upper };
    expect(rt.redeploy([six], new Map([[6, "127.0.0.1:7000"]]), new Map([[6, 1]]), [6])).toEqual([6]);
    expect(rt.hosted.sort()).toEqual([0, 3, 6]);
    expect(rt.plan.instances.map((i) => i.id)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // count#3 moved to worker 3 (a migration): this worker no longer hosts it, and sends to it there.
    const moved = { ...three, vm: 3 };
    expect(rt.redeploy([moved], new Map([[3, "127.0.0.1:7003"]]), new Map([[3, 2]]), [])).toEqual([]);
    expect(rt.hosted.sort()).toEqual([0, 6]);
    rt.sendControl(3, replay);
    expect(forwarded.at(-1)).toMatchObject({ instance: 3, address: "127.0.0.1:7003", incarnation: 2 });
    expect(() => rt.control(3, { type: "start" }, 0)).toThrow(/not hosted here/);
  });

  it("passes the processed-ack interval to its instances (0 when not asked)", () => {
    expect(runtimeOf([1], new Map(), 16).rt.ackProcessedEvery).toBe(16);
    expect(runtimeOf([1]).rt.ackProcessedEvery).toBe(0);
  });

  it("measures each hosted instance's busy time and processed tuples in totals, which a second read repeats", async () => {
    const { rt } = runtimeOf([3]);
    const count = plan.instances[3];
    const groups = plan.logical.operators[count.operator].maxKeyGroups;
    const b = new BatchBuilder(0);
    for (let key = 0, n = 0; n < 500; key++) {
      if (count.range.contains(keyGroupOf(key, groups))) b.push(key, 10, ++n);
    }
    let credits = 0;
    const from = { processed: () => credits++, flush: () => {} } as unknown as IncomingStream;
    rt.control(3, { type: "start" });
    rt.receive(3, 1, 1, b.build(0), from);
    expect(rt.loads().instances).toEqual([
      expect.objectContaining({ instance: 3, incarnation: 0, processedTuples: 0, queuedTuples: 500 }),
    ]);
    await vi.waitFor(() => expect(credits).toBe(1), { timeout: 60_000 }); // its turns run on the event loop
    const [load] = rt.loads().instances;
    expect(load).toMatchObject({ instance: 3, processedTuples: 500, queuedTuples: 0, shedTuples: 0 });
    expect(load.busyMs).toBeGreaterThan(0);
    // Totals: a heartbeat whose reply was lost loses nothing, the next read says the same.
    expect(rt.loads().instances[0]).toEqual(load);
    const counters = rt.counters();
    expect(counters.queued).toBe(0);
    expect(rt.counters()).toEqual(counters);
    expect(rt.loads().pendingFrames).toBe(0);
  });

  it("reports a task its instance fails, gives the frame's credit back, and goes on running", async () => {
    const { rt, failed } = runtimeOf([1]);
    let credits = 0;
    const from = { processed: () => credits++, flush: () => {} } as unknown as IncomingStream;
    rt.control(1, { type: "start" });
    rt.control(1, { type: "start" }); // the lifecycle refuses a second start
    const bad = new BatchBuilder(0);
    bad.push(1, 10, 1, 42); // split takes lines of text, not numbers
    rt.receive(1, 0, 0, bad.build(0), from);
    const good = new BatchBuilder(0);
    good.push(2, 20, 2, "a line");
    rt.receive(1, 0, 0, good.build(1), from);
    await vi.waitFor(() => expect(credits).toBe(2), { timeout: 60_000 });
    expect(failed).toEqual([
      { instance: 1, task: 'control "start"', error: expect.stringMatching(/cannot handle "start"/) },
      {
        instance: 1,
        task: "a batch of 1 tuples on edge 0 from 0",
        error: expect.stringMatching(/no string/),
      },
    ]);
    expect(rt.loads().instances[0]).toMatchObject({ instance: 1, processedTuples: 2 });
  });

  it("drops a frame for an instance it does not host, and gives its credit back", () => {
    const { rt } = runtimeOf([1]);
    let credits = 0;
    const from = { processed: () => credits++, flush: () => {} } as unknown as IncomingStream;
    rt.receive(5, 2, 3, new BatchBuilder(0, 1).build(0), from);
    expect(rt.dropped).toBe(1);
    expect(credits).toBe(1);
  });
});
