// The join job's two input streams, each at its own rate: orders and payments. Order n
// comes at event time n * orderIntervalMs with an amount; payment m comes at event time
// m * paymentIntervalMs and pays an order placed up to maxDelayMs before it (drawn
// uniformly among those), so some payments come within the join's window of their order
// and some after it, some orders are paid twice and some never. Each tuple is a function
// of (seed, stream, index) alone (a seedrandom generator seeded per tuple), so a restored
// source that seeks back to a checkpoint's position produces exactly the same tuples.
// Orders have integer numbers, which are the keys as they are; the readable ids
// (`order-42`, `payment-7`) are made only for the output.

import seedrandom from "seedrandom";
import type { OperatorContext, Source } from "seep-testbed/engine";

/** What the two streams are made of. */
export interface StreamShape {
  readonly seed: number;
  readonly orders: number;
  readonly orderIntervalMs: number;
  readonly payments: number;
  readonly paymentIntervalMs: number;
  /** A payment pays an order placed at most this long before it. */
  readonly maxDelayMs: number;
}

/** The readable id of order n. */
export function orderId(n: number): string {
  return `order-${n}`;
}

/** The readable id of payment m. */
export function paymentId(m: number): string {
  return `payment-${m}`;
}

/** Order n's amount in cents, 1.00 to 500.00. */
export function orderAmountCents(shape: StreamShape, n: number): number {
  const rng = seedrandom.alea(`${shape.seed}:order:${n}`);
  return 100 + Math.floor(rng() * 49_901);
}

/** The order payment m pays: one placed in [t - maxDelayMs, t], t the payment's time (the last order if none is). */
export function paidOrder(shape: StreamShape, m: number): number {
  const t = m * shape.paymentIntervalMs;
  const last = Math.min(shape.orders - 1, Math.floor(t / shape.orderIntervalMs));
  const first = Math.max(0, Math.ceil((t - shape.maxDelayMs) / shape.orderIntervalMs));
  if (first > last) return last;
  const rng = seedrandom.alea(`${shape.seed}:payment:${m}`);
  return first + Math.floor(rng() * (last - first + 1));
}

/** A source of `count` tuples, tuple i at event time i * intervalMs; `emitTuple` writes one. */
abstract class IndexedSource implements Source {
  private produced = 0;

  constructor(
    private readonly count: number,
    private readonly intervalMs: number,
  ) {}

  protected abstract emitTuple(ctx: OperatorContext, i: number, timeMs: number): void;

  next(ctx: OperatorContext, max: number, untilEventTimeMs: number): boolean {
    const due = Math.floor(untilEventTimeMs / this.intervalMs) + 1; // tuples with i * interval <= until
    const end = Math.min(this.count, this.produced + max, Math.max(this.produced, due));
    for (let i = this.produced; i < end; i++) this.emitTuple(ctx, i, i * this.intervalMs);
    this.produced = end;
    return this.produced < this.count;
  }

  /** Tuples produced so far. */
  position(): number {
    return this.produced;
  }

  seek(position: number): void {
    if (!Number.isSafeInteger(position) || position < 0 || position > this.count) {
      throw new RangeError(`position ${position} is outside [0, ${this.count}]`);
    }
    this.produced = position;
  }
}

/** Numeric fields of an order tuple (its key is the order number). */
export const ORDER_FIELDS = 1;
/** Field 0 of an order: its amount in cents. */
export const ORDER_AMOUNT = 0;

/** Emits order n as (n, n * orderIntervalMs, [amount in cents]). */
export class OrderSource extends IndexedSource {
  private readonly row = new Float64Array(ORDER_FIELDS);

  constructor(private readonly shape: StreamShape) {
    super(shape.orders, shape.orderIntervalMs);
  }

  protected emitTuple(ctx: OperatorContext, n: number, timeMs: number): void {
    this.row[ORDER_AMOUNT] = orderAmountCents(this.shape, n);
    ctx.emitRow(n, timeMs, this.row);
  }
}

/** Numeric fields of a payment tuple (its key is the number of the order it pays). */
export const PAYMENT_FIELDS = 1;
/** Field 0 of a payment: its own number. */
export const PAYMENT_NUMBER = 0;

/** Emits payment m as (the order it pays, m * paymentIntervalMs, [m]). */
export class PaymentSource extends IndexedSource {
  private readonly row = new Float64Array(PAYMENT_FIELDS);

  constructor(private readonly shape: StreamShape) {
    super(shape.payments, shape.paymentIntervalMs);
  }

  protected emitTuple(ctx: OperatorContext, m: number, timeMs: number): void {
    this.row[PAYMENT_NUMBER] = m;
    ctx.emitRow(paidOrder(this.shape, m), timeMs, this.row);
  }
}
