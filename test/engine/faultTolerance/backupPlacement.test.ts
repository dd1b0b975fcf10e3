// Backup placement and the cones a failure drags along.

import { describe, expect, it } from "vitest";
import {
  backupHolderOf,
  downstreamCone,
  physicalPlan,
  QueryBuilder,
  STORE,
  upstreamCone,
} from "../../../engine/index.js";

/** src(1) -> a(2) -> b(2) -> sink(1), key edges, instances placed round-robin on `vms` VMs. */
function plan(vms: number) {
  const q = new QueryBuilder("cones");
  const noop = () => ({});
  const src = q.source("src", () => ({ next: () => false, position: () => 0, seek: () => {} }));
  const a = q.operator("a", noop, { parallelism: 2 });
  const b = q.operator("b", noop, { parallelism: 2 });
  const sink = q.sink("sink", noop);
  q.connect(src, a, "key").connect(a, b, "key").connect(b, sink, "key");
  return physicalPlan(q.build(), { place: (_op, _i, n) => n % vms });
}

describe("backup placement", () => {
  it("picks an upstream instance on another VM, else the store", () => {
    const p = plan(3);
    for (const spec of p.instances) {
      const h = backupHolderOf(p, spec.id, "upstream");
      if (h === STORE) continue;
      const holder = p.instances.find((i) => i.id === h)!;
      expect(holder.vm).not.toBe(spec.vm);
    }
    // The source has no upstream: the store keeps its position.
    expect(backupHolderOf(p, 0, "upstream")).toBe(STORE);
    // On one VM, every upstream shares it.
    const one = plan(1);
    for (const spec of one.instances) expect(backupHolderOf(one, spec.id, "upstream")).toBe(STORE);
    expect(backupHolderOf(p, 3, "store")).toBe(STORE);
  });

  it("follows edges upstream and downstream", () => {
    const p = plan(3);
    // ids: src 0, a 1-2, b 3-4, sink 5
    expect([...upstreamCone(p, [3])].sort()).toEqual([0, 1, 2, 3]);
    expect([...downstreamCone(p, [1])].sort()).toEqual([1, 3, 4, 5]);
    expect([...downstreamCone(p, [5])]).toEqual([5]);
  });
});
