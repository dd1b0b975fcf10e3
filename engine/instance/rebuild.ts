// Rebuild (upstream backup), the fresh instance's side: a lost instance is rebuilt to its
// last mark from what its upstreams kept in their output buffers, instead of restored from
// a checkpoint of its state.
//
// Steps: `rebuild` sets each input channel to wait for its resync batch and replies
// `restored` (a source, or a mark without inputs, is just restored to its position). On
// start the instance asks each upstream for everything it keeps (`replayKept`), processes
// it in canonical order up to the mark's positions and no further than the mark's event
// time, its output muted; a lone channel's tuples past the mark wait. Once every channel is
// processed up to the mark, the instance closes what the lost one had closed (its event
// time moves to the mark's), takes the mark's output positions, replies `rebuilt` and goes
// on as the lost one did: the waiting tuples are delivered, then the control messages
// about output it held meanwhile (acks, replays, marks, checkpoints, snapshots) are
// handled. (Until `rebuilt`, no reconfiguration begins: a base would wait for this
// instance's checkpoint while the paused sources hold what it needs to reach the mark.)
//
// A rebuild from a base (upstream backup after a reconfiguration; upstreamBackup.ts) first
// installs the base's state and positions: each channel then drops from its resync batch
// what the base holds, and a channel whose sender left the plan since (merged away) is not
// waited for.
//
// Invariants: no output leaves before the mark is reached (the lost instance had sent
// it); no channel is processed past the mark's position (that would mean its input did
// not arrive in canonical order, and is an error); control messages about output wait,
// as the output edges are stand-ins until the mark is reached.

import type { Batch } from "../batch.js";
import type { Checkpoint } from "../checkpoint.js";
import type { ControlMessage, ControlType } from "../control.js";
import type { InstanceController, InstanceProtocol } from "./protocol.js";
import { type InstallControl, install, installState } from "./restore.js";

/** What a rebuild asks of its instance. */
type Control = InstallControl &
  Pick<
    InstanceController,
    "lifecycle" | "handle" | "flush" | "progress" | "release" | "deliver" | "advanceEventTime"
  >;

/** Control messages about output that a rebuilding instance holds until its mark is reached. */
const DEFERRED_WHILE_REBUILDING: ReadonlySet<ControlType> = new Set<ControlType>([
  "ack",
  "replay",
  "replayKept",
  "mark",
  "checkpoint",
  "snapshot",
  "marker",
]);

/** The mark being rebuilt to, and what waits for it. */
export class Rebuild implements InstanceProtocol {
  readonly messages: readonly ControlType[] = ["rebuild"];
  /** The mark this instance is being rebuilt to (its output muted until then). */
  private target: Checkpoint | null = null;
  /** A lone channel's tuples beyond the mark, delivered once the rebuild is complete. */
  private rest: [number, number, Batch] | null = null;
  /** Control messages about output, held until the rebuild is complete. */
  private deferred: ControlMessage[] = [];

  constructor(private readonly ctl: Control) {}

  handle(message: ControlMessage): void {
    if (message.type === "rebuild") this.begin(message.mark, message.base);
  }

  /** Rebuild this fresh instance to `mark` (from `base`, if given); a source just returns to its position. */
  private begin(mark: Checkpoint, base: Checkpoint | undefined): void {
    const c = this.ctl;
    if (c.operator.kind === "source" || mark.inputs.length === 0) {
      install(c, mark);
      c.send("coordinator", { type: "rebuilt", instance: c.id });
      return;
    }
    if (mark.operator !== c.operator.id || (mark.instance !== -1 && mark.instance !== c.id)) {
      throw new Error(`mark of instance ${mark.instance} (operator ${mark.operator}) rebuilt into ${c.id}`);
    }
    // Channels of senders that left the plan since the mark's positions began are not waited for.
    const inputs = mark.inputs.filter((p) => c.inputs.expects(p.edge, p.sender));
    if (base !== undefined) installState(c, base);
    this.target = { ...mark, inputs };
    for (const p of inputs) c.inputs.resync(p.edge, p.sender, c.inputs.processedSeq(p.edge, p.sender));
    c.send("coordinator", { type: "restored", instance: c.id, checkpointId: mark.id });
  }

  defers(message: ControlMessage): boolean {
    if (this.target === null || this.ctl.lifecycle() === "created") return false;
    if (!DEFERRED_WHILE_REBUILDING.has(message.type)) return false;
    this.deferred.push(message);
    return true;
  }

  /** Ask every upstream for what it keeps. */
  starting(): void {
    const c = this.ctl;
    if (this.target === null) return;
    for (const p of this.target.inputs)
      c.send(p.sender, { type: "replayKept", edge: p.edge, receiver: c.id });
  }

  started(): void {
    if (this.target !== null) this.ctl.progress();
  }

  /** Deliver a lone channel's tuples up to the mark's position; the rest waits. */
  delivering(edge: number, sender: number, fresh: Batch): Batch | null {
    const target = this.target;
    if (target === null) return fresh;
    const to = target.inputs.find((p) => p.edge === edge && p.sender === sender)?.seq ?? 0;
    let n = 0;
    while (n < fresh.length && fresh.seqs[n] <= to) n++;
    if (n === fresh.length) return fresh;
    this.rest = [edge, sender, fresh.slice(n)];
    return n === 0 ? null : fresh.slice(0, n);
  }

  /** Process no further than the mark's event time; once the mark is reached, finish. */
  progressing(watermarkMs: number): boolean {
    const target = this.target;
    if (target === null) return true;
    const cap = Math.min(watermarkMs, target.watermarkMs);
    this.ctl.release(cap);
    if (!this.reached(target)) {
      this.ctl.advanceEventTime(cap);
      this.ctl.flush();
      return false;
    }
    this.finish(target);
    return true;
  }

  mutes(): boolean {
    return this.target !== null;
  }

  /** True once every input channel has been processed up to the mark. */
  private reached(mark: Checkpoint): boolean {
    const inputs = this.ctl.inputs;
    for (const p of mark.inputs) {
      if (inputs.resyncing(p.edge, p.sender) && p.seq > 0) return false;
      if (inputs.processedSeq(p.edge, p.sender) < p.seq) return false;
    }
    return true;
  }

  /** The mark is reached: close what the lost instance had closed, then take its output positions. */
  private finish(mark: Checkpoint): void {
    const c = this.ctl;
    for (const p of mark.inputs) {
      const seq = c.inputs.processedSeq(p.edge, p.sender);
      if (seq > p.seq) {
        throw new Error(
          `instance ${c.id} rebuilt past its mark on channel ${p.edge}/${p.sender} (${seq} > ${p.seq}): ` +
            "its input did not arrive in canonical order",
        );
      }
    }
    c.advanceEventTime(mark.watermarkMs);
    c.outputs.discard();
    c.outputs.replace(mark.outputs, []);
    this.target = null;
    c.send("coordinator", { type: "rebuilt", instance: c.id });
    const rest = this.rest;
    this.rest = null;
    if (rest !== null) c.deliver(rest[0], rest[1], rest[2]);
    const deferred = this.deferred;
    this.deferred = [];
    for (const m of deferred) c.handle(m);
  }
}
