// Pausing the upstreams of the instances a reconfiguration changes: each holds its output
// (it keeps buffering) and says what it had sent on each channel. With every upstream
// paused nothing more is on its way to those instances, so a checkpoint taken once what
// was sent has arrived is a cut where nothing is in flight, and routing can be re-sliced.
// Scale out, scale in, the live hand-over and parallel recovery all pause this way.

import type { ChannelPosition } from "../checkpoint.js";
import type { ControlReply } from "../control.js";
import type { ReconfigurationLink } from "./link.js";
import type { Step } from "./stepMachine.js";

/** What an upstream had sent to one receiver when it paused. */
export type SentPosition = ChannelPosition & { readonly receiver: number };

/** The step in which the upstreams pause; it waits for each one's `paused`. */
export class PausingUpstreams implements Step {
  readonly name = "pausing";
  private readonly waiting = new Set<number>();
  /** What each upstream had sent to the watched receivers when it paused. */
  readonly sent: SentPosition[] = [];

  /**
   * Pause `upstreams`, noting what they had sent to `receivers`; `then` once all have
   * paused (at once when there are none).
   */
  constructor(
    private readonly link: ReconfigurationLink,
    private readonly upstreams: readonly number[],
    private readonly receivers: readonly number[],
    private readonly then: (sent: readonly SentPosition[]) => void,
  ) {}

  enter(): void {
    for (const u of this.upstreams) this.waiting.add(u);
    for (const u of this.upstreams) this.link.sendControl(u, { type: "pause" });
    if (this.upstreams.length === 0) this.then(this.sent);
  }

  reply(reply: ControlReply): boolean {
    if (reply.type !== "paused" || !this.waiting.delete(reply.instance)) return false;
    for (const s of reply.sent) {
      if (this.receivers.includes(s.receiver))
        this.sent.push({
          edge: s.edge,
          sender: reply.instance,
          seq: s.seq,
          watermarkMs: Number.NEGATIVE_INFINITY,
          receiver: s.receiver,
        });
    }
    if (this.waiting.size === 0) this.then(this.sent);
    return true;
  }

  /**
   * Failed upstreams will not reply: once no other is awaited, move on without them (their
   * replacements are restored in the plan as it is then, and route by it).
   */
  lost(ids: ReadonlySet<number>): void {
    let dropped = false;
    for (const id of ids) dropped = this.waiting.delete(id) || dropped;
    if (dropped && this.waiting.size === 0) this.then(this.sent);
  }
}

/** What was sent to `receiver` before the pause, per channel (what it must have before it acts). */
export function sentTo(sent: readonly SentPosition[], receiver: number): ChannelPosition[] {
  return sent
    .filter((p) => p.receiver === receiver)
    .map(({ edge, sender, seq, watermarkMs }) => ({ edge, sender, seq, watermarkMs }));
}
