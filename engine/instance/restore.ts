// Restore (SEEP's `restore` primitive), the fresh instance's side: a replacement takes a
// checkpoint's state (`restore`), or stays in its initial state as if restored from nothing
// (`rewind`), and on start asks its upstreams to replay what follows.
//
// Steps: `restore` installs the checkpoint (keyed state, input positions, output positions
// and buffers, source position, event time) and replies `restored`; `rewind` keeps the
// initial state and replies `restored` with checkpoint 0. On start, the instance asks each
// upstream to replay its channel after the restored position: what was in flight, held
// back, or processed after the checkpoint. A restore with `resent` (a scale out, whose
// upstreams re-send with their new routing) asks for nothing. Each ask is noted with the
// gap asks (gapAsks.ts), so that the batches that came before the start, refused as they
// are taken in, do not ask for the same replay again.
//
// Invariant: a checkpoint is restored only into an instance of its operator, under its own
// id (or from a part, which has none), over exactly its key groups.

import type { ChannelPosition } from "../channelPosition.js";
import type { Checkpoint } from "../checkpoint.js";
import type { ControlMessage, ControlType } from "../control.js";
import type { KeyGroupRange } from "../keyGroups.js";
import type { GapAsks } from "./gapAsks.js";
import type { InstanceController, InstanceProtocol } from "./protocol.js";

/** What installing a checkpoint asks of its instance. */
export type InstallControl = Pick<
  InstanceController,
  "id" | "operator" | "range" | "inputs" | "outputs" | "state" | "send" | "record" | "adopt"
>;

/** Throws unless `cp` may be restored into instance `id` of operator `operator` over `range`. */
export function checkRestorable(cp: Checkpoint, id: number, operator: number, range: KeyGroupRange): void {
  if (cp.operator !== operator) throw new Error(`checkpoint of operator ${cp.operator} restored into ${id}`);
  if (cp.instance !== -1 && cp.instance !== id) {
    throw new Error(`checkpoint of instance ${cp.instance} can only be restored under its own id, not ${id}`);
  }
  if (!cp.range.equals(range)) {
    throw new RangeError(`checkpoint covers ${cp.range}, instance ${id} owns ${range}`);
  }
}

/** Install checkpoint (or mark) `cp` into the fresh instance behind `ctl`, and reply `restored`. */
export function install(ctl: InstallControl, cp: Checkpoint): void {
  installState(ctl, cp);
  ctl.send("coordinator", { type: "restored", instance: ctl.id, checkpointId: cp.id });
}

/** Install checkpoint `cp` into the fresh instance behind `ctl`: state, positions, outputs and buffers. */
export function installState(ctl: InstallControl, cp: Checkpoint): void {
  checkRestorable(cp, ctl.id, ctl.operator.id, ctl.range);
  ctl.adopt(cp);
  ctl.record("restoreEntries", ctl.state().size);
  ctl.inputs.restore(cp.inputs);
  ctl.outputs.replace(cp.outputs, cp.buffers);
}

/** The replays a restored instance asks for on start. */
export class Restore implements InstanceProtocol {
  readonly messages: readonly ControlType[] = ["restore", "rewind"];
  /** Input positions to ask upstreams to replay after, on start. */
  private replaysDue: readonly ChannelPosition[] = [];

  constructor(
    private readonly ctl: InstallControl,
    private readonly gaps: Pick<GapAsks, "asked">,
  ) {}

  handle(message: ControlMessage): void {
    if (message.type === "restore") {
      install(this.ctl, message.checkpoint);
      this.replaysDue = message.resent ? [] : message.checkpoint.inputs;
    } else if (message.type === "rewind") {
      this.replaysDue = this.ctl.inputs.positions();
      this.ctl.send("coordinator", { type: "restored", instance: this.ctl.id, checkpointId: 0 });
    }
  }

  /** Ask every upstream for what follows the restored position. */
  starting(): void {
    const replays = this.replaysDue;
    this.replaysDue = [];
    const c = this.ctl;
    for (const p of replays) {
      c.send(p.sender, { type: "replay", edge: p.edge, receiver: c.id, afterSeq: p.seq });
      this.gaps.asked(p.edge, p.sender, p.seq);
    }
  }
}
