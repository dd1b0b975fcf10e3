// The effect gate (cloud/failover/effectGate.ts): an effect waits until the journal
// entries appended before it are durable, effects go in the order they were made, and a
// gated link holds every effect but computes nothing else differently.

import { describe, expect, it } from "vitest";
import { EffectGate, gatedLink } from "../../../cloud/failover/effectGate.js";
import { ManualClock, type ReconfigurationLink } from "../../../engine/index.js";

describe("EffectGate", () => {
  it("holds each effect until the entries appended before it are durable, and lets them go in order", () => {
    let length = 0;
    const gate = new EffectGate(() => length);
    const done: string[] = [];
    length = 1;
    gate.hold(() => done.push("a1"));
    gate.hold(() => done.push("a2"));
    length = 2;
    gate.hold(() => done.push("b"));
    expect(done).toEqual([]);
    gate.durable(1);
    expect(done).toEqual(["a1", "a2"]);
    length = 3;
    gate.hold(() => done.push("c"));
    gate.durable(3);
    expect(done).toEqual(["a1", "a2", "b", "c"]);
    expect(gate.waiting).toBe(0);
  });

  it("lets an effect go at once when everything appended is durable and nothing waits", () => {
    const gate = new EffectGate(() => 4);
    gate.durable(4);
    const done: string[] = [];
    gate.hold(() => done.push("now"));
    expect(done).toEqual(["now"]);
  });

  it("never lets an effect overtake one held before it", () => {
    let length = 1;
    const gate = new EffectGate(() => length);
    const done: string[] = [];
    gate.hold(() => done.push("first"));
    length = 0; // an effect made outside any input (tagged with nothing to wait for)
    gate.hold(() => done.push("second"));
    expect(done).toEqual([]);
    gate.durable(1);
    expect(done).toEqual(["first", "second"]);
  });

  it("refuses a durable count that goes back", () => {
    const gate = new EffectGate(() => 0);
    gate.durable(5);
    expect(() => gate.durable(4)).toThrow(/went back from 5 to 4/);
  });
});

describe("gatedLink", () => {
  it("holds messages, deploys and VM calls, and passes the clock and partition through", () => {
    let length = 1;
    const gate = new EffectGate(() => length);
    const calls: string[] = [];
    const clock = new ManualClock();
    const link: ReconfigurationLink = {
      clock,
      sendControl: (id, m) => calls.push(`send ${id} ${m.type}`),
      redeploy: (specs) => calls.push(`redeploy ${specs.length}`),
      reserve: () => calls.push("reserve"),
      unreserve: (vm) => calls.push(`unreserve ${vm}`),
      discard: (ids) => calls.push(`discard ${ids.join(",")}`),
      partition: () => null,
      redeploysRetired: true,
    };
    const gated = gatedLink(link, gate);
    expect(gated.clock).toBe(clock);
    expect(gated.partition?.({} as never, [])).toBeNull();
    expect(gated.redeploysRetired).toBe(true);
    gated.sendControl(3, { type: "start" });
    gated.redeploy([], true, () => {});
    gated.reserve?.(() => {}, false);
    gated.unreserve?.(2);
    gated.discard?.([5, 6]);
    expect(calls).toEqual([]);
    gate.durable(1);
    expect(calls).toEqual(["send 3 start", "redeploy 0", "reserve", "unreserve 2", "discard 5,6"]);
    length = 2;
    const bare = gatedLink({ clock, sendControl: () => {}, redeploy: () => {} }, gate);
    expect(bare.reserve).toBeUndefined();
    expect(bare.partition).toBeUndefined();
  });
});
