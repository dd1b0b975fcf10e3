// The accounts operator (keyed by VID): every segment entry charges the car's previous
// toll notification to its balance (README.md rule 6), and balance queries are answered
// with the balance after every report up to their time (rule 7). Entries and queries
// come from different operators, so both are held until the watermark passes them and
// taken in time order, entries before queries at equal times.

import type { Batch, Operator, OperatorContext } from "../../../engine/index.js";
import { ACCOUNT_EVENT_FIELDS, AccountEvent, AccountEventKind } from "./events.js";
import { hold, takeDueAcross } from "./heldEvents.js";

const STRIDE = 1 + ACCOUNT_EVENT_FIELDS;
const ORDER = [AccountEvent.kind];

/** A car's account: balance, the toll waiting to be charged (-1: none), held events. */
export interface Account {
  bal: number;
  pending: number;
  held: number[];
}

/** A copy of an account, for checkpoints. */
export const cloneAccount = (a: Account): Account => ({ bal: a.bal, pending: a.pending, held: [...a.held] });

/** The accounts operator. */
export class Accounts implements Operator<Account> {
  /** Cars with held events (derived from state; rebuilt when the operator opens). */
  private waiting = new Set<number>();
  /** Events are whole seconds: release only when the watermark enters a new second. */
  private releasedThroughMs = Number.NEGATIVE_INFINITY;

  open(ctx: OperatorContext<Account>): void {
    this.waiting = new Set();
    for (const [vid, a] of ctx.state.entries()) if (a.held.length > 0) this.waiting.add(vid);
  }

  onBatch(batch: Batch, _port: number, ctx: OperatorContext<Account>): void {
    const row = new Float64Array(ACCOUNT_EVENT_FIELDS);
    for (let i = 0; i < batch.length; i++) {
      const vid = batch.keys[i];
      let a = ctx.state.mutable(vid);
      if (a === undefined) {
        a = { bal: 0, pending: -1, held: [] };
        ctx.state.set(vid, a);
      }
      for (let f = 0; f < ACCOUNT_EVENT_FIELDS; f++) row[f] = batch.fields[f][i];
      hold(a.held, batch.eventTimesMs[i], row, ACCOUNT_EVENT_FIELDS);
      this.waiting.add(vid);
    }
  }

  onWatermark(ctx: OperatorContext<Account>): void {
    const through = Math.ceil(ctx.eventTimeMs / 1000) * 1000;
    if (through <= this.releasedThroughMs) return;
    this.releasedThroughMs = through;
    const vids = [...this.waiting];
    const account = (vid: number) => ctx.state.mutable(vid)!;
    for (const d of takeDueAcross(vids, account, (a) => a.held, STRIDE, ctx.eventTimeMs, ORDER)) {
      const a = d.state;
      const e = d.event;
      const time = e[1 + AccountEvent.time];
      const value = e[1 + AccountEvent.value];
      if (e[1 + AccountEvent.kind] === AccountEventKind.entry) {
        if (a.pending >= 0) a.bal += a.pending;
        a.pending = value;
      } else {
        ctx.emit(d.key, e[0], { type: 2, time, resultTime: time, qid: value, bal: a.bal });
      }
    }
    const done = vids.filter((vid) => ctx.state.get(vid)!.held.length === 0);
    for (const vid of done) this.waiting.delete(vid);
  }
}
