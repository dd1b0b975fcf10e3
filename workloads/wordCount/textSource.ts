// A deterministic text source: line i is a function of (seed, i) alone, re-seeded per
// line, so seeking to any position is O(1) and reproduces exactly the same lines, which
// is what restoring a source from a checkpoint relies on. Event times increase by
// `lineIntervalMs` per line.

import seedrandom from "seedrandom";
import type { Emitter, Source } from "../../engine/index.js";
import { zipfWord } from "./vocabulary.js";

/** Fewest and most words on a line. */
const WORDS_PER_LINE_MIN = 3;
const WORDS_PER_LINE_MAX = 8;

/** Line `index` of the text of `seed`: a few vocabulary words separated by single spaces. */
export function textLine(seed: number, index: number): string {
  const rng = seedrandom.alea(`${seed}:${index}`);
  const n = WORDS_PER_LINE_MIN + Math.floor(rng() * (WORDS_PER_LINE_MAX - WORDS_PER_LINE_MIN + 1));
  const words: string[] = [];
  for (let k = 0; k < n; k++) words.push(zipfWord(rng()));
  return words.join(" ");
}

/** What a text source produces. */
export interface TextSourceOptions {
  readonly seed: number;
  /** Number of lines. */
  readonly lines: number;
  /** Event time between two lines. */
  readonly lineIntervalMs: number;
}

/** Emits line i as one tuple: key i, event time i * lineIntervalMs, value the line. */
export class TextSource implements Source {
  private produced = 0;

  constructor(readonly options: TextSourceOptions) {
    if (!Number.isSafeInteger(options.lines) || options.lines < 0) {
      throw new RangeError(`lines ${options.lines} must be a non-negative integer`);
    }
    if (!(options.lineIntervalMs > 0)) throw new RangeError(`lineIntervalMs must be > 0`);
  }

  next(out: Emitter, max: number, untilEventTimeMs = Number.POSITIVE_INFINITY): boolean {
    const { seed, lines, lineIntervalMs } = this.options;
    const due = Math.floor(untilEventTimeMs / lineIntervalMs) + 1; // lines with i * interval <= until
    const end = Math.min(lines, this.produced + max, Math.max(this.produced, due));
    for (let i = this.produced; i < end; i++) out.emit(i, i * lineIntervalMs, textLine(seed, i));
    this.produced = end;
    return this.produced < lines;
  }

  /** Lines produced so far. */
  position(): number {
    return this.produced;
  }

  seek(position: number): void {
    if (!Number.isSafeInteger(position) || position < 0 || position > this.options.lines) {
      throw new RangeError(`position ${position} is outside [0, ${this.options.lines}]`);
    }
    this.produced = position;
  }
}
