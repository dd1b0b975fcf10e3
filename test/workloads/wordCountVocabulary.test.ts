// The word count's configurable text: the Zipf distribution, the vocabulary, the shape of
// lines, the plan run with them, and the registry's checks of their parameters.

import { describe, expect, it } from "vitest";
import { JobError } from "../../engine/index.js";
import { workloadPlan } from "../../workloads/index.js";
import {
  COMMON_WORDS,
  DEFAULT_TEXT_SHAPE,
  runWordCountDemo,
  type TextShape,
  textLine,
  textShape,
  VOCABULARY_SIZE_MAX,
  Vocabulary,
  wordKey,
  ZipfDistribution,
} from "../../workloads/wordCount/index.js";

/** A text shape from partial knobs (the defaults elsewhere). */
function shape(o: Partial<Parameters<typeof textShape>[0]> = {}): TextShape {
  return textShape({ vocabularySize: 50, zipfExponent: 1, wordsPerLineMin: 3, wordsPerLineMax: 8, ...o });
}

/** How often each word occurs in lines [0, lines) of the text of `seed`. */
function wordCounts(seed: number, lines: number, s: TextShape): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < lines; i++) {
    for (const w of textLine(seed, i, s).split(" ")) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return counts;
}

/** The share of all words taken by the most frequent one. */
function topShare(counts: Map<string, number>): number {
  const all = [...counts.values()];
  return Math.max(...all) / all.reduce((a, b) => a + b, 0);
}

describe("ZipfDistribution", () => {
  it("gives rank r a probability proportional to 1 / (r + 1)^exponent, summing to 1", () => {
    for (const exponent of [0, 0.7, 1, 2.5]) {
      const z = new ZipfDistribution(200, exponent);
      let sum = 0;
      for (let r = 0; r < 200; r++) sum += z.probability(r);
      expect(sum).toBeCloseTo(1, 12);
      for (const r of [1, 17, 199])
        expect(z.probability(0) / z.probability(r) / (r + 1) ** exponent).toBeCloseTo(1, 6);
    }
  });

  it("maps uniform draws to ranks in order, covering every rank", () => {
    const z = new ZipfDistribution(10, 1.2);
    let last = 0;
    const seen = new Set<number>();
    for (let k = 0; k < 10_000; k++) {
      const r = z.rankOf(k / 10_000);
      expect(r).toBeGreaterThanOrEqual(last);
      last = r;
      seen.add(r);
    }
    expect(seen.size).toBe(10);
    expect(z.rankOf(0)).toBe(0);
    expect(z.rankOf(0.999_999_999)).toBe(9);
  });

  it("is uniform with exponent 0", () => {
    const z = new ZipfDistribution(8, 0);
    for (let r = 0; r < 8; r++) expect(z.rankOf((r + 0.5) / 8)).toBe(r);
  });

  it("refuses an empty range and a negative or infinite exponent", () => {
    expect(() => new ZipfDistribution(0, 1)).toThrow(/size 0/);
    expect(() => new ZipfDistribution(5, -0.5)).toThrow(/exponent -0.5/);
    expect(() => new ZipfDistribution(5, Number.POSITIVE_INFINITY)).toThrow(/exponent Infinity/);
  });
});

describe("Vocabulary", () => {
  it("holds `size` distinct words, the common English words first", () => {
    for (const size of [1, 7, 50, 51, 5000]) {
      const v = new Vocabulary(size, 1);
      expect(v.words).toHaveLength(size);
      expect(new Set(v.words).size).toBe(size);
      expect(v.words.slice(0, 50)).toEqual(COMMON_WORDS.slice(0, size));
    }
    expect(new Vocabulary(52, 1).words.slice(50)).toEqual(["baba", "babe"]);
  });

  it("turns every word's key back into the word, and refuses other keys", () => {
    const v = new Vocabulary(3000, 0.5);
    for (const w of [v.words[0], v.words[49], v.words[50], v.words[2999]])
      expect(v.wordOfKey(wordKey(w))).toBe(w);
    expect(() => v.wordOfKey(wordKey("not-a-word"))).toThrow(/not the key of a vocabulary word/);
  });

  it("refuses a size outside [1, VOCABULARY_SIZE_MAX] and a negative exponent, naming the knob", () => {
    expect(() => new Vocabulary(0, 1)).toThrow(/vocabularySize 0/);
    expect(() => new Vocabulary(VOCABULARY_SIZE_MAX + 1, 1)).toThrow(/vocabularySize/);
    expect(() => new Vocabulary(10, -1)).toThrow(/zipfExponent -1/);
  });
});

describe("textLine with a text shape", () => {
  it("keeps the default text: the same lines as before the vocabulary was configurable", () => {
    expect(textLine(1, 0)).toBe("the are the from that the can");
    expect(textLine(1, 1)).toBe("his the it");
    expect(textLine(7, 123)).toBe("of are his");
    for (let i = 0; i < 200; i++) expect(textLine(3, i, shape())).toBe(textLine(3, i));
    expect(shape().vocabulary).toBe(DEFAULT_TEXT_SHAPE.vocabulary);
  });

  it("draws only words of the vocabulary, and all of them given enough lines", () => {
    for (const size of [5, 120]) {
      const s = shape({ vocabularySize: size, zipfExponent: 0 });
      const counts = wordCounts(2, 3000, s);
      expect(new Set(counts.keys())).toEqual(new Set(s.vocabulary.words));
    }
  });

  it("puts between wordsPerLineMin and wordsPerLineMax words on a line, each count occurring", () => {
    const s = shape({ wordsPerLineMin: 2, wordsPerLineMax: 5 });
    const lengths = new Set<number>();
    for (let i = 0; i < 500; i++) lengths.add(textLine(4, i, s).split(" ").length);
    expect([...lengths].sort()).toEqual([2, 3, 4, 5]);
    const fixed = shape({ wordsPerLineMin: 12, wordsPerLineMax: 12 });
    for (let i = 0; i < 50; i++) expect(textLine(4, i, fixed).split(" ")).toHaveLength(12);
  });

  it("concentrates the words on the most frequent one as the Zipf exponent rises", () => {
    const shares = [0, 0.5, 1, 1.5, 2].map((zipfExponent) =>
      topShare(wordCounts(5, 4000, shape({ vocabularySize: 200, zipfExponent }))),
    );
    for (let k = 1; k < shares.length; k++) expect(shares[k]).toBeGreaterThan(shares[k - 1] * 1.2);
    // Uniform: about 1 / 200 each (the top of 200 counts of ~110 is a little above).
    expect(shares[0]).toBeLessThan(0.01);
    // Exponent 2: the first word has 1 / zeta(2) of the mass, about 61%.
    expect(shares[4]).toBeGreaterThan(0.55);
    expect(shares[4]).toBeLessThan(0.67);
  });

  it("gives the same lines for the same seed and shape, and other lines for another seed", () => {
    const knobs = { vocabularySize: 1000, zipfExponent: 0.8, wordsPerLineMin: 1, wordsPerLineMax: 20 };
    const lines = (seed: number, s: TextShape) => Array.from({ length: 100 }, (_, i) => textLine(seed, i, s));
    const a = lines(11, shape(knobs));
    // A shape built again from the same knobs (another Vocabulary object) gives the same text.
    expect(lines(11, shape(knobs))).toEqual(a);
    const other = lines(12, shape(knobs));
    expect(other.filter((l, i) => l !== a[i]).length).toBeGreaterThan(90);
  });

  it("refuses wordsPerLineMin above wordsPerLineMax, naming the knob", () => {
    expect(() => shape({ wordsPerLineMin: 0 })).toThrow(/wordsPerLineMin 0/);
    expect(() => shape({ wordsPerLineMin: 9 })).toThrow(
      /wordsPerLineMax 8 must be .*\[wordsPerLineMin \(9\)/,
    );
  });
});

describe("word count with a configured text", () => {
  it("counts every word of the configured text once per window holding it, all of them vocabulary words", () => {
    const o = {
      seed: 21,
      lines: 400,
      lineIntervalMs: 50,
      windowSizeMs: 4000,
      windowSlideMs: 2000,
      vocabularySize: 300,
      zipfExponent: 0.6,
      wordsPerLineMin: 1,
      wordsPerLineMax: 12,
      parallelism: 3,
    };
    const result = runWordCountDemo(o);
    const s = shape(o);
    const expected = wordCounts(21, 400, s);
    expect(result.totalWords).toBe([...expected.values()].reduce((a, b) => a + b, 0));
    const vocabulary = new Set(s.vocabulary.words);
    const seen = new Map<string, number>();
    for (const w of result.windows) {
      for (const c of w.counts) {
        expect(vocabulary.has(c.word)).toBe(true);
        seen.set(c.word, (seen.get(c.word) ?? 0) + c.count);
      }
    }
    // Every word lies in windowSizeMs / windowSlideMs = 2 windows.
    expect(new Map([...seen].map(([w, n]) => [w, n / 2]))).toEqual(expected);
  });
});

describe('workload "wordcount" parameters', () => {
  const plan = (params: Record<string, unknown>) => workloadPlan("wordcount", params, 1);

  it("accepts a vocabulary size, a Zipf exponent and words per line", () => {
    const p = plan({ vocabularySize: 10_000, zipfExponent: 0, wordsPerLineMin: 1, wordsPerLineMax: 1 });
    expect(p.operators.map((op) => op.name)).toEqual(["lines", "split", "count", "sink"]);
  });

  it("names the parameter that is wrong", () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ vocabularySize: 0 }, /^workload "wordcount": params\.vocabularySize: /],
      [{ vocabularySize: VOCABULARY_SIZE_MAX + 1 }, /^workload "wordcount": params\.vocabularySize: /],
      [{ vocabularySize: 2.5 }, /^workload "wordcount": params\.vocabularySize: /],
      [{ zipfExponent: -1 }, /^workload "wordcount": params\.zipfExponent: /],
      [{ zipfExponent: "steep" }, /^workload "wordcount": params\.zipfExponent: /],
      [{ wordsPerLineMin: 0 }, /^workload "wordcount": params\.wordsPerLineMin: /],
      [{ wordsPerLineMax: 100_000 }, /^workload "wordcount": params\.wordsPerLineMax: /],
      [
        { wordsPerLineMin: 10 },
        /^workload "wordcount": params\.wordsPerLineMax \(8, the default\) must be at least params\.wordsPerLineMin \(10\)$/,
      ],
      [
        { wordsPerLineMin: 4, wordsPerLineMax: 2 },
        /^workload "wordcount": params\.wordsPerLineMax \(2\) must be at least params\.wordsPerLineMin \(4\)$/,
      ],
      [{ vocabulary: 10 }, /^workload "wordcount": params: /],
    ];
    for (const [params, message] of cases) {
      expect(() => plan(params), JSON.stringify(params)).toThrow(JobError);
      expect(() => plan(params), JSON.stringify(params)).toThrow(message);
    }
  });
});
