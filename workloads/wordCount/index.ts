// The public surface of the windowed word count workload.

export { SplitWords } from "./splitWords.js";
export { TextSource, type TextSourceOptions, textLine } from "./textSource.js";
export { VOCABULARY, wordKey, wordOfKey, zipfWord } from "./vocabulary.js";
export {
  formatWordCount,
  runWordCountDemo,
  type WindowCounts,
  type WordCount,
  type WordCountResult,
} from "./wordCountDemo.js";
export {
  type ResolvedWordCountOptions,
  resolveWordCountOptions,
  type WordCountOptions,
  type WordWindowCount,
  wordCountPlan,
} from "./wordCountPlan.js";
