// Example job: a windowed equi-join of two streams, orders and payments, by order number.
//
//   orders (source)   --key--> join (port 0) --forward--> sink
//   payments (source) --key--> join (port 1)
//
// Two sources at their own rates (./streams.ts); a custom stateful operator with two input
// ports (./intervalJoin.ts) that joins each payment with its order when it comes within
// windowMs after it, keeping orders and early payments in keyed state, so that every
// fault-tolerance strategy recovers it exactly. Each pair goes out as one readable row:
// { orderId, paymentId, orderTimeMs, paymentTimeMs, amountCents }.
//
// Run it: `npx seep sim examples/join/experiment.yaml`, or `npx seep sim ./examples/join/job.ts`.

import {
  DEFAULT_MAX_KEY_GROUPS,
  defineJob,
  integerIn,
  numberIn,
  QueryBuilder,
  type Sink,
  z,
} from "seep-testbed/engine";
import { cloneOrderState, IntervalJoin, type JoinedRow, ORDERS_PORT, PAYMENTS_PORT } from "./intervalJoin.js";
import { ORDER_FIELDS, OrderSource, PAYMENT_FIELDS, PaymentSource } from "./streams.js";

/** An event-time length above 0 and at most a day, ms. */
const intervalMs = numberIn(0, 86_400_000, { aboveMin: true });

/** The parameters, every one with its default: about 20 s of event time. */
const params = z
  .object({
    /** Orders in the stream. */
    orders: integerIn(1, 1e9).default(5_000),
    /** Event time between two orders (their rate), ms. */
    orderIntervalMs: intervalMs.default(4),
    /** Payments in the stream. */
    payments: integerIn(1, 1e9).default(4_000),
    /** Event time between two payments (their rate), ms. */
    paymentIntervalMs: intervalMs.default(5),
    /** A payment joins its order when it comes 0 to windowMs after it. */
    windowMs: numberIn(0, 86_400_000).default(1_000),
    /** A payment pays an order placed 0 to maxDelayMs before it (beyond windowMs: no pair). */
    maxDelayMs: numberIn(0, 86_400_000).default(1_500),
    /** Instances of the join. */
    parallelism: integerIn(1, DEFAULT_MAX_KEY_GROUPS).default(2),
  })
  .strict();

/** The parameters of a run, every default filled in. */
export type JoinParams = z.output<typeof params>;

/** The sink: the runtime records what reaches it (outputs.csv, the output digest); nothing more to do. */
const discard = (): Sink => ({});

export const workload = defineJob({
  name: "join",
  description: "interval join of orders and payments by order number: orders, payments -> join -> sink",
  params,
  plan(p, seed) {
    const shape = { seed, ...p };
    const q = new QueryBuilder("join");
    const orders = q.source("orders", () => new OrderSource(shape), { outputs: [{ fields: ORDER_FIELDS }] });
    const payments = q.source("payments", () => new PaymentSource(shape), {
      outputs: [{ fields: PAYMENT_FIELDS }],
    });
    const join = q.operator("join", () => new IntervalJoin(p.windowMs), {
      inputs: 2,
      stateful: true,
      cloneState: cloneOrderState,
      parallelism: p.parallelism,
    });
    // outputs.csv lists each pair's fields as columns (engine/sinkTable.ts).
    const sink = q.sink("sink", discard, {
      table: {
        columns: ["orderId", "paymentId", "orderTimeMs", "paymentTimeMs", "amountCents"],
        row: (_key, r: JoinedRow) => [r.orderId, r.paymentId, r.orderTimeMs, r.paymentTimeMs, r.amountCents],
      },
    });
    q.connect(orders, join, "key", { toPort: ORDERS_PORT })
      .connect(payments, join, "key", { toPort: PAYMENTS_PORT })
      .connect(join, sink, "forward");
    return q.build();
  },
  size(p) {
    const streamMs = Math.max(p.orders * p.orderIntervalMs, p.payments * p.paymentIntervalMs);
    // Every tuple visits the join once; at most every payment makes a pair, which visits the sink.
    return {
      sourceTuples: p.orders + p.payments,
      streamMs,
      eventTimeStepMs: 0,
      tupleVisits: p.orders + 2 * p.payments,
    };
  },
});
