// The physical plan's forward edges across reconfigurations: a sender keeps the receiver its
// forward edge pairs it with when another sender's split renumbers it (a split's parts
// inherit their parent's), so that the routing a sender holds and the senders recovery asks
// to replay (sendersOf) agree. Before, a split of S#0 moved S#1 to index 2, the plan paired it
// with R#0 while it still sent to R#1, and a crash of R#1 then lost S#1's tuples.

import { describe, expect, it } from "vitest";
import {
  instancesOf,
  physicalPlan,
  QueryBuilder,
  routingOf,
  sendersOf,
  splitRange,
  withInstances,
} from "../../engine/index.js";

function plan() {
  const q = new QueryBuilder("forward");
  const source = q.source("src", () => ({ next: () => false, position: () => 0, seek: () => {} }));
  const s = q.operator("s", () => ({}), { parallelism: 2 });
  const r = q.operator("r", () => ({}), { parallelism: 2 });
  const sink = q.sink("sink", () => ({}));
  q.connect(source, s, "key").connect(s, r, "forward").connect(r, sink, "key");
  return physicalPlan(q.build(), { vms: 2 });
}

describe("forward edges across a split of the sender", () => {
  it("keep every untouched sender with its receiver, and the parts with their parent's", () => {
    const before = plan();
    const edge = before.logical.edges.find((e) => e.contract === "forward");
    if (edge === undefined) throw new Error("no forward edge");
    const [s0, s1] = instancesOf(before, edge.from);
    const [r0, r1] = instancesOf(before, edge.to);
    // Split s0 as a scale out does: parts spread their parent's spec, with new ids and ranges.
    const parts = splitRange(s0.range, 2).map((range, i) => ({ ...s0, id: 100 + i, range }));
    const after = withInstances(before, [s0.id], parts);
    const s1After = instancesOf(after, edge.from).find((s) => s.id === s1.id);
    expect(s1After?.index).toBe(2); // renumbered by the split before it
    const receiverOf = (id: number) => {
      const sender = instancesOf(after, edge.from).find((s) => s.id === id);
      if (sender === undefined) throw new Error(`no sender ${id}`);
      const routing = routingOf(after, edge, sender);
      return routing.receivers[routing.senderIndex % routing.receivers.length];
    };
    expect(receiverOf(s1.id)).toBe(r1.id);
    expect(parts.map((p) => receiverOf(p.id))).toEqual([r0.id, r0.id]);
    const r0After = instancesOf(after, edge.to)[0];
    const r1After = instancesOf(after, edge.to)[1];
    expect(sendersOf(after, edge, r0After).map((s) => s.id)).toEqual([100, 101]);
    expect(sendersOf(after, edge, r1After).map((s) => s.id)).toEqual([s1.id]);
  });
});
