// The sinks' ledger: what has left the system, per sink instance and input channel, by
// timestamp. A sink restored from a checkpoint reprocesses what came after it, and some
// of that was already handed to the outside world before the failure; the runtime passes
// every sink output through the ledger, which keeps only tuples it has not seen. Together
// with deterministic replay (canonical input order, per-edge timestamps) this makes the
// sinks' output exactly-once: the ledger is the sinks' transactional record.
// A snapshot (`snapshot`, `restore`) holds every channel's last timestamp and the count of
// repeats, so a new coordinator that restores it drops exactly what the old one had let
// out when it took the snapshot, workers resending it included.

import type { Batch } from "./batch.js";
import {
  OutputStateError,
  restoreOf,
  SnapshotKind,
  type SnapshotReader,
  type SnapshotWriter,
  snapshotOf,
} from "./metrics/snapshotBytes.js";

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

  /** The ledger as bytes, for `SinkLedger.restore`. */
  snapshot(): Uint8Array {
    return snapshotOf(SnapshotKind.sinkLedger, (w) => this.writeSnapshot(w));
  }

  /** A ledger that admits and drops exactly what the one whose `snapshot()` gave `bytes` would. */
  static restore(bytes: Uint8Array): SinkLedger {
    return restoreOf(bytes, SnapshotKind.sinkLedger, SinkLedger.readSnapshot);
  }

  /** Write the ledger into a snapshot under way: the repeats, then [instance, edge, sender, seq] per channel. */
  writeSnapshot(w: SnapshotWriter): void {
    w.f64(this.repeats);
    w.u32(this.last.size);
    const rows = new Float64Array(4 * this.last.size);
    let at = 0;
    for (const [k, seq] of this.last) {
      for (const part of k.split("/")) rows[at++] = Number(part);
      rows[at++] = seq;
    }
    w.array(rows);
  }

  /** Read a ledger that `writeSnapshot` wrote. */
  static readSnapshot(r: SnapshotReader): SinkLedger {
    const ledger = new SinkLedger();
    ledger.repeats = r.f64("ledger repeats");
    const n = r.count("ledger channels", 32);
    const rows = r.f64s(4 * n, "ledger channels");
    for (let i = 0; i < rows.length; i += 4)
      ledger.last.set(`${rows[i]}/${rows[i + 1]}/${rows[i + 2]}`, rows[i + 3]);
    if (ledger.last.size !== n) throw new OutputStateError("the ledger names a channel twice");
    return ledger;
  }
}
