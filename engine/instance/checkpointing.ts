// Checkpointing (SEEP's `checkpoint` primitive), the instance's side: a consistent copy of
// its processing, routing and buffer state with the input positions it reflects.
//
// Steps: `begin` flushes, then takes the input positions, the output positions and buffers,
// the source position and the event time at once (cheap), and starts a copy-on-write copy
// of the keyed state; `step` copies a bounded chunk between batches and, when the copy is
// complete, replies `checkpointed` with the checkpoint. A live scale out's checkpoint
// (`holdAcks`) also stops the acks of processed input, so that the senders keep what follows
// for the new instances. A scale out asks for a checkpoint once what its paused upstreams
// sent is all in (`checkpointWhenReceived`): it is taken on the first progress after the last
// of it arrives.
//
// Invariants: at most one copy is in progress (a new `begin` completes the old one first);
// the input positions are processed positions, each watermark no later than a tuple held
// back by the merge or by alignment, so that a restore never passes a tuple it lacks.

import type { ChannelPosition } from "../channelPosition.js";
import type { Checkpoint } from "../checkpoint.js";
import type { ControlMessage, ControlType } from "../control.js";
import type { InstanceController, InstanceProtocol, StandingControl } from "./protocol.js";

/** What checkpointing asks of its instance. */
type Control = StandingControl &
  Pick<InstanceController, "state" | "heldTimeMs" | "holdProcessedAcks" | "suppression">;

/** Entries copied per checkpoint step by default: bounds the pause a checkpoint causes. */
export const DEFAULT_COPY_CHUNK_ENTRIES = 4096;

/** The checkpoint being copied, and the one due once the input is in. */
export class Checkpointing implements InstanceProtocol {
  readonly messages: readonly ControlType[] = ["checkpoint", "checkpointWhenReceived"];
  private pending: Omit<Checkpoint, "processing"> | null = null;
  /** Scale out: the checkpoint to take once every channel has received up to these positions. */
  private due: { readonly id: number; readonly received: readonly ChannelPosition[] } | null = null;

  constructor(private readonly ctl: Control) {}

  handle(message: ControlMessage): void {
    if (message.type === "checkpoint") {
      if (message.holdAcks) this.ctl.holdProcessedAcks();
      this.begin(message.checkpointId);
    } else if (message.type === "checkpointWhenReceived") {
      this.due = { id: message.checkpointId, received: message.received };
      this.progressed();
    }
  }

  /** Take the checkpoint asked for once what the paused upstreams sent is all in. */
  progressed(): void {
    const due = this.due;
    if (due === null) return;
    for (const p of due.received) {
      if (this.ctl.inputs.receivedSeq(p.edge, p.sender) < p.seq) return;
      if (p.watermarkMs === Number.POSITIVE_INFINITY && !this.ctl.inputs.ended(p.edge, p.sender)) return;
    }
    this.due = null;
    this.begin(due.id);
    this.step(Number.MAX_SAFE_INTEGER);
  }

  /** True while a copy waits for `step`. */
  get inProgress(): boolean {
    return this.pending !== null;
  }

  /** Begin checkpoint `id`: everything but the processing state now, the copy by `step`. */
  begin(id: number): void {
    if (this.pending !== null) this.step(Number.MAX_SAFE_INTEGER);
    const c = this.ctl;
    c.flush();
    const outputs = [...c.outputs.values()];
    this.pending = {
      id,
      instance: c.id,
      operator: c.operator.id,
      range: c.range,
      inputs: this.inputs(),
      outputs: outputs.map((e) => e.position()),
      buffers: outputs.flatMap((e) => e.buffered()),
      sourcePosition: c.sourcePosition(),
      watermarkMs: c.eventTimeMs(),
      ended: c.ended(),
      ...suppressionOf(c),
    };
    c.state().beginCopy();
  }

  /**
   * Input positions as a checkpoint keeps them: the processed position of each channel,
   * with a watermark no later than the earliest tuple received but not yet processed (held
   * back by the merge or by input alignment). A restored instance gets those tuples again by
   * replay; if it kept the channel's received watermark, it could pass them and close a
   * window without them.
   */
  private inputs(): ChannelPosition[] {
    const c = this.ctl;
    return c.inputs.positions().map((p) => {
      const held = c.heldTimeMs(p.edge, p.sender);
      return held < p.watermarkMs ? { ...p, watermarkMs: held } : p;
    });
  }

  /** Copy at most `maxEntries` entries; the checkpoint once complete (and replied), else null. */
  step(maxEntries: number): Checkpoint | null {
    const base = this.pending;
    if (base === null) throw new Error(`instance ${this.ctl.id} has no checkpoint in progress`);
    const state = this.ctl.state();
    const processing = state.copyStep(maxEntries);
    this.ctl.record("checkpointEntries", state.lastCopyStepEntries);
    if (processing === null) return null;
    this.pending = null;
    const checkpoint: Checkpoint = { ...base, processing };
    this.ctl.send("coordinator", { type: "checkpointed", instance: this.ctl.id, checkpoint });
    return checkpoint;
  }
}

/** The suppression cuts in force, as a checkpoint's optional field. */
function suppressionOf(c: Control): { suppression?: Checkpoint["suppression"] } {
  const cuts = c.suppression();
  return cuts === undefined ? {} : { suppression: cuts };
}
