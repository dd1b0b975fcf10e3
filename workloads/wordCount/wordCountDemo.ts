// Running the word count in process and presenting its result: windows in order, each
// with its words by decreasing count, and a plain-text rendering for the CLI.

import { InProcessRuntime, physicalPlan } from "../../engine/index.js";
import {
  type ResolvedWordCountOptions,
  resolveWordCountOptions,
  type WordCountOptions,
  wordCountPlan,
} from "./wordCountPlan.js";

/** A word and how often it occurs in a window. */
export interface WordCount {
  readonly word: string;
  readonly count: number;
}

/** One window's counts, most frequent word first (ties by word). */
export interface WindowCounts {
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly counts: readonly WordCount[];
  /** Words in the window. */
  readonly total: number;
}

/** What a word count run produced. */
export interface WordCountResult {
  readonly options: ResolvedWordCountOptions;
  /** Windows by start time. */
  readonly windows: readonly WindowCounts[];
  /** Words in the whole text (each word lies in windowSizeMs / windowSlideMs windows). */
  readonly totalWords: number;
}

/** Build the word count plan, run it in process to the end, and gather its windows. */
export function runWordCountDemo(options: WordCountOptions = {}): WordCountResult {
  const o = resolveWordCountOptions(options);
  const { plan, results } = wordCountPlan(o);
  const runtime = new InProcessRuntime(physicalPlan(plan), { batchSize: 256 });
  runtime.start();
  runtime.run();
  const byStart = new Map<number, { windowEndMs: number; counts: WordCount[] }>();
  for (const r of results) {
    let w = byStart.get(r.windowStartMs);
    if (w === undefined) {
      w = { windowEndMs: r.windowEndMs, counts: [] };
      byStart.set(r.windowStartMs, w);
    }
    w.counts.push({ word: r.word, count: r.count });
  }
  const windows = [...byStart]
    .sort((a, b) => a[0] - b[0])
    .map(([windowStartMs, w]) => ({
      windowStartMs,
      windowEndMs: w.windowEndMs,
      counts: w.counts.sort((a, b) => b.count - a.count || (a.word < b.word ? -1 : a.word > b.word ? 1 : 0)),
      total: w.counts.reduce((n, c) => n + c.count, 0),
    }));
  const windowsPerWord = o.windowSizeMs / o.windowSlideMs;
  const counted = windows.reduce((n, w) => n + w.total, 0);
  if (counted % windowsPerWord !== 0) throw new Error(`${counted} counts do not cover whole words`);
  return { options: o, windows, totalWords: counted / windowsPerWord };
}

/** Milliseconds as seconds, without trailing zeros: 10000 -> "10 s", 2500 -> "2.5 s". */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** One line per window with its `top` most frequent words, then a total line. */
export function formatWordCount(result: WordCountResult, options: { top?: number } = {}): string {
  const top = options.top ?? 5;
  const labels = result.windows.map((w) => `[${seconds(w.windowStartMs)}, ${seconds(w.windowEndMs)})`);
  const width = Math.max(0, ...labels.map((l) => l.length));
  const lines = result.windows.map((w, i) => {
    const words = w.counts.slice(0, top).map((c) => `${c.word} ${c.count}`);
    const more = w.counts.length > top ? "  ..." : "";
    return `${labels[i].padEnd(width)}  ${words.join("  ")}${more}`;
  });
  const o = result.options;
  const slide = o.windowSlideMs === o.windowSizeMs ? "" : ` every ${seconds(o.windowSlideMs)}`;
  const windows = `${result.windows.length} windows of ${seconds(o.windowSizeMs)}${slide}`;
  lines.push(`total: ${result.totalWords} words in ${o.lines} lines, ${windows}, seed ${o.seed}`);
  return lines.join("\n");
}
