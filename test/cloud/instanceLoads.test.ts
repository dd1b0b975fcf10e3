// Load reports from heartbeats: an instance's totals grow over the heartbeats of one
// interval, its cpu is busy wall time over the interval's wall time, an incarnation
// deployed during the interval waits for a whole one, and a lost or late reply loses nothing.

import { describe, expect, it } from "vitest";
import { InstanceLoads, type LiveInstance } from "../../cloud/instanceLoads.js";

const live = (incarnation = 1): LiveInstance[] => [
  { instance: 3, operator: 2, worker: 0, incarnation },
  { instance: 4, operator: 2, worker: 1, incarnation: 1 },
];

function stats(instance: number, busyMs: number, processedTuples: number, queuedTuples = 0, incarnation = 1) {
  return { instance, incarnation, busyMs, processedTuples, queuedTuples, shedTuples: 0 };
}

describe("InstanceLoads", () => {
  it("counts what an interval's heartbeats add to each total: cpu over the wall time, busyMs over the nominal interval", () => {
    const loads = new InstanceLoads();
    expect(loads.take(0, 1000, 10_000, live()).instances).toEqual([]); // the first interval starts
    loads.add([stats(3, 100, 50, 7), stats(4, 20, 5)]);
    loads.add([stats(3, 250, 120, 2)]);
    // Run time 1000 at replay speed 2: 500 ms of wall time.
    const r = loads.take(1000, 1000, 10_500, live());
    expect(r).toMatchObject({ atMs: 1000, intervalMs: 1000 });
    expect(r.instances).toEqual([
      { instance: 3, operator: 2, vm: 0, cpu: 0.5, queuedTuples: 2, processedTuples: 120, busyMs: 500 },
      { instance: 4, operator: 2, vm: 1, cpu: 0.04, queuedTuples: 0, processedTuples: 5, busyMs: 40 },
    ]);
    // The next interval starts from nothing; an instance its worker said nothing of is left out.
    loads.add([stats(4, 30, 6)]);
    const next = loads.take(2000, 1000, 11_000, live()).instances;
    expect(next).toEqual([expect.objectContaining({ instance: 4, processedTuples: 1, busyMs: 20 })]);
  });

  it("loses nothing when a heartbeat's reply is lost, and counts a late reply's smaller totals once", () => {
    const loads = new InstanceLoads();
    loads.take(0, 1000, 0, live());
    loads.add([stats(3, 100, 50)]);
    loads.take(1000, 1000, 1000, live());
    // The reply with totals 200/100 was lost; the next one says 300/150.
    loads.add([stats(3, 300, 150)]);
    expect(loads.take(2000, 1000, 2000, live()).instances[0]).toMatchObject({
      processedTuples: 100,
      cpu: 0.2,
    });
    // Two replies cross: the larger totals first, then the smaller ones, which add nothing.
    loads.add([stats(3, 500, 250)]);
    loads.add([stats(3, 400, 200)]);
    expect(loads.take(3000, 1000, 3000, live()).instances[0]).toMatchObject({
      processedTuples: 100,
      cpu: 0.2,
    });
  });

  it("leaves out an incarnation deployed during the interval until it has a whole one", () => {
    const loads = new InstanceLoads();
    loads.take(0, 1000, 0, live());
    // Instance 3 was redeployed in place (a scale out): incarnation 2 reports from now on.
    loads.add([stats(3, 100, 10, 0, 2), stats(4, 100, 10)]);
    expect(loads.take(1000, 1000, 1000, live(2)).instances.map((l) => l.instance)).toEqual([4]);
    loads.add([stats(3, 200, 20, 0, 2), stats(4, 200, 20)]);
    expect(loads.take(2000, 1000, 2000, live(2)).instances.map((l) => l.instance)).toEqual([3, 4]);
  });

  it("counts the tuples each incarnation shed once, by its largest total", () => {
    const loads = new InstanceLoads();
    loads.add([{ ...stats(0, 1, 1), shedTuples: 40 }]);
    loads.add([{ ...stats(0, 1, 1), shedTuples: 90 }]);
    loads.add([{ ...stats(0, 1, 1, 0, 2), shedTuples: 5 }]);
    expect(loads.shedTuples).toBe(95);
  });
});
