// Input alignment: an operator that reads its inputs in step (`syncInputs`) is handed one
// batch per input port at a time, once every port has one; until then the batches wait
// here. What waits counts as received, not processed: a checkpoint's positions stop before it.

import type { Batch } from "../batch.js";
import type { InputChannels } from "../inputChannels.js";
import type { AlignedInputs } from "../operator.js";

/** The batches of an in-step operator waiting for the other ports. */
export class InputAlignment {
  /** Per port, the batches waiting. */
  private queued: Batch[][];
  /** Every batch waiting, with its channel (edge, sender). */
  private from: [number, number, Batch][] = [];

  constructor(ports: number) {
    this.queued = Array.from({ length: ports }, () => []);
  }

  /** Queue a batch of channel (edge, sender) for `port`; true once every port has one. */
  push(edge: number, sender: number, port: number, batch: Batch): boolean {
    this.queued[port].push(batch);
    this.from.push([edge, sender, batch]);
    return this.queued.every((q) => q.length > 0);
  }

  /** True while some port has a batch waiting. */
  get waiting(): boolean {
    return this.queued.some((q) => q.length > 0);
  }

  /** Hand everything queued to `take` (one view over the ports), then mark it processed. */
  release(take: (view: AlignedInputs) => void, inputs: InputChannels): void {
    const queued = this.queued;
    const view: AlignedInputs = { ports: queued.length, get: (p) => queued[p] };
    this.queued = queued.map(() => []);
    take(view);
    for (const [edge, sender, b] of this.from) inputs.markProcessed(edge, sender, b);
    this.from = [];
  }

  /** The earliest event time among the waiting tuples of channel (edge, sender) (Infinity: none). */
  minHeldTimeMs(edge: number, sender: number): number {
    let held = Number.POSITIVE_INFINITY;
    for (const [e, s, b] of this.from) {
      if (e !== edge || s !== sender) continue;
      for (let i = 0; i < b.length; i++) if (b.eventTimesMs[i] < held) held = b.eventTimesMs[i];
    }
    return held;
  }
}
