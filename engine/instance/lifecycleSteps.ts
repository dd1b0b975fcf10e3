// The instance's own lifecycle steps (engine/lifecycle.ts is the table of which state
// accepts each and where it leads): start, pause, resume and stop.
//
// Steps: `start` asks the upstreams for what is needed, opens the operator and takes in
// what arrived before (the instance does it: it is the data path's own start). `pause`
// sends what was emitted, holds what follows in the buffers, and replies `paused` with the
// last tuple transmitted on each channel. `resume` sends what was held and goes on; an
// instance whose input ended while paused is finished. `stop` replies `stopped`.
//
// Invariant: a paused instance keeps processing its input; only its output waits.

import type { ControlMessage, ControlType } from "../control.js";
import type { LifecycleState } from "../lifecycle.js";
import type { InstanceController, InstanceProtocol } from "./protocol.js";

/** What the lifecycle steps asks of its instance. */
type Control = Pick<
  InstanceController,
  "id" | "lifecycle" | "eventTimeMs" | "ended" | "outputs" | "send" | "flush" | "start"
>;

/** Start, pause, resume and stop. */
export class LifecycleSteps implements InstanceProtocol {
  readonly messages: readonly ControlType[] = ["start", "pause", "resume", "stop"];

  constructor(private readonly ctl: Control) {}

  handle(message: ControlMessage): LifecycleState | undefined {
    const c = this.ctl;
    switch (message.type) {
      case "start":
        c.start();
        return c.lifecycle();
      case "pause":
        c.flush();
        c.send("coordinator", { type: "paused", instance: c.id, sent: c.outputs.transmitted() });
        return undefined;
      case "resume":
        c.outputs.release(c.eventTimeMs());
        return c.ended() ? "finished" : undefined;
      case "stop":
        c.send("coordinator", { type: "stopped", instance: c.id });
        return undefined;
    }
    return undefined;
  }
}
