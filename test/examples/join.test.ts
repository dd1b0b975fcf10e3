// The join example job (examples/join/): its output equals a nested-loop join of the same
// generated orders and payments, with and without its experiment file's crash; every
// recovering strategy gives exactly the failure-free output under a chaos campaign; its
// state comes back equal through the real runtime's checkpoint encoding; the same seed gives
// the same trace; and its parameters resolve and fail as a job's should.

import { describe, expect, it } from "vitest";
import { JobError, jobParams, jobPlan } from "../../engine/index.js";
import { type JoinParams, workload } from "../../examples/join/job.js";
import { orderAmountCents, paidOrder } from "../../examples/join/streams.js";
import { ALL_FAULT_KINDS } from "../../sim/chaos/index.js";
import {
  exampleExperiment,
  expectCampaignExact,
  itRecoversEncodesAndRepeats,
  simulate,
  valuesByKey,
} from "./exampleRuns.js";

/**
 * Every (order, payment) pair of the same order number whose payment comes 0 to windowMs
 * after the order, by a nested loop over both streams; keyed by order number, each order's
 * pairs in payment order, as the job's sink receives them.
 */
function referenceJoin(p: JoinParams, seed: number): Map<number, unknown[]> {
  const shape = { seed, ...p };
  const orders = Array.from({ length: p.orders }, (_, n) => ({
    n,
    timeMs: n * p.orderIntervalMs,
    amountCents: orderAmountCents(shape, n),
  }));
  const payments = Array.from({ length: p.payments }, (_, m) => ({
    m,
    timeMs: m * p.paymentIntervalMs,
    order: paidOrder(shape, m),
  }));
  const byKey = new Map<number, unknown[]>();
  for (const pay of payments) {
    for (const o of orders) {
      if (o.n !== pay.order || pay.timeMs < o.timeMs || pay.timeMs - o.timeMs > p.windowMs) continue;
      if (!byKey.has(o.n)) byKey.set(o.n, []);
      byKey.get(o.n)!.push({
        eventTimeMs: pay.timeMs,
        orderId: `order-${o.n}`,
        paymentId: `payment-${pay.m}`,
        orderTimeMs: o.timeMs,
        paymentTimeMs: pay.timeMs,
        amountCents: o.amountCents,
      });
    }
  }
  return byKey;
}

const FILE = "join/experiment.yaml";

describe("examples/join", () => {
  const e = exampleExperiment(FILE, workload);
  const params = jobParams(workload, e.workload.params);

  it("gives every pair of an order and its payment within the window, as a nested-loop join does", () => {
    const { summary, records } = simulate(workload, { ...e, faults: [] });
    expect(summary.stalled).toBe(false);
    const expected = referenceJoin(params, e.seed);
    const pairs = [...expected.values()].reduce((n, v) => n + v.length, 0);
    expect(records.length).toBe(pairs);
    expect(valuesByKey(records)).toEqual(expected);
    // Not every payment joins (some come after their order's window), some orders are paid twice.
    expect(pairs).toBeLessThan(params.payments);
    expect(pairs).toBeGreaterThan(params.payments / 2);
    expect([...expected.values()].some((v) => v.length > 1)).toBe(true);
  });

  it("gives the same output with its experiment file's crash of a join instance's VM, recovered by rsm", () => {
    const { summary, records } = simulate(workload, e);
    expect(e.faultTolerance.strategy).toBe("rsm");
    expect(summary.failures.map((f) => f.instances.map((i) => i.operator))).toEqual([["join"]]);
    expect(summary.recoveries.length).toBe(1);
    expect(valuesByKey(records)).toEqual(referenceJoin(params, e.seed));
  });

  it("under rsm, gives every run of a chaos campaign (each kind of fault once) exactly the failure-free output", () => {
    expectCampaignExact(workload, e, 0, 8);
  });

  // Seed 5 draws a live migration of join#1 at 7.2 s and a split of it at 7.4 s, and crashes
  // VM 1 at 8.07 s, during the split: undone, it told each upstream to reroute every edge into
  // the join, the other source's too, and orders' instance 0 had no edge 1 (1553 outputs lost).
  it("under rsm, undoes a live split interrupted by a crash, though the join has two upstream operators", () => {
    expectCampaignExact(workload, e, 5, 1, { kinds: ALL_FAULT_KINDS, drawScaling: true });
  });

  itRecoversEncodesAndRepeats(workload, e, "join", 40);

  it("has every parameter's default in its schema, and names a bad parameter in one line", () => {
    const defaults = jobParams(workload, {});
    expect(jobParams(workload, defaults)).toEqual(defaults);
    expect(Object.keys(defaults).sort()).toEqual(
      [
        "maxDelayMs",
        "orderIntervalMs",
        "orders",
        "parallelism",
        "paymentIntervalMs",
        "payments",
        "windowMs",
      ].sort(),
    );
    expect(() => jobPlan(workload, { paymentIntervalMs: 0 }, 1)).toThrow(
      new JobError(
        'workload "join": params.paymentIntervalMs: must be a number above 0 and at most 86400000, got 0',
      ),
    );
    expect(() => jobPlan(workload, { orders: "many" }, 1)).toThrow(/^workload "join": params\.orders: /);
  });
});
