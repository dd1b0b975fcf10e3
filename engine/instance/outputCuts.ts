// Output cuts (parallel recovery), at the receivers of a failed instance and at the parts
// that replace it. Every sender stamps the batches it flushes with its cut (its processed
// positions and event time then, engine/outputCut.ts); a receiver keeps the cut of the last
// batch with tuples it took from each sender.
//
// Steps at a receiver of the failed instance: `reportCut` closes its channel (nothing more
// is taken from it) and replies `cutReported` with what was received and that last cut;
// `replaceSender` puts the parts in its place (their channels expected, the failed one's
// watermark forgotten) and replies `senderReplaced`; `reopenChannel` takes the channel
// again when the recovery is given up (the instance is recovered as one).
// Steps at a part: `suppressOutput` installs the receivers' cuts, so that the output each
// receiver already has from the failed instance is not sent again.
//
// Invariant: a closed channel changes no position, so the received position reported is
// where the parts' output must take over.

import type { Batch } from "../batch.js";
import type { ControlMessage, ControlType } from "../control.js";
import type { OutputCut } from "../outputCut.js";
import { channelKey } from "../outputSuppression.js";
import type { InstanceController, InstanceProtocol } from "./protocol.js";

type ReplaceSender = Extract<ControlMessage, { type: "replaceSender" }>;

/** What output cuts asks of its instance. */
type Control = Pick<
  InstanceController,
  "id" | "lifecycle" | "inputs" | "send" | "progress" | "suppressOutput"
>;

/** The receivers' cuts and the channels closed for a parallel recovery. */
export class OutputCuts implements InstanceProtocol {
  readonly messages: readonly ControlType[] = [
    "suppressOutput",
    "reportCut",
    "reopenChannel",
    "replaceSender",
  ];
  /** Per channel (edge, sender), the cut of the last batch with tuples taken. */
  private readonly lastCuts = new Map<number, OutputCut>();
  /** Channels whose sender failed; nothing more is taken from them. */
  private readonly closed = new Set<number>();

  constructor(private readonly ctl: Control) {}

  handle(message: ControlMessage): void {
    const c = this.ctl;
    switch (message.type) {
      case "suppressOutput":
        c.suppressOutput(message.cuts);
        return;
      case "reportCut": {
        const key = channelKey(message.edge, message.sender);
        this.closed.add(key);
        c.send("coordinator", {
          type: "cutReported",
          instance: c.id,
          edge: message.edge,
          sender: message.sender,
          receivedSeq: c.inputs.receivedSeq(message.edge, message.sender),
          cut: this.lastCuts.get(key) ?? null,
        });
        return;
      }
      case "reopenChannel":
        this.closed.delete(channelKey(message.edge, message.sender));
        return;
      case "replaceSender":
        this.replaceSender(message);
        return;
    }
  }

  /** The parts send in place of the failed sender, whose channel ends with what was received. */
  private replaceSender(message: ReplaceSender): void {
    const c = this.ctl;
    for (const s of message.by) c.inputs.expect(message.edge, s);
    c.inputs.forget(message.edge, message.sender);
    this.lastCuts.delete(channelKey(message.edge, message.sender));
    c.send("coordinator", {
      type: "senderReplaced",
      instance: c.id,
      edge: message.edge,
      sender: message.sender,
    });
    if (c.lifecycle() === "running" || c.lifecycle() === "paused") c.progress();
  }

  admits(edge: number, sender: number): boolean {
    return this.closed.size === 0 || !this.closed.has(channelKey(edge, sender));
  }

  accepted(edge: number, sender: number, batch: Batch, fresh: Batch | null): void {
    if (fresh !== null && fresh.length > 0 && batch.cut !== null)
      this.lastCuts.set(channelKey(edge, sender), batch.cut);
  }
}
