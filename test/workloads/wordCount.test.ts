// The windowed word count against a count computed without the engine, its determinism
// and its source's ability to seek.

import { describe, expect, it } from "vitest";
import { type Emitter, emitColumnsAsRows } from "../../engine/index.js";
import {
  COMMON_WORDS,
  formatWordCount,
  runWordCountDemo,
  TextSource,
  textLine,
  type WindowCounts,
  type WordCountOptions,
} from "../../workloads/wordCount/index.js";

/** The expected windows: every word of line i, at i * lineIntervalMs, in each window holding it. */
function bruteForce(
  o: Required<Pick<WordCountOptions, "seed" | "lines" | "lineIntervalMs" | "windowSizeMs" | "windowSlideMs">>,
) {
  const windows = new Map<number, Map<string, number>>();
  for (let i = 0; i < o.lines; i++) {
    const t = i * o.lineIntervalMs;
    for (const word of textLine(o.seed, i).split(" ")) {
      for (
        let s = Math.floor(t / o.windowSlideMs) * o.windowSlideMs;
        s > t - o.windowSizeMs;
        s -= o.windowSlideMs
      ) {
        const counts = windows.get(s) ?? new Map<string, number>();
        counts.set(word, (counts.get(word) ?? 0) + 1);
        windows.set(s, counts);
      }
    }
  }
  return [...windows]
    .sort((a, b) => a[0] - b[0])
    .map(([start, counts]) => ({
      windowStartMs: start,
      windowEndMs: start + o.windowSizeMs,
      counts: Object.fromEntries([...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
    }));
}

function asRecords(windows: readonly WindowCounts[]) {
  return windows.map((w) => ({
    windowStartMs: w.windowStartMs,
    windowEndMs: w.windowEndMs,
    counts: Object.fromEntries(w.counts.map((c) => [c.word, c.count]).sort((a, b) => (a[0] < b[0] ? -1 : 1))),
  }));
}

/** Collects what a source emits. */
function collector(): Emitter & { rows: [number, number, unknown][] } {
  const rows: [number, number, unknown][] = [];
  const emitter: Emitter & { rows: [number, number, unknown][] } = {
    rows,
    emit: (key, t, value) => rows.push([key, t, value]),
    emitRow: (key, t, _row, value) => rows.push([key, t, value]),
    emitColumns: (...columns) => emitColumnsAsRows(emitter, ...columns),
  };
  return emitter;
}

describe("runWordCountDemo", () => {
  const shapes = [
    { windowSizeMs: 5_000, windowSlideMs: 5_000 },
    { windowSizeMs: 6_000, windowSlideMs: 2_000 },
  ];
  for (const shape of shapes) {
    for (const parallelism of [1, 3]) {
      it(`counts each window's words like a brute-force count (${shape.windowSizeMs}/${shape.windowSlideMs} ms, parallelism ${parallelism})`, () => {
        const o = { seed: 42, lines: 300, lineIntervalMs: 70, ...shape };
        const result = runWordCountDemo({ ...o, parallelism });
        expect(asRecords(result.windows)).toEqual(bruteForce(o));
        let words = 0;
        for (let i = 0; i < o.lines; i++) words += textLine(o.seed, i).split(" ").length;
        expect(result.totalWords).toBe(words);
      });
    }
  }

  it("orders each window's words by count, then alphabetically", () => {
    const result = runWordCountDemo({ seed: 3, lines: 200 });
    for (const w of result.windows) {
      const sorted = [...w.counts].sort((a, b) => b.count - a.count || (a.word < b.word ? -1 : 1));
      expect(w.counts).toEqual(sorted);
    }
  });

  it("gives identical results for the same seed and different ones for another seed", () => {
    const options = { seed: 9, lines: 400, windowSizeMs: 4_000, windowSlideMs: 1_000, parallelism: 3 };
    const a = runWordCountDemo(options);
    const b = runWordCountDemo(options);
    expect(b).toEqual(a);
    expect(formatWordCount(b, { top: 4 })).toBe(formatWordCount(a, { top: 4 }));
    expect(runWordCountDemo({ ...options, seed: 10 }).windows).not.toEqual(a.windows);
  });

  it("formats one line per window with its top words and a total line", () => {
    const result = runWordCountDemo({ seed: 1, lines: 200, lineIntervalMs: 100, windowSizeMs: 10_000 });
    const text = formatWordCount(result, { top: 3 }).split("\n");
    expect(text).toHaveLength(result.windows.length + 1);
    const first = result.windows[0].counts.slice(0, 3).map((c) => `${c.word} ${c.count}`);
    expect(text[0]).toBe(`[0 s, 10 s)   ${first.join("  ")}  ...`);
    expect(text.at(-1)).toBe(`total: ${result.totalWords} words in 200 lines, 2 windows of 10 s, seed 1`);
  });
});

describe("TextSource", () => {
  const options = { seed: 5, lines: 50, lineIntervalMs: 20 };

  it("emits line i with key i at event time i * lineIntervalMs and stops after the last line", () => {
    const source = new TextSource(options);
    const out = collector();
    while (source.next(out, 7)) {}
    expect(source.position()).toBe(50);
    expect(out.rows).toEqual(Array.from({ length: 50 }, (_, i) => [i, i * 20, textLine(5, i)]));
  });

  it("seeking to a position reproduces exactly the lines from there", () => {
    const all = collector();
    const source = new TextSource(options);
    source.next(all, 50);
    for (const p of [0, 13, 49, 50]) {
      const again = collector();
      source.seek(p);
      source.next(again, 50);
      expect(again.rows).toEqual(all.rows.slice(p));
    }
  });

  it("draws lines of vocabulary words with a skew towards the most frequent", () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const words = textLine(1, i).split(" ");
      expect(words.length).toBeGreaterThanOrEqual(3);
      expect(words.length).toBeLessThanOrEqual(8);
      for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
    expect([...counts.keys()].every((w) => COMMON_WORDS.includes(w))).toBe(true);
    expect(counts.get("the")!).toBeGreaterThan(5 * (counts.get("will") ?? 0));
  });
});
