// Channel positions: how far an instance has processed one input channel (an edge and a
// sender), as a timestamp and the sender's watermark. Checkpoints record them (the inputs
// a checkpoint reflects) and output cuts do (the inputs a flushed batch's outputs came
// from); a file of its own so that batches, cuts and checkpoints can all name it.

/** How far an instance has processed one input channel. */
export interface ChannelPosition {
  readonly edge: number;
  readonly sender: number;
  /** Every tuple of this channel with a timestamp at most `seq` is reflected. */
  readonly seq: number;
  /** The sender's watermark as last seen. */
  readonly watermarkMs: number;
}
