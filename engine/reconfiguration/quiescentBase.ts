// The quiescent base of a reconfiguration, for the strategies that restart instances from
// a state of the whole plan rather than from a backup per instance: global-snapshot rolls
// back to its last complete snapshot, source-replay restarts from the start of the
// stream, upstream-backup rebuilds from the initial state and the upstreams' buffers.
// Once a reconfiguration has re-sliced key groups, none is exact any more (a
// new instance's output began mid-stream, under a numbering the old plan never had), so
// each reconfiguration begins at a base, a checkpoint of every instance at one cut where
// nothing is in flight, which becomes the state every later restart begins from:
//
//   quiesce     the strategy's own periodic work stops (a global snapshot under way is
//               waited for; none begins until the base is in or given up)
//   pause       every source holds its output (it keeps reading, and buffers what it
//               emits) and says what it had sent; then it checkpoints
//   drain       every other instance, in the order of the plan's edges, checkpoints once
//               it has what its upstreams had sent (their checkpoints say it): with the
//               sources paused nothing more comes, so the checkpoints are one cut
//   reconfigure the reconfiguration runs at that cut (its own pause and checkpoint find
//               nothing moving); its parts replace the base's checkpoints of the instances
//               it replaced, and the base is handed to the strategy before any recovery
//               deferred meanwhile runs; then the sources resume
//
// A failure before the reconfiguration's own cut gives it up, base and all: the sources
// resume and the strategy goes on as before. This is the price the two strategies pay
// for re-slicing: the whole plan stops from the pause to the resume, as a job rescaled
// from a savepoint does. Upstream-backup keeps rebuilding from marks after the base, with
// the base in the initial state's place (engine/faultTolerance/upstreamBackup.ts).

import type { ChannelPosition, Checkpoint } from "../checkpoint.js";
import type { ControlReply } from "../control.js";
import type { PhysicalPlan } from "../physicalPlan.js";
import { upstreamIdsOf } from "../physicalPlan.js";
import type { ReconfigurationLink } from "./link.js";
import { QuietStep, type Step } from "./stepMachine.js";

/** The sources of `plan`: their instances' ids. */
export function sourcesOf(plan: PhysicalPlan): number[] {
  return plan.instances.filter((s) => plan.logical.operators[s.operator].kind === "source").map((s) => s.id);
}

/** The step in which the strategy's periodic work stops; `quiesce` calls back once nothing of it is under way. */
export class Quiescing extends QuietStep {
  readonly name = "quiescing";
  private live = true;

  constructor(
    private readonly quiesce: (then: () => void) => void,
    private readonly then: () => void,
  ) {
    super();
  }

  enter(): void {
    this.quiesce(() => {
      if (this.live) this.then();
    });
  }

  /** It is over (given up): the call back, if it comes, is ignored. */
  cancel(): void {
    this.live = false;
  }
}

/**
 * The step in which the sources pause and every instance checkpoints at one cut; `then`
 * with the checkpoints by instance once all are in.
 */
export class TakingBase implements Step {
  readonly name = "basing";
  private readonly sources: number[];
  /** What each instance must have received before it checkpoints, as its upstreams report it. */
  private readonly due = new Map<number, ChannelPosition[]>();
  /** Upstreams of each instance not yet reported. */
  private readonly awaiting = new Map<number, Set<number>>();
  private readonly checkpoints = new Map<number, Checkpoint>();
  private readonly asked = new Set<number>();
  private readonly dead = new Set<number>();

  constructor(
    private readonly link: ReconfigurationLink,
    private readonly plan: PhysicalPlan,
    private readonly checkpointId: number,
    private readonly then: (checkpoints: ReadonlyMap<number, Checkpoint>) => void,
  ) {
    this.sources = sourcesOf(plan);
  }

  enter(): void {
    for (const s of this.plan.instances) {
      this.due.set(s.id, []);
      this.awaiting.set(s.id, new Set(upstreamIdsOf(this.plan, [s])));
    }
    for (const u of this.sources) this.link.sendControl(u, { type: "pause" });
  }

  reply(reply: ControlReply): boolean {
    if (reply.type === "paused" && this.sources.includes(reply.instance) && !this.asked.has(reply.instance)) {
      // A paused source emits nothing more; it checkpoints what it has read and holds.
      this.asked.add(reply.instance);
      this.link.sendControl(reply.instance, { type: "checkpoint", checkpointId: this.checkpointId });
      for (const s of reply.sent) this.sent(s.receiver, { edge: s.edge, sender: reply.instance, seq: s.seq });
      return true;
    }
    if (reply.type !== "checkpointed" || reply.checkpoint.id !== this.checkpointId) return false;
    const cp = reply.checkpoint;
    this.checkpoints.set(cp.instance, cp);
    // Its checkpoint says what it sent to each receiver: they may checkpoint once they have it.
    if (!this.sources.includes(cp.instance)) {
      for (const out of cp.outputs)
        for (const [receiver, seq] of out.sentTo)
          this.sent(receiver, { edge: out.edge, sender: cp.instance, seq });
    }
    for (const [receiver, upstreams] of this.awaiting) {
      if (upstreams.delete(cp.instance)) this.ask(receiver);
    }
    this.done();
    return true;
  }

  /** Failed instances will not report: nobody waits for them. */
  lost(ids: ReadonlySet<number>): void {
    for (const id of ids) this.dead.add(id);
    for (const [receiver, upstreams] of this.awaiting) {
      for (const id of ids) if (upstreams.delete(id)) this.ask(receiver);
    }
    this.done();
  }

  /** `position.sender` had sent `receiver` up to `position` on its edge: the receiver checkpoints once it has that. */
  private sent(
    receiver: number,
    position: { readonly edge: number; readonly sender: number; readonly seq: number },
  ): void {
    this.due.get(receiver)?.push({ ...position, watermarkMs: Number.NEGATIVE_INFINITY });
  }

  /** Ask `receiver` for its checkpoint once every upstream has reported. */
  private ask(receiver: number): void {
    if (this.asked.has(receiver) || this.dead.has(receiver) || this.sources.includes(receiver)) return;
    if ((this.awaiting.get(receiver)?.size ?? 0) > 0) return;
    this.asked.add(receiver);
    this.link.sendControl(receiver, {
      type: "checkpointWhenReceived",
      checkpointId: this.checkpointId,
      received: this.due.get(receiver) ?? [],
    });
  }

  private done(): void {
    for (const s of this.plan.instances) if (!this.checkpoints.has(s.id) && !this.dead.has(s.id)) return;
    this.then(this.checkpoints);
  }
}
