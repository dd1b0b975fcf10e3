// Splitting lines into words: stateless, one tuple per word at the line's event time,
// keyed by the word's stable integer key so that the count can be partitioned by word. The
// key is the word (the sink turns it back through the vocabulary): no tuple carries the
// word's text, which would only be encoded, sent and parsed again at every hop.

import type { Batch, Operator, OperatorContext } from "../../engine/index.js";
import { wordKey } from "./vocabulary.js";

/** Emits (wordKey(word), line's event time) for every word of every line. */
export class SplitWords implements Operator {
  onBatch(batch: Batch, _port: number, ctx: OperatorContext): void {
    for (let i = 0; i < batch.length; i++) {
      const line = batch.values?.[i];
      if (typeof line !== "string") throw new TypeError(`line tuple ${batch.keys[i]} carries no string`);
      const t = batch.eventTimesMs[i];
      for (const word of line.split(" ")) if (word.length > 0) ctx.emit(wordKey(word), t);
    }
  }
}
