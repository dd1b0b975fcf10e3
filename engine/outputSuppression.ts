// Output suppression: an instance that takes over keys from another processes tuples the
// other had already processed, and must not send their output again. Each cut says what
// the other had sent: its output for tuples up to `processed` (per input channel) and for
// firings up to `watermarkMs`. A live scale out has one cut for every output (the retired
// instance's processed positions); a parallel recovery has one per receiver (what that
// receiver had taken from the failed instance, engine/outputCut.ts). The instance delivers
// its input in pieces that end at the cuts' positions, and after each piece drops the
// output of the receivers whose cut covers it; likewise for event time.

import type { Batch } from "./batch.js";
import type { ChannelPosition } from "./channelPosition.js";

/** A channel's key: `edge * 0x100000 + sender`. */
export function channelKey(edge: number, sender: number): number {
  return edge * 0x100000 + sender;
}

/** What another instance sent: to `receiver` on `edge`, or (both null) every output. */
export interface SuppressionCut {
  readonly edge: number | null;
  readonly receiver: number | null;
  readonly processed: readonly ChannelPosition[];
  readonly watermarkMs: number;
}

/** Which output of edge `edge` to `receiver` to drop. */
export type Suppressed = (edge: number, receiver: number) => boolean;

interface Cut {
  readonly edge: number | null;
  readonly receiver: number | null;
  readonly processed: ReadonlyMap<number, number>;
  readonly watermarkMs: number;
}

/** What delivering in pieces needs of the instance. */
export interface PieceSink {
  /** Hand the operator these tuples of channel (edge, sender). */
  deliver(edge: number, sender: number, tuples: Batch): void;
  /** Move the event time to `watermarkMs` (firing what it closes). */
  moveEventTime(watermarkMs: number): void;
  /** Send what was emitted since the last flush, but what `suppressed` names. */
  flush(suppressed: Suppressed | null): void;
}

/** The cuts an instance suppresses output up to. */
export class OutputSuppression {
  private readonly cuts: readonly Cut[];
  /** Per channel, the furthest position a cut ends at: tuples past it are never suppressed. */
  private readonly lastPositions = new Map<number, number>();
  /** The latest cut event time: firings past it are never suppressed. */
  readonly lastWatermarkMs: number;

  /** The cuts as given (a checkpoint keeps them). */
  readonly given: readonly SuppressionCut[];

  constructor(cuts: readonly SuppressionCut[]) {
    this.given = cuts;
    this.cuts = cuts.map((c) => ({
      edge: c.edge,
      receiver: c.receiver,
      processed: new Map(c.processed.map((p) => [channelKey(p.edge, p.sender), p.seq])),
      watermarkMs: c.watermarkMs,
    }));
    for (const c of this.cuts)
      for (const [key, seq] of c.processed)
        this.lastPositions.set(key, Math.max(seq, this.lastPositions.get(key) ?? seq));
    this.lastWatermarkMs = Math.max(Number.NEGATIVE_INFINITY, ...this.cuts.map((c) => c.watermarkMs));
  }

  /** True when some tuple of channel `key` at or after `fromSeq` has output to suppress. */
  reaches(key: number, fromSeq: number): boolean {
    return (this.lastPositions.get(key) ?? Number.NEGATIVE_INFINITY) >= fromSeq;
  }

  /** Ascending distinct positions on channel `key` at or after `fromSeq` where some cut ends. */
  positionsOn(key: number, fromSeq: number): number[] {
    const out: number[] = [];
    for (const c of this.cuts) {
      const p = c.processed.get(key);
      if (p !== undefined && p >= fromSeq && !out.includes(p)) out.push(p);
    }
    return out.sort((a, b) => a - b);
  }

  /** Ascending distinct cut event times above `afterMs`. */
  watermarksAbove(afterMs: number): number[] {
    const out: number[] = [];
    for (const c of this.cuts)
      if (c.watermarkMs > afterMs && !out.includes(c.watermarkMs)) out.push(c.watermarkMs);
    return out.sort((a, b) => a - b);
  }

  /** The output of the tuples of channel `key` up to `seq`: suppressed where a cut reaches `seq`. */
  byPosition(key: number, seq: number): Suppressed {
    return this.covering((c) => (c.processed.get(key) ?? Number.NEGATIVE_INFINITY) >= seq);
  }

  /** The output of firings up to `watermarkMs`: suppressed where a cut's event time reaches it. */
  byWatermark(watermarkMs: number): Suppressed {
    return this.covering((c) => c.watermarkMs >= watermarkMs);
  }

  /**
   * Deliver `fresh` of channel (edge, sender) to `sink` in pieces that end at the cuts'
   * positions, each followed by a flush that drops the output the cuts covering it name.
   * Returns the tuples past every cut (to deliver as usual), or null when none are left.
   */
  deliver(edge: number, sender: number, fresh: Batch, sink: PieceSink): Batch | null {
    const key = channelKey(edge, sender);
    if (fresh.length === 0 || !this.reaches(key, fresh.seqs[0])) return fresh;
    for (const to of this.positionsOn(key, fresh.seqs[0])) {
      const n = fresh.indexAfter(to);
      sink.flush(null);
      sink.deliver(edge, sender, n === fresh.length ? fresh : fresh.slice(0, n));
      sink.flush(this.byPosition(key, to));
      if (n === fresh.length) return null;
      fresh = fresh.slice(n);
    }
    return fresh;
  }

  /**
   * Move the event time from `fromMs` towards `watermarkMs` in steps that end at the cuts'
   * event times, each followed by a flush that drops the firings the cuts covering it name.
   * Returns true when `watermarkMs` was reached, false when the rest is the caller's.
   */
  advance(fromMs: number, watermarkMs: number, sink: PieceSink): boolean {
    if (!(watermarkMs > fromMs && fromMs < this.lastWatermarkMs)) return false;
    for (const w of this.watermarksAbove(fromMs)) {
      const upTo = Math.min(watermarkMs, w);
      sink.flush(null);
      sink.moveEventTime(upTo);
      sink.flush(this.byWatermark(upTo));
      if (watermarkMs === upTo) return true;
    }
    return false;
  }

  private covering(reaches: (c: Cut) => boolean): Suppressed {
    const hit = this.cuts.filter(reaches);
    return (edge, receiver) =>
      hit.some(
        (c) => (c.edge === null || c.edge === edge) && (c.receiver === null || c.receiver === receiver),
      );
  }
}
