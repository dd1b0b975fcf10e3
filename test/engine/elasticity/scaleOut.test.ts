// The scaling protocols' front: what it refuses, one reconfiguration at a time, and giving
// a scale out up while it waits for its VMs (the protocols themselves run in the
// simulator's tests, test/sim/scaleOut.test.ts).

import { describe, expect, it } from "vitest";
import { ScaleOut } from "../../../engine/elasticity/scaleOut.js";
import { countPlan, fakeLink } from "../reconfiguration/fakeLink.js";

function scaleOut() {
  const f = fakeLink();
  return { ...f, so: new ScaleOut(countPlan(), f.link, () => {}) };
}

describe("scale out", () => {
  it("refuses what it cannot do, saying why", () => {
    const { so } = scaleOut();
    expect(so.scaleOut(2, 1)).toBe("a scale out needs a factor of at least 2, not 1");
    expect(so.scaleOut(0, 2)).toBe('operator "src" does not take its input by key');
    expect(so.scaleOut(2, 1000)).toBe("instance 2 has too few key groups to split in 1000");
    expect(so.scaleIn(2, 4)).toBe("instances 2 and 4 are of different operators");
    expect(so.records).toEqual([]);
  });

  it("carries out one reconfiguration at a time, pausing only once its VMs are in", () => {
    const { so, sent, grant } = scaleOut();
    expect(so.scaleOut(2, 3)).toBeNull();
    expect(so.busy).toBe(true);
    expect(so.migrate(3)).toBe("a scale out is under way");
    expect(so.scaleIn(2, 3)).toBe("a scale out is under way");
    grant(5);
    expect(sent).toEqual([]);
    grant(6);
    expect(sent.map(([to, m]) => [to, m.type])).toEqual([
      [0, "pause"],
      [1, "pause"],
    ]);
    expect(so.records[0].pausedAtMs).toBe(0);
    // Past the wait for VMs it cannot be given up.
    expect(so.abandon("no VM", () => {})).toBe(false);
  });

  it("given up while it waits for VMs, keeps its record with why, and hands its VMs back", () => {
    const { so, sent, grant } = scaleOut();
    expect(so.migrate(3)).toBeNull();
    const [record] = so.records;
    expect(so.abandon("no VM", () => {}, { ...record })).toBe(false);
    const unused: number[] = [];
    expect(so.abandon("no VM", (vm) => unused.push(vm), record)).toBe(true);
    expect(so.busy).toBe(false);
    grant(9);
    expect(unused).toEqual([9]);
    expect(sent).toEqual([]);
    expect(record).toMatchObject({
      kind: "migration",
      refused: "no VM",
      pausedAtMs: null,
      completedAtMs: null,
    });
  });
});
