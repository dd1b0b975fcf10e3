// The join job's operator: an event-time interval join of orders (input port 0) and
// payments (input port 1) by order number, a custom stateful operator. A payment joins its
// order when it comes 0 to windowMs after it; each joined pair goes out at the payment's
// event time as one readable row { orderId, paymentId, orderTimeMs, paymentTimeMs,
// amountCents }.
//
// The state is keyed by order number, in the instance's KeyedState (so every
// fault-tolerance strategy checkpoints, backs up, restores and partitions it): the order
// once it came, and the payments that came before it. Its values are plain JSON data (so
// the default state codec carries them) that the operator changes in place (so the plan
// gives `cloneState`: a checkpoint in progress keeps the old version). An order is let go
// once the instance's event time (the low watermark of both inputs) passes its window, a
// payment without its order once it passes the payment (no order that it could pay can
// come after that). What is emitted does not depend on when that happens, nor on how
// batches of the two inputs interleave.

import type { Batch, CloneValue, Operator, OperatorContext } from "seep-testbed/engine";
import { ORDER_AMOUNT, orderId, PAYMENT_NUMBER, paymentId } from "./streams.js";
import { TimeQueue } from "./timeQueue.js";

/** Input port of the orders. */
export const ORDERS_PORT = 0;
/** Input port of the payments. */
export const PAYMENTS_PORT = 1;

/** One order number's state. */
export interface OrderState {
  /** The order once it came: event time and amount; null before. */
  order: { readonly timeMs: number; readonly amountCents: number } | null;
  /** Payments that came before the order: [payment number, event time, ...]. */
  readonly early: number[];
}

/** A copy of an order's state, for checkpoints (the order itself is never changed in place). */
export const cloneOrderState: CloneValue<OrderState> = (s) => ({ order: s.order, early: [...s.early] });

/** One row of the job's output: a payment joined with its order. */
export interface JoinedRow {
  readonly orderId: string;
  readonly paymentId: string;
  readonly orderTimeMs: number;
  readonly paymentTimeMs: number;
  readonly amountCents: number;
}

/** The interval join of one instance. */
export class IntervalJoin implements Operator<OrderState> {
  /** (order time, order number) of the orders held; rebuilt from state when the operator opens. */
  private orders = new TimeQueue();
  /** (payment time, order number) of the payments held without their order. */
  private early = new TimeQueue();

  constructor(readonly windowMs: number) {}

  open(ctx: OperatorContext<OrderState>): void {
    const orders: [number, number][] = [];
    const early: [number, number][] = [];
    for (const [key, s] of ctx.state.entries()) {
      if (s.order !== null) orders.push([s.order.timeMs, key]);
      for (let j = 1; j < s.early.length; j += 2) early.push([s.early[j], key]);
    }
    this.orders = TimeQueue.of(orders);
    this.early = TimeQueue.of(early);
  }

  onBatch(batch: Batch, port: number, ctx: OperatorContext<OrderState>): void {
    const times = batch.eventTimesMs;
    if (port === ORDERS_PORT) {
      const amounts = batch.fields[ORDER_AMOUNT];
      for (let i = 0; i < batch.length; i++) this.onOrder(batch.keys[i], times[i], amounts[i], ctx);
    } else {
      const numbers = batch.fields[PAYMENT_NUMBER];
      for (let i = 0; i < batch.length; i++) this.onPayment(batch.keys[i], times[i], numbers[i], ctx);
    }
  }

  private onOrder(key: number, timeMs: number, amountCents: number, ctx: OperatorContext<OrderState>): void {
    let s = ctx.state.mutable(key);
    if (s === undefined) {
      s = { order: null, early: [] };
      ctx.state.set(key, s);
    }
    if (s.order !== null) throw new Error(`order ${orderId(key)} came twice`);
    s.order = { timeMs, amountCents };
    this.orders.push(timeMs, key);
    // The payments that came first, in the order they came; they need not be held any longer.
    for (let j = 0; j < s.early.length; j += 2) this.join(key, s.order, s.early[j], s.early[j + 1], ctx);
    s.early.length = 0;
  }

  private onPayment(key: number, timeMs: number, payment: number, ctx: OperatorContext<OrderState>): void {
    const order = ctx.state.get(key)?.order;
    if (order != null) {
      this.join(key, order, payment, timeMs, ctx);
      return;
    }
    // No order yet (or it was let go): hold the payment until no order it pays can come.
    let s = ctx.state.mutable(key);
    if (s === undefined) {
      s = { order: null, early: [] };
      ctx.state.set(key, s);
    }
    s.early.push(payment, timeMs);
    this.early.push(timeMs, key);
  }

  /** Emit the pair when the payment is in the order's window. */
  private join(
    key: number,
    order: NonNullable<OrderState["order"]>,
    payment: number,
    paymentTimeMs: number,
    ctx: OperatorContext<OrderState>,
  ): void {
    const delay = paymentTimeMs - order.timeMs;
    if (delay < 0 || delay > this.windowMs) return;
    const row: JoinedRow = {
      orderId: orderId(key),
      paymentId: paymentId(payment),
      orderTimeMs: order.timeMs,
      paymentTimeMs,
      amountCents: order.amountCents,
    };
    ctx.emit(key, paymentTimeMs, row);
  }

  /** Let go of the orders whose window has passed and of the payments no order can come for. */
  onWatermark(ctx: OperatorContext<OrderState>): void {
    const now = ctx.eventTimeMs;
    const state = ctx.state;
    while (this.orders.peekTime() + this.windowMs < now) {
      const key = this.orders.peekKey();
      const t = this.orders.peekTime();
      this.orders.pop();
      if (state.get(key)?.order?.timeMs === t) state.delete(key); // its early payments were taken when it came
    }
    while (this.early.peekTime() < now) {
      const key = this.early.peekKey();
      this.early.pop();
      const s = state.get(key);
      if (s === undefined || s.order !== null) continue; // already let go, or taken by its order
      const held = state.mutable(key)!;
      let kept = 0;
      for (let j = 0; j < held.early.length; j += 2) {
        if (held.early[j + 1] < now) continue;
        held.early[kept++] = held.early[j];
        held.early[kept++] = held.early[j + 1];
      }
      held.early.length = kept;
      if (kept === 0) state.delete(key);
    }
  }

  /**
   * The earliest event time the state depends on: the oldest order or early payment held
   * (Infinity when none is). The upstream-backup strategy lets upstreams drop older tuples.
   */
  stateHorizonMs(): number {
    return Math.min(this.orders.peekTime(), this.early.peekTime());
  }
}
