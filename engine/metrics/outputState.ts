// What a run's coordinator knows of its output, as one snapshot: the output digest, the
// sinks' ledger and the metrics (../sinkLedger.ts, ./outputDigest.ts, ./metrics.ts). Under
// coordinator failover (issue 20) the leader takes one now and then and acknowledges the
// workers' events only up to what the latest covers; a new leader restores it and is sent
// the rest again, which the restored ledger drops where the old leader had already counted
// it. So no output is lost or counted twice, and the run ends with the digest, rows and
// summary figures of a run without the takeover. Pure: bytes in, bytes out; where they are
// kept is the caller's business. The layout is ./snapshotBytes.ts's, kind "output state",
// with the three parts one after another; unreadable bytes give an OutputStateError.

import { SinkLedger } from "../sinkLedger.js";
import { Metrics, type MetricsOptions } from "./metrics.js";
import { OutputDigest } from "./outputDigest.js";
import { restoreOf, SnapshotKind, snapshotOf } from "./snapshotBytes.js";

/** The digest, ledger and metrics of a run's output, snapshotted and restored together. */
export class OutputState {
  constructor(
    /** Digest of what the sinks let out. */
    readonly digest: OutputDigest,
    /** What the sinks have let out, per channel. */
    readonly ledger: SinkLedger,
    /** The run's metrics. */
    readonly metrics: Metrics,
  ) {}

  /** The three as one snapshot, for `OutputState.restore`. */
  snapshot(): Uint8Array {
    return snapshotOf(SnapshotKind.outputState, (w) => {
      this.digest.writeSnapshot(w);
      this.ledger.writeSnapshot(w);
      this.metrics.writeSnapshot(w);
    });
  }

  /** The three as they stood when `snapshot()` gave `bytes`; `metricsOptions` hands the metrics their `vmCount` again. */
  static restore(bytes: Uint8Array, metricsOptions: Omit<MetricsOptions, "intervalMs"> = {}): OutputState {
    return restoreOf(bytes, SnapshotKind.outputState, (r) => {
      const digest = OutputDigest.readSnapshot(r);
      const ledger = SinkLedger.readSnapshot(r);
      return new OutputState(digest, ledger, Metrics.readSnapshot(r, metricsOptions));
    });
  }
}
