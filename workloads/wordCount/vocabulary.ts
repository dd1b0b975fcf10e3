// The word count's vocabulary: `size` distinct words ranked by frequency, drawn with a
// Zipf skew (the word of rank r with weight 1 / (r + 1)^zipfExponent). The first ranks are
// fifty common English words; ranks beyond them are synthetic words of two or more
// consonant-vowel syllables ("baba", "babe", ...), which no common word is. The words
// depend on the size alone, never on the seed, so a word's stable integer key (hashString53,
// computed alike by every parallel instance) is the same in every run.

import { hashString53 } from "../../engine/index.js";
import { ZipfDistribution } from "./zipf.js";

/** Fifty common English words, most frequent first: the first ranks of every vocabulary. */
export const COMMON_WORDS: readonly string[] = (
  "the of and to a in is you that it he was for on are as with his they at " +
  "be this have from or one had by word but not what all were we when your can said there " +
  "use an each which she do how their if will"
).split(" ");

/** Most distinct words a vocabulary may have (its words and cumulative weights are held in memory). */
export const VOCABULARY_SIZE_MAX = 1_000_000;

const CONSONANTS = "bdfgklmnprstvz";
const VOWELS = "aeiou";
const SYLLABLES = CONSONANTS.length * VOWELS.length;

/** The synthetic word number j (0, 1, ...): bijective over words of 2, 3, ... syllables. */
function syntheticWord(j: number): string {
  let syllables = 2;
  let count = SYLLABLES ** syllables;
  while (j >= count) {
    j -= count;
    syllables++;
    count = SYLLABLES ** syllables;
  }
  let word = "";
  for (let k = 0; k < syllables; k++) {
    const s = j % SYLLABLES;
    j = Math.floor(j / SYLLABLES);
    word = `${CONSONANTS[Math.floor(s / VOWELS.length)]}${VOWELS[s % VOWELS.length]}${word}`;
  }
  return word;
}

/** The word of rank `r` in every vocabulary larger than r. */
export function wordOfRank(r: number): string {
  return r < COMMON_WORDS.length ? COMMON_WORDS[r] : syntheticWord(r - COMMON_WORDS.length);
}

/** The integer key of a word: the same in every instance, process and run. */
export function wordKey(word: string): number {
  return hashString53(word);
}

/** Words ranked by frequency, drawn with a Zipf skew. */
export class Vocabulary {
  /** The words, most frequent first. */
  readonly words: readonly string[];
  private readonly zipf: ZipfDistribution;
  /** Built on first use: only sinks turn keys back into words. */
  private byKey: Map<number, string> | null = null;

  constructor(
    readonly size: number,
    readonly zipfExponent: number,
  ) {
    if (!Number.isSafeInteger(size) || size < 1 || size > VOCABULARY_SIZE_MAX) {
      throw new RangeError(`vocabularySize ${size} must be an integer in [1, ${VOCABULARY_SIZE_MAX}]`);
    }
    if (!Number.isFinite(zipfExponent) || zipfExponent < 0) {
      throw new RangeError(`zipfExponent ${zipfExponent} must be a finite number >= 0`);
    }
    this.words = Array.from({ length: size }, (_w, r) => wordOfRank(r));
    this.zipf = new ZipfDistribution(size, zipfExponent);
  }

  /** The word of a uniform draw `u` in [0, 1), under the Zipf weights. */
  draw(u: number): string {
    return this.words[this.zipf.rankOf(u)];
  }

  /** The probability of drawing the word of rank `r`. */
  probability(r: number): number {
    return this.zipf.probability(r);
  }

  /** The word whose key is `key`; throws for a key of no word of this vocabulary. */
  wordOfKey(key: number): string {
    if (this.byKey === null) {
      const byKey = new Map(this.words.map((w) => [wordKey(w), w]));
      if (byKey.size !== this.words.length) throw new Error("two vocabulary words share a key");
      this.byKey = byKey;
    }
    const word = this.byKey.get(key);
    if (word === undefined) throw new RangeError(`key ${key} is not the key of a vocabulary word`);
    return word;
  }
}

/** The vocabulary of a word count run with default options: the fifty common words, Zipf exponent 1. */
export const DEFAULT_VOCABULARY = new Vocabulary(COMMON_WORDS.length, 1);
