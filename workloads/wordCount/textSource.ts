// A deterministic text source: line i is a function of (seed, i) alone, re-seeded per
// line, so seeking to any position is O(1) and reproduces exactly the same lines, which
// is what restoring a source from a checkpoint relies on. Event times increase by
// `lineIntervalMs` per line. The text's shape (vocabulary, skew, words per line) is fixed
// for a run; its defaults give the text of the fifty common words, 3 to 8 to a line.

import seedrandom from "seedrandom";
import type { Emitter, Source } from "../../engine/index.js";
import { DEFAULT_VOCABULARY, Vocabulary } from "./vocabulary.js";

/** Most words a line may have. */
export const WORDS_PER_LINE_LIMIT = 10_000;

/** What lines are made of: the vocabulary drawn from, and the fewest and most words on a line. */
export interface TextShape {
  readonly vocabulary: Vocabulary;
  readonly wordsPerLineMin: number;
  readonly wordsPerLineMax: number;
}

/** The default shape: the fifty common words with Zipf exponent 1, 3 to 8 words a line. */
export const DEFAULT_TEXT_SHAPE: TextShape = {
  vocabulary: DEFAULT_VOCABULARY,
  wordsPerLineMin: 3,
  wordsPerLineMax: 8,
};

/** A text shape from its knobs, checked; each error names the knob. */
export function textShape(o: {
  readonly vocabularySize: number;
  readonly zipfExponent: number;
  readonly wordsPerLineMin: number;
  readonly wordsPerLineMax: number;
}): TextShape {
  const { wordsPerLineMin: min, wordsPerLineMax: max } = o;
  if (!Number.isSafeInteger(min) || min < 1 || min > WORDS_PER_LINE_LIMIT) {
    throw new RangeError(`wordsPerLineMin ${min} must be an integer in [1, ${WORDS_PER_LINE_LIMIT}]`);
  }
  if (!Number.isSafeInteger(max) || max < min || max > WORDS_PER_LINE_LIMIT) {
    throw new RangeError(
      `wordsPerLineMax ${max} must be an integer in [wordsPerLineMin (${min}), ${WORDS_PER_LINE_LIMIT}]`,
    );
  }
  const d = DEFAULT_VOCABULARY;
  const vocabulary =
    o.vocabularySize === d.size && o.zipfExponent === d.zipfExponent
      ? d
      : new Vocabulary(o.vocabularySize, o.zipfExponent);
  return { vocabulary, wordsPerLineMin: min, wordsPerLineMax: max };
}

/** Line `index` of the text of `seed`: vocabulary words separated by single spaces. */
export function textLine(seed: number, index: number, shape: TextShape = DEFAULT_TEXT_SHAPE): string {
  const { vocabulary, wordsPerLineMin: min, wordsPerLineMax: max } = shape;
  const rng = seedrandom.alea(`${seed}:${index}`);
  const n = min + Math.floor(rng() * (max - min + 1));
  let line = vocabulary.draw(rng());
  for (let k = 1; k < n; k++) line = `${line} ${vocabulary.draw(rng())}`;
  return line;
}

/** What a text source produces. */
export interface TextSourceOptions {
  readonly seed: number;
  /** Number of lines. */
  readonly lines: number;
  /** Event time between two lines. */
  readonly lineIntervalMs: number;
  /** What the lines are made of (default DEFAULT_TEXT_SHAPE). */
  readonly shape?: TextShape;
}

/** Emits line i as one tuple: key i, event time i * lineIntervalMs, value the line. */
export class TextSource implements Source {
  private produced = 0;
  private readonly shape: TextShape;

  constructor(readonly options: TextSourceOptions) {
    if (!Number.isSafeInteger(options.lines) || options.lines < 0) {
      throw new RangeError(`lines ${options.lines} must be a non-negative integer`);
    }
    if (!(options.lineIntervalMs > 0)) throw new RangeError(`lineIntervalMs must be > 0`);
    this.shape = options.shape ?? DEFAULT_TEXT_SHAPE;
  }

  next(out: Emitter, max: number, untilEventTimeMs = Number.POSITIVE_INFINITY): boolean {
    const { seed, lines, lineIntervalMs } = this.options;
    const due = Math.floor(untilEventTimeMs / lineIntervalMs) + 1; // lines with i * interval <= until
    const end = Math.min(lines, this.produced + max, Math.max(this.produced, due));
    for (let i = this.produced; i < end; i++) out.emit(i, i * lineIntervalMs, textLine(seed, i, this.shape));
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
