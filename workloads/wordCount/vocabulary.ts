// The word count's vocabulary: fifty common English words in order of frequency, drawn
// with a Zipf-like skew (the word of rank r with weight 1 / r), and the stable integer
// key of each word, which every parallel instance computes alike with hashString53.

import { hashString53 } from "../../engine/index.js";

/** The words a text source draws from, most frequent first. */
export const VOCABULARY: readonly string[] = (
  "the of and to a in is you that it he was for on are as with his they at " +
  "be this have from or one had by word but not what all were we when your can said there " +
  "use an each which she do how their if will"
).split(" ");

/** Cumulative Zipf weights: CUMULATIVE[r] = sum of 1 / (k + 1) for k <= r. */
const CUMULATIVE: readonly number[] = VOCABULARY.map((_w, r) => 1 / (r + 1)).map((_weight, r, weights) =>
  weights.slice(0, r + 1).reduce((a, b) => a + b, 0),
);

/** The word of a uniform draw `u` in [0, 1), under the Zipf weights. */
export function zipfWord(u: number): string {
  const target = u * CUMULATIVE[CUMULATIVE.length - 1];
  let lo = 0;
  let hi = CUMULATIVE.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (CUMULATIVE[mid] <= target) lo = mid + 1;
    else hi = mid;
  }
  return VOCABULARY[lo];
}

/** The integer key of a word: the same in every instance, process and run. */
export function wordKey(word: string): number {
  return hashString53(word);
}

const WORD_OF_KEY = new Map(VOCABULARY.map((w) => [wordKey(w), w]));
if (WORD_OF_KEY.size !== VOCABULARY.length) throw new Error("two vocabulary words share a key");

/** The vocabulary word whose key is `key`; throws for a key of no vocabulary word. */
export function wordOfKey(key: number): string {
  const word = WORD_OF_KEY.get(key);
  if (word === undefined) throw new RangeError(`key ${key} is not the key of a vocabulary word`);
  return word;
}
