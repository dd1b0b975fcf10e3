// Gap asks, the receiver's side of a lost batch. Every batch names the tuple sent before it
// on its channel; a batch whose predecessor never arrived (lost with a failed VM, or sent by
// a restored sender whose buffer counts it as sent) is refused, and the sender is asked to
// replay after what was received.
//
// Steps: on a refused batch, ask for a replay after the channel's received position, once
// per position; ask again every 64 more refused batches of the channel, in case the request
// itself was lost. A replay asked for otherwise (a restored instance asks on start, with
// the batches that came before its start still to take in, each refused) counts as asked:
// it is not asked again for those batches, which would have the sender replay it all
// twice. A channel being rebuilt (upstream backup) waits for its resync batch: it asked for
// what its upstream keeps when it started, and asks again (`replayKept`) only after 64
// refusals.
//
// Invariant: a refused batch changes no position; the replay brings it again after what it
// missed, so nothing is skipped silently.

import type { Batch } from "../batch.js";
import type { ControlType } from "../control.js";
import type { InstanceController, InstanceProtocol } from "./protocol.js";

/** What gap asks asks of its instance. */
type Control = Pick<InstanceController, "id" | "inputs" | "send">;

/** A channel stuck on a gap asks for a replay again after this many more dropped batches. */
const GAP_REASK = 64;

/** The replays asked for on gaps. */
export class GapAsks implements InstanceProtocol {
  readonly messages: readonly ControlType[] = [];
  /** Batches dropped because an earlier batch of their channel was missing. */
  drops = 0;
  /** Per channel with a gap: the received position a replay was asked from, and drops since. */
  private readonly asks = new Map<number, { from: number; drops: number }>();

  constructor(private readonly ctl: Control) {}

  accepted(edge: number, sender: number, _batch: Batch, fresh: Batch | null): void {
    if (fresh !== null) return;
    this.drops++;
    this.ask(edge, sender);
  }

  /** A replay of (edge, sender) after `afterSeq` was asked for (by a restore on start). */
  asked(edge: number, sender: number, afterSeq: number): void {
    this.asks.set(edge * 0x100000 + sender, { from: afterSeq, drops: 0 });
  }

  /** Ask the sender of (edge, sender) to replay after what was received, unless just asked. */
  private ask(edge: number, sender: number): void {
    const c = this.ctl;
    const key = edge * 0x100000 + sender;
    const resyncing = c.inputs.resyncing(edge, sender);
    const from = resyncing ? -1 : c.inputs.receivedSeq(edge, sender);
    const asked = this.asks.get(key);
    if (asked !== undefined && asked.from === from && ++asked.drops % GAP_REASK !== 0) return;
    if (asked === undefined || asked.from !== from) {
      this.asks.set(key, { from, drops: 0 });
      // A rebuilding channel asked for what its upstream keeps when it started: that
      // request is re-sent only after GAP_REASK drops (it may have been lost).
      if (resyncing) return;
    }
    if (resyncing) c.send(sender, { type: "replayKept", edge, receiver: c.id });
    else c.send(sender, { type: "replay", edge, receiver: c.id, afterSeq: from });
  }
}
