// The public surface of the windowed word count workload.

export { SplitWords } from "./splitWords.js";
export {
  DEFAULT_TEXT_SHAPE,
  type TextShape,
  TextSource,
  type TextSourceOptions,
  textLine,
  textShape,
  WORDS_PER_LINE_LIMIT,
} from "./textSource.js";
export {
  COMMON_WORDS,
  DEFAULT_VOCABULARY,
  VOCABULARY_SIZE_MAX,
  Vocabulary,
  wordKey,
  wordOfRank,
} from "./vocabulary.js";
export {
  formatWordCount,
  runWordCountDemo,
  type WindowCounts,
  type WordCount,
  type WordCountResult,
} from "./wordCountDemo.js";
export {
  DEFAULT_WINDOW_SIZE_MS,
  type ResolvedWordCountOptions,
  resolveWordCountOptions,
  type WordCountOptions,
  type WordWindowCount,
  wordCountPlan,
  wordCountTable,
} from "./wordCountPlan.js";
export { ZipfDistribution } from "./zipf.js";
