// Panes: the accumulators of one key's time window, one per slice of `slideMs`. A window
// of `sizeMs` is the merge of `sizeMs / slideMs` consecutive panes, so a tuple is added
// once however many windows overlap it. Panes are kept sorted by index; tuples arrive
// mostly in event-time order, so adding is usually an append. Adding a tuple allocates
// nothing unless it opens a pane.

import type { Batch } from "../batch.js";
import type { Aggregate } from "./aggregate.js";

/** One key's pane accumulators, sorted by pane index (pane = floor(eventTimeMs / slideMs)). */
export class Panes<A> {
  constructor(
    private readonly indexes: number[] = [],
    private readonly accs: A[] = [],
  ) {}

  /** Number of panes held. */
  get size(): number {
    return this.indexes.length;
  }

  /** Index of the earliest pane held (throws when empty). */
  get first(): number {
    if (this.indexes.length === 0) throw new RangeError("no pane held");
    return this.indexes[0];
  }

  /** Add row `i` of `batch` to the accumulator of pane `pane` (opening the pane if absent). */
  add(pane: number, aggregate: Aggregate<A, unknown>, batch: Batch, i: number): void {
    const ix = this.indexes;
    let j = ix.length;
    while (j > 0 && ix[j - 1] > pane) j--;
    if (j > 0 && ix[j - 1] === pane) {
      this.accs[j - 1] = aggregate.add(this.accs[j - 1], batch, i);
      return;
    }
    ix.splice(j, 0, pane);
    this.accs.splice(j, 0, aggregate.add(aggregate.create(), batch, i));
  }

  /** The accumulators of panes in [fromPane, toPane], in pane order. */
  between(fromPane: number, toPane: number): A[] {
    const out: A[] = [];
    for (let j = 0; j < this.indexes.length; j++) {
      const p = this.indexes[j];
      if (p > toPane) break;
      if (p >= fromPane) out.push(this.accs[j]);
    }
    return out;
  }

  /** Drop every pane whose index is at most `pane`. */
  dropThrough(pane: number): void {
    let n = 0;
    while (n < this.indexes.length && this.indexes[n] <= pane) n++;
    if (n === 0) return;
    this.indexes.splice(0, n);
    this.accs.splice(0, n);
  }

  /** The pane indexes held, ascending, and their accumulators: read-only views, for encoding. */
  columns(): { readonly indexes: readonly number[]; readonly accs: readonly A[] } {
    return { indexes: this.indexes, accs: this.accs };
  }

  /** A copy whose accumulators are copied with `cloneAcc`. */
  clone(cloneAcc: (acc: A) => A): Panes<A> {
    return new Panes([...this.indexes], this.accs.map(cloneAcc));
  }
}
