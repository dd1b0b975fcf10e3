// The windowed word count as a query plan: text source -> split (round robin) -> count
// per word in event-time windows (key exchange) -> a sink that records each window's
// count of each word. The plan's sink writes into the array the caller gets back. The
// text's vocabulary is built once per plan and shared by its sources and its sink, whose
// table (outputs.csv's columns) turns each key back into its word.

import {
  type Batch,
  countAggregate,
  type LogicalPlan,
  type Operator,
  QueryBuilder,
  type SinkTable,
  type TableCell,
  timeWindow,
  type WindowResult,
} from "../../engine/index.js";
import { SplitWords } from "./splitWords.js";
import { DEFAULT_TEXT_SHAPE, type TextShape, TextSource, textShape } from "./textSource.js";
import type { Vocabulary } from "./vocabulary.js";

/** Knobs of a word count run; every one has a default. */
/** A word count's window length when none is given: 10 s. */
export const DEFAULT_WINDOW_SIZE_MS = 10_000;

export interface WordCountOptions {
  /** Seed of the generated text (default 1). */
  readonly seed?: number;
  /** Lines of text (default 1000). */
  readonly lines?: number;
  /** Event time between two lines (default 100 ms). */
  readonly lineIntervalMs?: number;
  /** Window length (default 10 s); a multiple of `windowSlideMs`. */
  readonly windowSizeMs?: number;
  /** Distance between window starts (default: `windowSizeMs`, tumbling windows). */
  readonly windowSlideMs?: number;
  /** Distinct words of the text (default 50, the common English words; more adds synthetic words). */
  readonly vocabularySize?: number;
  /** Skew of word frequencies: rank r has weight 1 / (r + 1)^zipfExponent (default 1; 0 is uniform). */
  readonly zipfExponent?: number;
  /** Fewest words on a line (default 3). */
  readonly wordsPerLineMin?: number;
  /** Most words on a line (default 8); the number of a line's words is uniform in [min, max]. */
  readonly wordsPerLineMax?: number;
  /** Instances of split and of count (default 2). */
  readonly parallelism?: number;
  /** Instances of split (default `parallelism`). */
  readonly splitParallelism?: number;
  /** Instances of count (default `parallelism`). */
  readonly countParallelism?: number;
}

/** Word count options with every default filled in. */
export type ResolvedWordCountOptions = Required<WordCountOptions>;

/** The options with defaults applied. */
export function resolveWordCountOptions(o: WordCountOptions = {}): ResolvedWordCountOptions {
  const windowSizeMs = o.windowSizeMs ?? DEFAULT_WINDOW_SIZE_MS;
  const parallelism = o.parallelism ?? 2;
  const text = DEFAULT_TEXT_SHAPE;
  return {
    seed: o.seed ?? 1,
    lines: o.lines ?? 1000,
    lineIntervalMs: o.lineIntervalMs ?? 100,
    windowSizeMs,
    windowSlideMs: o.windowSlideMs ?? windowSizeMs,
    vocabularySize: o.vocabularySize ?? text.vocabulary.size,
    zipfExponent: o.zipfExponent ?? text.vocabulary.zipfExponent,
    wordsPerLineMin: o.wordsPerLineMin ?? text.wordsPerLineMin,
    wordsPerLineMax: o.wordsPerLineMax ?? text.wordsPerLineMax,
    parallelism,
    splitParallelism: o.splitParallelism ?? parallelism,
    countParallelism: o.countParallelism ?? parallelism,
  };
}

/** The count of one word in one window. */
export interface WordWindowCount {
  readonly word: string;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly count: number;
}

/** Records every (word, window, count) that reaches it. */
class WordCountSink implements Operator {
  constructor(
    private readonly vocabulary: Vocabulary,
    private readonly out: WordWindowCount[],
  ) {}

  onBatch(batch: Batch): void {
    for (let i = 0; i < batch.length; i++) {
      const w = batch.values?.[i] as WindowResult<number>;
      const word = this.vocabulary.wordOfKey(batch.keys[i]);
      this.out.push({ word, windowStartMs: w.windowStartMs, windowEndMs: w.windowEndMs, count: w.result });
    }
  }
}

/** The columns of a word count's outputs: `word,windowStartMs,windowEndMs,count`. */
export function wordCountTable(vocabulary: Vocabulary): SinkTable<WindowResult<number>> {
  const cells: TableCell[] = ["", 0, 0, 0];
  return {
    columns: ["word", "windowStartMs", "windowEndMs", "count"],
    row: (key, w) => {
      cells[0] = vocabulary.wordOfKey(key);
      cells[1] = w.windowStartMs;
      cells[2] = w.windowEndMs;
      cells[3] = w.result;
      return cells;
    },
  };
}

/** The word count plan, and the array its sink fills while a runtime runs it. */
export function wordCountPlan(options: WordCountOptions = {}): {
  plan: LogicalPlan;
  results: WordWindowCount[];
} {
  const o = resolveWordCountOptions(options);
  const shape: TextShape = textShape(o);
  const results: WordWindowCount[] = [];
  const window = timeWindow({ sizeMs: o.windowSizeMs, slideMs: o.windowSlideMs, aggregate: countAggregate });
  const q = new QueryBuilder("wordCount");
  const text = { seed: o.seed, lines: o.lines, lineIntervalMs: o.lineIntervalMs, shape };
  const lines = q.source("lines", () => new TextSource(text));
  const split = q.operator("split", () => new SplitWords(), { parallelism: o.splitParallelism });
  const count = q.operator("count", window.create, { ...window.options, parallelism: o.countParallelism });
  const sink = q.sink("sink", () => new WordCountSink(shape.vocabulary, results), {
    table: wordCountTable(shape.vocabulary),
  });
  q.connect(lines, split, "roundRobin").connect(split, count, "key").connect(count, sink, "forward");
  return { plan: q.build(), results };
}
