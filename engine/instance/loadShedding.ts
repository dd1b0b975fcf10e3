// Load shedding, the source's side (the coordinator's is engine/elasticity/loadShedding.ts):
// when no more resources can be had, a source drops a share of the tuples it produces from
// now on, spread evenly (engine/instanceContext.ts's emitters drop them).
//
// Invariant: lossy by design: a replay after a failure sheds by the rate in force then, not
// the tuples shed first.

import type { ControlMessage, ControlType } from "../control.js";
import type { InstanceController, InstanceProtocol } from "./protocol.js";

/** What load shedding asks of its instance. */
type Control = Pick<InstanceController, "outputs">;

/** The shedding rate of a source's emitters. */
export class LoadShedding implements InstanceProtocol {
  readonly messages: readonly ControlType[] = ["shed"];

  constructor(private readonly ctl: Control) {}

  handle(message: ControlMessage): void {
    if (message.type === "shed") this.ctl.outputs.shed(message.rate);
  }
}
