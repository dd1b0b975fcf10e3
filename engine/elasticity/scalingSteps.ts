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
import { addSenders } from "../reconfiguration/senders.js";
import { Collecting, type Step } from "../reconfiguration/stepMachine.js";
import { type SentPosition, sentTo } from "../reconfiguration/upstreamPause.js";

/** The step in which each target checkpoints once what was sent to it before the pause is in. */
export function checkpointingAtCut(
  link: ReconfigurationLink,
  checkpointId: number,
  targets: readonly InstanceSpec[],
  sent: readonly SentPosition[],
  then: (checkpoints: ReadonlyMap<number, Checkpoint>) => void,
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
  return new Collecting("checkpointing", read, send, then);
}

/** The step in which the receivers of `spec` learn of the new senders; it waits for each `senderAdded`. */
export class AddingSenders implements Step {
  readonly name = "adding";
  private adds = 0;

  constructor(
    private readonly link: ReconfigurationLink,
    private readonly plan: () => PhysicalPlan,
    private readonly spec: InstanceSpec,
    private readonly senders: readonly InstanceSpec[],
    private readonly then: () => void,
  ) {}

  enter(): void {
    this.adds = addSenders(this.link, this.plan(), this.spec, this.senders);
    if (this.adds === 0) this.then();
  }

  reply(reply: ControlReply): boolean {
    if (reply.type !== "senderAdded") return false;
    if (--this.adds === 0) this.then();
    return true;
  }
}
