// Snapshot marker alignment (SAND's global snapshots), the instance's side. A marker is a
// channel position: "my output on this channel up to `seq` precedes snapshot `id`".
//
// Steps: a source joins snapshot `id` when the coordinator says `snapshot`; any other
// instance joins once every input channel has delivered its marker and the tuples before
// it have been processed. Joining begins the instance's checkpoint (copied while
// processing goes on) and sends each receiver, as a marker, where this instance's output
// before the snapshot ends on its channel.
//
// Invariants: input is never blocked: what a channel sends after its marker may be
// processed before the snapshot is taken, which deterministic replay makes harmless (a
// receiver drops what it already has). Snapshots are joined in order, each at most once
// (markers of snapshots already joined, or older than a restored checkpoint, are dropped),
// and not before the instance has started.

import type { Checkpoint } from "../checkpoint.js";
import type { ControlMessage, ControlType } from "../control.js";
import type { InstanceController, InstanceProtocol } from "./protocol.js";

/** What snapshot alignment asks of its instance. */
type Control = Pick<InstanceController, "id" | "lifecycle" | "inputs" | "outputs" | "send">;

/** Pending global snapshots and the markers that arrived for them. */
export class SnapshotAlignment implements InstanceProtocol {
  readonly messages: readonly ControlType[] = ["snapshot", "marker"];
  /** Pending global snapshots: snapshot id -> channel -> the position of its marker. */
  private readonly markers = new Map<number, Map<number, number>>();
  /** The latest global snapshot this instance has joined. */
  private done = 0;

  constructor(
    private readonly ctl: Control,
    /** Begin checkpoint `id` of this instance. */
    private readonly beginCheckpoint: (id: number) => void,
  ) {}

  handle(message: ControlMessage): void {
    if (message.type === "snapshot") this.join(message.snapshotId);
    else if (message.type === "marker")
      this.take(message.snapshotId, message.edge, message.sender, message.seq);
  }

  /** A checkpoint was installed: snapshots up to its id are behind this instance. */
  restored(checkpoint: Checkpoint): void {
    this.markers.clear();
    this.done = Math.max(this.done, checkpoint.id);
  }

  started(): void {
    this.align();
  }

  progressed(): void {
    if (this.markers.size > 0) this.align();
  }

  /** Join snapshot `id` now: begin its checkpoint, then send every receiver its marker. */
  private join(id: number): void {
    if (id <= this.done) return;
    this.done = id;
    for (const k of [...this.markers.keys()]) if (k <= id) this.markers.delete(k);
    this.beginCheckpoint(id);
    const c = this.ctl;
    for (const e of c.outputs.values()) {
      const sent = new Map(e.position().sentTo);
      for (const receiver of e.receivers) {
        const seq = sent.get(receiver) ?? 0;
        c.send(receiver, { type: "marker", snapshotId: id, edge: e.edge, sender: c.id, seq });
      }
    }
  }

  /** A marker of snapshot `id` arrived from channel (edge, sender). */
  private take(id: number, edge: number, sender: number, seq: number): void {
    if (id <= this.done) return;
    let m = this.markers.get(id);
    if (m === undefined) {
      m = new Map();
      this.markers.set(id, m);
    }
    m.set(edge * 0x100000 + sender, seq);
    this.align();
  }

  /** Join the oldest pending snapshot once every channel has delivered and processed its marker. */
  private align(): void {
    const lifecycle = this.ctl.lifecycle();
    if (this.markers.size === 0 || lifecycle === "created" || lifecycle === "restored") return;
    const id = Math.min(...this.markers.keys());
    const m = this.markers.get(id)!;
    for (const p of this.ctl.inputs.positions()) {
      const seq = m.get(p.edge * 0x100000 + p.sender);
      if (seq === undefined || p.seq < seq) return;
    }
    this.join(id);
  }
}
