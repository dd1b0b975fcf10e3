// The sinks' ledger: what has left the system, per sink instance and input channel, by
// timestamp. A sink restored from a checkpoint reprocesses what came after it, and some
// of that was already handed to the outside world before the failure; the runtime passes
// every sink output through the ledger, which keeps only tuples it has not seen. Together
// with deterministic replay (canonical input order, per-edge timestamps) this makes the
// sinks' output exactly-once: the ledger is the sinks' transactional record.

import type { Batch } from "./batch.js";

/** Per (sink instance, edge, sender): the timestamp of the last tuple let out. */
export class SinkLedger {
  private readonly last = new Map<string, number>();
  /** Tuples dropped because they had already been let out. */
  repeats = 0;

  /** The tuples of `batch` not let out before (all of them, usually); records them as out. */
  admit(instance: number, edge: number, sender: number, batch: Batch): Batch {
    if (batch.length === 0) return batch;
    const k = `${instance}/${edge}/${sender}`;
    const seen = this.last.get(k) ?? 0;
    if (batch.firstSeq > seen) {
      this.last.set(k, batch.lastSeq);
      return batch;
    }
    const fresh = batch.after(seen);
    this.repeats += batch.length - fresh.length;
    if (fresh.length > 0) this.last.set(k, fresh.lastSeq);
    return fresh;
  }

  /**
   * True when sink `instance` let out, on some channel, more than it has processed now
   * (`processedSeq`): it was restored or restarted and is re-making output that already
   * left. A reconfiguration then waits, since the instances it re-slices would number that
   * output anew and the ledger could not tell it from new output.
   */
  ahead(instance: number, processedSeq: (edge: number, sender: number) => number): boolean {
    const prefix = `${instance}/`;
    for (const [k, seq] of this.last) {
      if (!k.startsWith(prefix)) continue;
      const [, edge, sender] = k.split("/").map(Number);
      if (seq > processedSeq(edge, sender)) return true;
    }
    return false;
  }
}
