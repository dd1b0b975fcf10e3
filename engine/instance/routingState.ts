// Routing state (SEEP's second kind of operator state), changed by a reconfiguration: which
// instance receives which keys on each output edge, and which senders each input edge has.
//
// Steps: `reroute` flushes what was emitted under the old routing, then replaces the edge's
// routing (with `resumeFrom`, a scale out: the buffered tuples after each listed receiver's
// position move to the receiver that owns their key now, sent on `resume`). `addSender`
// expects a new upstream instance on an input edge (its watermark counts from now on) and
// replies `senderAdded`.
//
// Invariant: no tuple emitted under one routing is sent under another (the flush comes
// first); an instance waits for a new sender's watermark before its event time passes it.

import type { ControlMessage, ControlType } from "../control.js";
import type { InstanceController, InstanceProtocol } from "./protocol.js";

/** What a routing change asks of its instance. */
type Control = Pick<InstanceController, "id" | "inputs" | "outputs" | "send" | "flush">;

/** Re-routing output edges and adding senders. */
export class RoutingState implements InstanceProtocol {
  readonly messages: readonly ControlType[] = ["reroute", "addSender"];

  constructor(private readonly ctl: Control) {}

  handle(message: ControlMessage): void {
    const c = this.ctl;
    if (message.type === "reroute") {
      c.flush();
      c.outputs.get(message.edge).reroute(message.routing, message.resumeFrom);
    } else if (message.type === "addSender") {
      c.inputs.expect(message.edge, message.sender);
      c.send("coordinator", {
        type: "senderAdded",
        instance: c.id,
        edge: message.edge,
        sender: message.sender,
      });
    }
  }
}
