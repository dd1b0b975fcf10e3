// Telling the receivers of a reconfigured instance about their new senders. A scale out's
// receivers add the new instances as senders of their own (their low watermark waits for
// them before anything moves on); a parallel recovery's replace the failed instance by
// its parts. Each new sender sends on channels of its own, so every receiver's
// per-channel timestamps stay exact.

import { type InstanceSpec, type PhysicalPlan, routingOf } from "../physicalPlan.js";
import type { ReconfigurationLink } from "./link.js";

/** An output channel of an instance: its edge and receiver. */
export interface OutputChannel {
  readonly edge: number;
  readonly receiver: number;
}

/** Every output channel of `spec`, edge by edge, in routing order. */
export function outputChannelsOf(plan: PhysicalPlan, spec: InstanceSpec): OutputChannel[] {
  const channels: OutputChannel[] = [];
  for (const e of plan.logical.edges.filter((e) => e.from === spec.operator)) {
    for (const d of routingOf(plan, e, spec).receivers) channels.push({ edge: e.id, receiver: d });
  }
  return channels;
}

/**
 * Tell every receiver of `spec` to expect each of `senders` on the same edge. Returns how
 * many were told (as many `senderAdded` replies are due).
 */
export function addSenders(
  link: ReconfigurationLink,
  plan: PhysicalPlan,
  spec: InstanceSpec,
  senders: readonly InstanceSpec[],
): number {
  let told = 0;
  for (const c of outputChannelsOf(plan, spec)) {
    for (const s of senders) {
      told++;
      link.sendControl(c.receiver, { type: "addSender", edge: c.edge, sender: s.id });
    }
  }
  return told;
}

/** Tell the receiver of `channel` to take `by` as senders in place of `sender`, whose channel ends. */
export function replaceSender(
  link: ReconfigurationLink,
  channel: OutputChannel,
  sender: number,
  by: readonly number[],
): void {
  link.sendControl(channel.receiver, { type: "replaceSender", edge: channel.edge, sender, by });
}
