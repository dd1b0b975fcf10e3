// Processed acks: for runs that keep output buffers without checkpoints (a scale out
// replays only what was not processed), a receiver tells each sender, every few runs of
// its channel, what it has processed, and the sender trims its buffer to it. A live scale
// out holds them from its snapshot on: the senders keep every tuple after it for the
// instances taking over.

import type { InputChannels } from "../inputChannels.js";
import type { Transport } from "../runtime.js";

/** The acks of processed input one instance sends its senders. */
export class ProcessedAcks {
  /** Runs processed per channel since its last ack. */
  private readonly runs = new Map<number, number>();
  private held = false;

  constructor(
    private readonly id: number,
    private readonly inputs: InputChannels,
  ) {}

  /** A run of channel (edge, sender) was processed: ack it every `every` runs. */
  processed(transport: Transport, edge: number, sender: number, every: number): void {
    if (this.held) return;
    const key = edge * 0x100000 + sender;
    const n = (this.runs.get(key) ?? 0) + 1;
    if (n < every) {
      this.runs.set(key, n);
      return;
    }
    this.runs.set(key, 0);
    const seq = this.inputs.processedSeq(edge, sender);
    transport.sendControl(sender, { type: "ack", edge, receiver: this.id, seq });
  }

  /** Send no more acks (the senders keep what was processed for the instances taking over). */
  hold(): void {
    this.held = true;
  }
}
