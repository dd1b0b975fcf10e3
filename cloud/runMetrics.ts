// The measurements of a real run, into the same Metrics and OutputDigest as a simulated
// run's, so that the two compare field by field: the tuples the sources produced (from
// the heartbeats), every tuple a sink let out (its latency in event-time terms, its place
// in the digest; the sink ledger drops what a restored sink reports again), and the
// gauges, in intervals that end at whole multiples of the interval in run time, as a
// simulated run's do.

import {
  decodeBatch,
  type IntervalGauges,
  Metrics,
  OutputDigest,
  type OutputRecord,
  OutputState,
  SinkLedger,
} from "../engine/index.js";
import type { SinkOutput } from "./gen/seep/v1/seep.js";

/** What the measurements need of the run. */
export interface RunMetricsHost {
  /** Event-time ms replayed per wall-clock ms. */
  readonly replaySpeed: number;
  /** Time since event time 0, in event-time ms. */
  runMs(): number;
  /** Wall-clock ms at run time 0. */
  startEpochMs(): number;
  /** The gauges at the end of an interval. */
  gauges(): IntervalGauges;
  /** Every tuple a sink received. */
  readonly onOutput?: (o: OutputRecord) => void;
  /** Progress, every interval. */
  readonly onProgress?: (runMs: number, tuplesIn: number, tuplesOut: number) => void;
}

/** A real run's metrics and output digest. */
export class RunMetrics {
  metrics: Metrics;
  digest = new OutputDigest();
  /** What the sinks have let out (a restored sink reports some of it again). */
  private ledger = new SinkLedger();
  private lastTickMs = 0;
  private tick: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly host: RunMetricsHost,
  ) {
    this.metrics = new Metrics({ intervalMs });
  }

  /** The digest, ledger and metrics as one snapshot (OutputState's bytes), with the last interval closed. */
  snapshot(): { readonly bytes: Uint8Array; readonly lastTickMs: number } {
    return {
      bytes: new OutputState(this.digest, this.ledger, this.metrics).snapshot(),
      lastTickMs: this.lastTickMs,
    };
  }

  /** Take up where `snapshot()` gave `bytes` and `lastTickMs` (a new leader's). */
  restore(bytes: Uint8Array, lastTickMs: number): void {
    const s = OutputState.restore(bytes);
    this.digest = s.digest;
    this.ledger = s.ledger;
    this.metrics = s.metrics;
    this.lastTickMs = lastTickMs;
  }

  /** A batch a sink let out: each new tuple's latency, digest entry and record. */
  output(out: SinkOutput): void {
    const batch = this.ledger.admit(out.instance, out.edge, out.sender, decodeBatch(out.batch));
    // Run time in event-time terms, so latency and deadlines compare with event times.
    // The delivery is recorded at that time too, the sink's own, not when the batch reached
    // the coordinator: recovery times are taken from it (engine/faultTolerance/recoveryTime.ts).
    const timeMs = (out.processedEpochMs - this.host.startEpochMs()) * this.host.replaySpeed;
    let highestMs = 0;
    for (let i = 0; i < batch.length; i++) {
      const key = batch.keys[i];
      const t = batch.eventTimesMs[i];
      const value = batch.values === null ? undefined : batch.values[i];
      const latencyMs = Math.max(0, timeMs - t);
      if (latencyMs > highestMs) highestMs = latencyMs;
      this.metrics.addLatency(latencyMs, 1);
      this.digest.add(out.sink, key, t, value);
      this.host.onOutput?.({ timeMs, sink: out.sink, instance: out.instance, key, eventTimeMs: t, value });
    }
    this.metrics.addTuplesOut(batch.length);
    if (batch.length > 0) this.metrics.addDelivery(timeMs, highestMs);
  }

  /** Close an interval at every whole multiple of the interval in run time from now on. */
  startIntervals(): void {
    const intervalMs = this.intervalMs;
    const tickAt = (dueMs: number) => {
      this.tick = setTimeout(
        () => {
          this.closeNow();
          tickAt(Math.max(dueMs + intervalMs, (Math.floor(this.host.runMs() / intervalMs) + 1) * intervalMs));
        },
        (dueMs - this.host.runMs()) / this.host.replaySpeed,
      );
    };
    tickAt((Math.floor(Math.max(0, this.host.runMs()) / intervalMs) + 1) * intervalMs);
  }

  /** No more intervals closed on time. */
  stopIntervals(): void {
    clearTimeout(this.tick);
  }

  /** Close the last interval at the run's end, `endMs`. */
  close(endMs: number): void {
    this.metrics.closeInterval(Math.max(endMs, this.lastTickMs + 1), this.host.gauges());
  }

  private closeNow(): void {
    const now = this.host.runMs();
    if (now <= this.lastTickMs) return;
    this.lastTickMs = now;
    this.metrics.closeInterval(now, this.host.gauges());
    this.host.onProgress?.(now, this.metrics.tuplesInTotal, this.metrics.tuplesOutTotal);
  }
}
