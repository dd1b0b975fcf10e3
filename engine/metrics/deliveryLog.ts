// The sinks' deliveries of a run, at the resolution of the outputs themselves: one entry per
// batch a sink let out, its run time and the highest end-to-end latency among its tuples, so
// that a recovery's caught-up moment is the time of an actual output, not the end of a
// metrics interval (engine/faultTolerance/recoveryTime.ts). Two typed arrays that double
// when full; a delivery at the same time as the one before it is folded into it (its
// highest latency kept), so a simulated run costs 16 bytes per distinct output time
// (the word count preset, 200 s: 40 entries; Linear Road, 600 s: 599) and nothing per tuple.
// Entries are in the order they were added, which a real run's coordinator sees batches
// arrive in: not always time order, and the readers do not assume it. A snapshot holds the
// entries as they are (the last one included, which a delivery at its time would fold into).

/** Read access to a run's deliveries. */
export interface Deliveries {
  /** Entries recorded. */
  readonly length: number;
  /** Run time (ms since event time 0) of entry `i`. */
  timeMs(i: number): number;
  /** Highest end-to-end latency (ms) among the tuples of entry `i`. */
  highestLatencyMs(i: number): number;
}

import type { SnapshotReader, SnapshotWriter } from "./snapshotBytes.js";

const INITIAL_ENTRIES = 256;

/** Every delivery of a run: time and highest latency, in typed arrays. */
export class DeliveryLog implements Deliveries {
  private times = new Float64Array(INITIAL_ENTRIES);
  private highest = new Float64Array(INITIAL_ENTRIES);
  private n = 0;

  /** A sink let out a batch at `timeMs` whose highest latency was `highestLatencyMs`. */
  add(timeMs: number, highestLatencyMs: number): void {
    const last = this.n - 1;
    if (last >= 0 && this.times[last] === timeMs) {
      if (highestLatencyMs > this.highest[last]) this.highest[last] = highestLatencyMs;
      return;
    }
    if (this.n === this.times.length) this.grow();
    this.times[this.n] = timeMs;
    this.highest[this.n] = highestLatencyMs;
    this.n++;
  }

  get length(): number {
    return this.n;
  }

  timeMs(i: number): number {
    return this.times[i];
  }

  highestLatencyMs(i: number): number {
    return this.highest[i];
  }

  /** Write the entries into a snapshot under way. */
  writeSnapshot(w: SnapshotWriter): void {
    w.u32(this.n);
    w.array(this.times, this.n);
    w.array(this.highest, this.n);
  }

  /** Replace the entries with those `writeSnapshot` wrote into `r`. */
  loadSnapshot(r: SnapshotReader): void {
    const n = r.count("deliveries", 16);
    const capacity = Math.max(INITIAL_ENTRIES, n);
    this.times = r.f64s(n, "delivery times", capacity);
    this.highest = r.f64s(n, "delivery latencies", capacity);
    this.n = n;
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    const highest = new Float64Array(this.times.length * 2);
    times.set(this.times);
    highest.set(this.highest);
    this.times = times;
    this.highest = highest;
  }
}
