// Hand-over (scale in, and live scale out's shadowing), on both sides of the keys that move.
//
// Steps of a live scale out at a new instance, restored from the splitting instance's
// earlier checkpoint: `catchUp` without a cut makes it a shadow: it processes the copies its
// upstreams send it (`shadow`, at each upstream), its output muted, and replies `caughtUp`
// once its event time reaches where the upstreams were when they began to copy. `catchUp`
// with the retired instance's cut ends the shadowing: the output of the tuples and firings
// that cut covers is suppressed here (the retired instance sent it), the rest is this
// instance's; it replies `takenOver`, and only then do the upstreams resume.
// At the instance giving up its keys: `retire` sends what was emitted, ends every output
// stream, stops and replies `retired` with what it processed; a live retire first waits
// until what its paused upstreams had sent is all in.
//
// Invariants: a shadow sends nothing (the splitting instance still owns the keys); the
// suppression cut is installed before `takenOver`, so no output of the new instance can
// reach a receiver ahead of the cut; `caughtUp` is a sign of progress only, sent once.

import type { ChannelPosition } from "../channelPosition.js";
import type { ControlMessage, ControlType } from "../control.js";
import type { LifecycleState } from "../lifecycle.js";
import type { InstanceController, InstanceProtocol } from "./protocol.js";

type Shadow = Extract<ControlMessage, { type: "shadow" }>;
type CatchUp = Extract<ControlMessage, { type: "catchUp" }>;

/** What the hand-over asks of its instance. */
type Control = Pick<
  InstanceController,
  "id" | "lifecycle" | "eventTimeMs" | "inputs" | "outputs" | "send" | "flush" | "suppressOutput" | "retire"
>;

/** Shadowing, taking over and retiring. */
export class HandOver implements InstanceProtocol {
  readonly messages: readonly ControlType[] = ["catchUp", "shadow", "retire"];
  /** Before the hand-over: output muted; `caughtUp` is reported once the event time reaches `at`. */
  private shadowOf: { readonly at: readonly ChannelPosition[]; reported: boolean } | null = null;
  /** A live retire: retire once every channel has received up to these positions. */
  private retireDue: readonly ChannelPosition[] | null = null;
  /** The live retire due lingers (engine/instance.ts's `retire`). */
  private lingers = false;

  constructor(private readonly ctl: Control) {}

  handle(message: ControlMessage): LifecycleState | undefined {
    if (message.type === "catchUp") this.catchUp(message);
    else if (message.type === "shadow") this.shadow(message);
    else if (message.type === "retire") return this.retire(message.received, message.linger === true);
    return undefined;
  }

  /** Retire now, or (a live scale out) once what was sent before the pause is in. */
  private retire(received: readonly ChannelPosition[] | undefined, linger: boolean): LifecycleState {
    if (received === undefined) return this.ctl.retire(linger);
    // Stays where it is until then: the retire itself stops the instance.
    this.retireDue = received;
    this.lingers = linger;
    this.retireIfReceived();
    return this.ctl.lifecycle();
  }

  private catchUp(message: CatchUp): void {
    const c = this.ctl;
    if (message.processed === null) {
      this.shadowOf = { at: message.caughtUpAt ?? [], reported: false };
      if (c.lifecycle() === "running") this.reportIfCaughtUp();
      return;
    }
    this.shadowOf = null;
    c.suppressOutput([
      { edge: null, receiver: null, processed: message.processed, watermarkMs: message.watermarkMs },
    ]);
    c.send("coordinator", { type: "takenOver", instance: c.id });
  }

  /** At an upstream: copy what goes to `of` to the instances taking over its keys. */
  private shadow(message: Shadow): void {
    const c = this.ctl;
    c.flush();
    const sent = c.outputs.shadow(message.edge, message.of, message.to, message.routing, message.afterSeq);
    c.send("coordinator", {
      type: "shadowing",
      instance: c.id,
      edge: message.edge,
      sentSeq: sent.seq,
      sentWatermarkMs: sent.watermarkMs,
    });
  }

  started(): void {
    if (this.shadowOf !== null && !this.shadowOf.reported) this.reportIfCaughtUp();
  }

  progressed(): void {
    if (this.retireDue !== null) this.retireIfReceived();
    if (this.shadowOf !== null && !this.shadowOf.reported) this.reportIfCaughtUp();
  }

  mutes(): boolean {
    return this.shadowOf !== null;
  }

  /** Retire once what the paused upstreams sent is all in (and processed as far as it can be). */
  private retireIfReceived(): void {
    for (const p of this.retireDue!) if (this.ctl.inputs.receivedSeq(p.edge, p.sender) < p.seq) return;
    this.retireDue = null;
    this.ctl.retire(this.lingers);
  }

  /** Tell the coordinator once the backlog is processed. */
  private reportIfCaughtUp(): void {
    const s = this.shadowOf!;
    // A sign of progress only (correctness does not hang on it): the event time has reached
    // where the upstreams were when they began to copy, so the backlog is processed.
    for (const p of s.at) if (this.ctl.eventTimeMs() < p.watermarkMs) return;
    s.reported = true;
    this.ctl.send("coordinator", { type: "caughtUp", instance: this.ctl.id });
  }
}
