// Buffer state (SEEP's third kind of operator state), the sender's side: the output
// buffers keep what was sent until the receivers no longer need it. Receivers' acks trim
// them, replays re-send from them, and upstream backup's marks are reported once they are
// trimmed past.
//
// Steps: `ack` trims a receiver's channel (with `beforeTimeMs`, only its leading tuples
// older than the receiver's state horizon). `replay` re-sends a channel after a position;
// `replayKept` re-sends all it keeps, from a resync point (a rebuilding receiver takes the
// channel from there). `mark` (upstream backup) records where the instance stands (input
// and output positions, event time, source position) and its state's horizon, without the
// state; a mark is reported (`checkpointed`) once every receiver has let go of the output
// it covers, checked again on every ack.
//
// Invariants: a mark is reported only once its output is trimmed everywhere downstream, so a
// rebuild to it regenerates only output no receiver has yet; marks are reported oldest first
// and at most 64 wait (older ones give way). An operator that reads its inputs in step has no
// exact cut to rebuild to: it takes no marks and is rebuilt from its initial state.

import type { Checkpoint } from "../checkpoint.js";
import type { ControlMessage, ControlType } from "../control.js";
import { StateSnapshot } from "../stateSnapshot.js";
import type { InstanceController, InstanceProtocol, StandingControl } from "./protocol.js";

/** What the buffer state protocol asks of its instance. */
type Control = StandingControl & Pick<InstanceController, "operatorHorizonMs">;

/** Marks kept while waiting for their output to be trimmed downstream (older ones give way). */
const MAX_PENDING_MARKS = 64;

/** Acks, replays and marks of an instance's output buffers. */
export class BufferState implements InstanceProtocol {
  readonly messages: readonly ControlType[] = ["ack", "replay", "replayKept", "mark"];
  /** Marks taken whose output is not yet trimmed downstream, oldest first. */
  private pendingMarks: Checkpoint[] = [];

  constructor(private readonly ctl: Control) {}

  handle(message: ControlMessage): void {
    const c = this.ctl;
    switch (message.type) {
      case "ack":
        c.outputs.get(message.edge).ack(message.receiver, message.seq, message.beforeTimeMs);
        if (this.pendingMarks.length > 0) this.commitMarks();
        return;
      case "replay":
        c.record(
          "replayedTuples",
          c.outputs.replay(message.edge, message.receiver, message.afterSeq, c.eventTimeMs()),
        );
        return;
      case "replayKept":
        c.record("replayedTuples", c.outputs.replayKept(message.edge, message.receiver, c.eventTimeMs()));
        return;
      case "mark":
        this.takeMark(message.checkpointId);
        return;
    }
  }

  /** Take a mark; it is reported once the output it covers is trimmed downstream. */
  private takeMark(id: number): void {
    const c = this.ctl;
    if (c.operator.syncInputs) return;
    c.flush();
    const horizonMs =
      c.operator.kind === "source"
        ? Number.POSITIVE_INFINITY
        : (c.operatorHorizonMs() ??
          (c.operator.stateful ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY));
    const range = c.range;
    this.pendingMarks.push({
      id,
      instance: c.id,
      operator: c.operator.id,
      range,
      inputs: c.inputs.positions(),
      processing: new StateSnapshot(
        c.operator.maxKeyGroups,
        range,
        Array.from({ length: range.size }, () => new Map()),
      ),
      outputs: [...c.outputs.values()].map((e) => e.position()),
      buffers: [],
      sourcePosition: c.sourcePosition(),
      watermarkMs: c.eventTimeMs(),
      ended: c.ended(),
      horizonMs,
    });
    if (this.pendingMarks.length > MAX_PENDING_MARKS) this.pendingMarks.shift();
    this.commitMarks();
  }

  /** Report the newest mark whose output every receiver has let go of. */
  private commitMarks(): void {
    const c = this.ctl;
    let committed: Checkpoint | null = null;
    while (this.pendingMarks.length > 0) {
      const m = this.pendingMarks[0];
      if (!m.outputs.every((p) => c.outputs.find(p.edge)?.trimmedPast(p) ?? true)) break;
      committed = this.pendingMarks.shift()!;
    }
    if (committed === null) return;
    c.send("coordinator", { type: "checkpointed", instance: c.id, checkpoint: committed });
  }
}
