// The source of Linear Road records: any stream of rows (a file read by LrReader, or the
// generator on the fly), replayed in event time (Time seconds -> milliseconds) and keyed
// by VID. Seeking restarts the stream and skips to the position, which is how a restored
// source resumes exactly where its checkpoint was taken.

import type { Emitter, Source } from "../../../engine/index.js";
import { F, LR_FIELDS } from "../schema.js";

/** A stream of Linear Road records. */
export interface RecordStream {
  /** Fill `row` with the next record; false at the end. */
  next(row: Float64Array): boolean;
  /** Release what the stream holds (a file), if anything. */
  close?(): void;
}

/** Opens a record stream of the cars a 1-in-`sampleOneIn` sample of VIDs keeps (1: all). */
export type OpenRecords = (sampleOneIn: number) => RecordStream;

/** Replays a record stream at the pace of its event times. */
export class RecordSource implements Source {
  private stream: RecordStream;
  private readonly row = new Float64Array(LR_FIELDS.length);
  private hasRow = false;
  private ended = false;
  private produced = 0;
  private oneIn = 1;

  constructor(private readonly openStream: OpenRecords) {
    this.stream = openStream(1);
  }

  next(out: Emitter, max: number, untilEventTimeMs: number): boolean {
    const row = this.row;
    for (let n = 0; n < max; n++) {
      if (!this.hasRow) {
        if (this.ended || !this.stream.next(row)) {
          this.ended = true;
          this.stream.close?.();
          return false;
        }
        this.hasRow = true;
      }
      const t = row[F.time] * 1000;
      if (t > untilEventTimeMs) return true;
      out.emitRow(row[F.vid], t, row);
      this.hasRow = false;
      this.produced++;
    }
    return true;
  }

  position(): number {
    return this.produced;
  }

  /**
   * The start of the latest whole second released by `untilEventTimeMs` (records have
   * whole-second times), if the next record is known to come no earlier; else -Infinity.
   */
  protected knownUntilMs(untilEventTimeMs: number): number {
    if (!this.hasRow || !Number.isFinite(untilEventTimeMs)) return Number.NEGATIVE_INFINITY;
    return Math.min(Math.floor(untilEventTimeMs / 1000) * 1000, this.row[F.time] * 1000);
  }

  /** Reopen the stream as a 1-in-`oneIn` sample, from its start. */
  protected resample(oneIn: number): void {
    this.oneIn = oneIn;
    this.seek(0);
  }

  seek(position: number): void {
    this.stream.close?.();
    this.stream = this.openStream(this.oneIn);
    this.hasRow = false;
    this.ended = false;
    const row = this.row;
    for (this.produced = 0; this.produced < position; this.produced++) {
      if (!this.stream.next(row)) throw new RangeError(`the record stream ends before position ${position}`);
    }
  }
}

/**
 * A record source whose stream makes the key sample itself (the generator: only kept
 * cars are simulated). A sparse sample may go seconds without a record; its watermark
 * still moves with the stream's seconds, as the full stream's would.
 */
export class SampledRecordSource extends RecordSource {
  sampleKeys(oneIn: number): void {
    this.resample(oneIn);
  }

  watermarkMs(untilEventTimeMs: number): number {
    return this.knownUntilMs(untilEventTimeMs);
  }
}
