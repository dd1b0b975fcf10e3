// Steps that the scaling protocols share among themselves (the steps fault tolerance
// shares too are in engine/reconfiguration/): the checkpoint at the cut (a stopping scale
// out, a migration and a scale in), the receivers' adding of the new senders (a stopping
// and a live scale out), and (in scaling.ts) the final resume from the cut's positions.
//
// The cut: with the upstreams paused, an instance checkpoints once everything they had
// sent it has arrived. Its input is then held upstream and its watermark cannot move, so
// the checkpoint reflects exactly the tuples before the positions it records, and the
// upstreams send each new owner the tuples after them.

import type { Checkpoint } from "../checkpoint.js";
import type { ControlReply } from "../control.js";
import type { InstanceSpec, PhysicalPlan } from "../physicalPlan.js";
import type { ReconfigurationLink } from "../reconfiguration/link.js";
import { addSenders, outputChannelsOf } from "../reconfiguration/senders.js";
import { Collecting, type Step } from "../reconfiguration/stepMachine.js";
import { type SentPosition, sentTo } from "../reconfiguration/upstreamPause.js";

/**
 * The step (`name`) in which each target checkpoints once what was sent to it before the
 * pause is in (a position with watermark Infinity: also the end of that stream).
 */
export function checkpointingAtCut(
  link: ReconfigurationLink,
  checkpointId: number,
  targets: readonly Pick<InstanceSpec, "id">[],
  sent: readonly SentPosition[],
  then: (checkpoints: ReadonlyMap<number, Checkpoint>) => void,
  name = "checkpointing",
): Step {
  const read = (reply: ControlReply) =>
    reply.type === "checkpointed" && reply.checkpoint.id === checkpointId
      ? { key: reply.checkpoint.instance, value: reply.checkpoint }
      : null;
  const send = (expect: (id: number) => void) => {
    for (const target of targets) {
      expect(target.id);
      link.sendControl(target.id, {
        type: "checkpointWhenReceived",
        checkpointId,
        received: sentTo(sent, target.id),
      });
    }
  };
  return new Collecting(name, read, send, then);
}

/** The step in which the receivers of `spec` learn of the new senders; it waits for each `senderAdded`. */
export class AddingSenders implements Step {
  readonly name = "adding";
  /** Per receiver, the `senderAdded` replies still due. */
  private readonly due = new Map<number, number>();

  constructor(
    private readonly link: ReconfigurationLink,
    private readonly plan: () => PhysicalPlan,
    private readonly spec: InstanceSpec,
    private readonly senders: readonly InstanceSpec[],
    private readonly then: () => void,
  ) {}

  enter(): void {
    for (const c of outputChannelsOf(this.plan(), this.spec))
      this.due.set(c.receiver, (this.due.get(c.receiver) ?? 0) + this.senders.length);
    addSenders(this.link, this.plan(), this.spec, this.senders);
    if (this.senders.length === 0 || this.due.size === 0) this.then();
  }

  reply(reply: ControlReply): boolean {
    if (reply.type !== "senderAdded") return false;
    const n = (this.due.get(reply.instance) ?? 0) - 1;
    if (n > 0) this.due.set(reply.instance, n);
    else if (this.due.delete(reply.instance) && this.due.size === 0) this.then();
    return true;
  }

  /** A failed receiver's replacement is deployed from the plan, which has the new senders already. */
  lost(ids: ReadonlySet<number>): void {
    let dropped = false;
    for (const id of ids) dropped = this.due.delete(id) || dropped;
    if (dropped && this.due.size === 0) this.then();
  }
}
