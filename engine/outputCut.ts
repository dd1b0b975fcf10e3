// Output cuts: where a sender stood when it flushed a batch. Parallel recovery restores a
// failed instance's checkpoint into several new instances, which regenerate its output
// after the checkpoint on channels of their own; each receiver must get exactly what it
// had not received from the failed instance. A flush sends everything the operator emitted
// since the last one, so the batch it sends to a receiver closes a prefix: every output to
// that receiver caused by a tuple at or before `processed` (per input channel) or by a
// firing at or before `watermarkMs` is in that batch or an earlier one, and nothing else.
// A receiver keeps the cut of the last batch with tuples it took from each sender; the new
// instances suppress, per receiver, the output its cut covers (engine/outputSuppression.ts).

import type { ChannelPosition } from "./channelPosition.js";

/** The sender's processed input positions and event time when it flushed the batch. */
export interface OutputCut {
  readonly processed: readonly ChannelPosition[];
  readonly watermarkMs: number;
}
