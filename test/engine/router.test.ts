import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KeyGroupRange, keyGroupOf, sliceKeyGroups, splitRange } from "../../engine/keyGroups.js";
import { ALL_RECEIVERS, Router, reslice, routingState } from "../../engine/router.js";

describe("Router", () => {
  it("routes a tuple to the instance owning its key group, before and after re-slicing", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 2, max: 4 }),
        fc.array(fc.maxSafeInteger(), { maxLength: 200 }),
        (p, victim, parts, keys) => {
          fc.pre(victim < p);
          const max = 64;
          const ranges = sliceKeyGroups(max, p);
          const receivers = ranges.map((_, i) => 100 + i);
          const before = new Router(routingState("key", receivers, { ranges, maxKeyGroups: max }));
          for (const k of keys) expect(ranges[before.slotOf(k)].contains(keyGroupOf(k, max))).toBe(true);
          // Scale out one receiver: its range is split, the others keep theirs.
          const pieces = splitRange(ranges[victim], Math.min(parts, ranges[victim].size));
          const newRanges = [...ranges.slice(0, victim), ...pieces, ...ranges.slice(victim + 1)];
          const newReceivers = [
            ...receivers.slice(0, victim),
            ...pieces.map((_, i) => (i === 0 ? receivers[victim] : 200 + i)),
            ...receivers.slice(victim + 1),
          ];
          const after = new Router(reslice(before.state, newReceivers, newRanges));
          for (const k of keys) {
            const slot = after.slotOf(k);
            expect(newRanges[slot].contains(keyGroupOf(k, max))).toBe(true);
            // Keys outside the split range keep their receiver.
            if (!ranges[victim].contains(keyGroupOf(k, max))) {
              expect(after.receivers[slot]).toBe(before.receivers[before.slotOf(k)]);
            }
          }
        },
      ),
    );
  });

  it("names the sole slot of an edge whose every tuple goes one way, and none otherwise", () => {
    const one = [KeyGroupRange.of(0, 7)];
    const two = [KeyGroupRange.of(0, 3), KeyGroupRange.of(4, 7)];
    const routers = [
      new Router(routingState("key", [5], { ranges: one, maxKeyGroups: 8 })),
      new Router(routingState("key", [5, 6], { ranges: two, maxKeyGroups: 8 })),
      new Router(routingState("forward", [7, 8, 9], { senderIndex: 4 })),
      new Router(routingState("roundRobin", [7])),
      new Router(routingState("roundRobin", [7, 8])),
      new Router(routingState("broadcast", [7, 8])),
    ];
    expect(routers.map((r) => r.soleSlot())).toEqual([0, null, 1, 0, null, ALL_RECEIVERS]);
    for (const r of routers) {
      const sole = r.soleSlot();
      if (sole !== null) for (let k = 0; k < 100; k++) expect(r.slotOf(k)).toBe(sole);
    }
  });

  it("refuses key routing that leaves a key group without a receiver", () => {
    const state = routingState("key", [1, 2], {
      ranges: [KeyGroupRange.of(0, 3), KeyGroupRange.of(5, 7)],
      maxKeyGroups: 8,
    });
    expect(() => new Router(state)).toThrow(/key group 4 has no receiver/);
  });

  it("forwards to the receiver with the sender's index, round-robins in order and broadcasts to all", () => {
    expect(new Router(routingState("forward", [7, 8, 9], { senderIndex: 4 })).slotOf(123)).toBe(1);
    const rr = new Router(routingState("roundRobin", [7, 8, 9]));
    expect([1, 1, 1, 1, 1].map((k) => rr.slotOf(k))).toEqual([0, 1, 2, 0, 1]);
    // The round-robin cursor is routing state: a snapshot resumes where it stood.
    expect(new Router(rr.snapshot()).slotOf(1)).toBe(2);
    expect(new Router(routingState("broadcast", [7, 8])).slotOf(5)).toBe(ALL_RECEIVERS);
  });
});
