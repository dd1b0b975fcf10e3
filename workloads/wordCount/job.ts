// The windowed word count as a job module: its parameters (every default resolved by the
// schema, so that a run's experiment.json holds them all), its plan and its size.

import { z } from "zod";
import { defineJob, integerIn, JobError, numberIn } from "../../engine/index.js";
import { checkStreamLength, eventMs, parallelism, TUPLES_MAX } from "../paramRanges.js";
import { DEFAULT_TEXT_SHAPE, WORDS_PER_LINE_LIMIT } from "./textSource.js";
import { VOCABULARY_SIZE_MAX } from "./vocabulary.js";
import {
  DEFAULT_WINDOW_SIZE_MS,
  type ResolvedWordCountOptions,
  resolveWordCountOptions,
  wordCountPlan,
} from "./wordCountPlan.js";

/** Most windows a sliding window's tuple falls in (windowSizeMs / windowSlideMs). */
const WINDOWS_PER_TUPLE_MAX = 1_000;

/** Word count parameters, resolved: every knob but the seed, which is the run's. */
export type WordCountParams = Omit<ResolvedWordCountOptions, "seed">;

const given = z
  .object({
    /** Lines of text, 1 to 10^9. */
    lines: integerIn(1, TUPLES_MAX).optional(),
    /** Event time between two lines, above 0 and at most a day. */
    lineIntervalMs: eventMs.optional(),
    /** Window length, 1 ms to a day, a multiple of windowSlideMs and at most 1000 of them. */
    windowSizeMs: integerIn(1, 86_400_000).optional(),
    windowSlideMs: integerIn(1, 86_400_000).optional(),
    /** Distinct words (the first 50 are common English words, the rest synthetic). */
    vocabularySize: integerIn(1, VOCABULARY_SIZE_MAX).optional(),
    /** Skew of word frequencies: rank r has weight 1 / (r + 1)^zipfExponent; 0 is uniform; at most 10. */
    zipfExponent: numberIn(0, 10).optional(),
    wordsPerLineMin: integerIn(1, WORDS_PER_LINE_LIMIT).optional(),
    wordsPerLineMax: integerIn(1, WORDS_PER_LINE_LIMIT).optional(),
    parallelism: parallelism.optional(),
    splitParallelism: parallelism.optional(),
    countParallelism: parallelism.optional(),
  })
  .strict();

/** The parameters with their defaults, checked together (a check names a default as such). */
function resolve(p: z.output<typeof given>): WordCountParams {
  const of = (v: number, g: number | undefined) => (g === undefined ? `${v}, the default` : v);
  const sizeMs = p.windowSizeMs ?? DEFAULT_WINDOW_SIZE_MS;
  const slideMs = p.windowSlideMs ?? sizeMs;
  if (sizeMs % slideMs !== 0) {
    throw new JobError(
      `workload "wordcount": params.windowSizeMs (${of(sizeMs, p.windowSizeMs)}) must be a multiple of params.windowSlideMs (${slideMs})`,
    );
  }
  if (sizeMs / slideMs > WINDOWS_PER_TUPLE_MAX) {
    throw new JobError(
      `workload "wordcount": params.windowSizeMs (${sizeMs}) must be at most ${WINDOWS_PER_TUPLE_MAX} times ` +
        `params.windowSlideMs (${slideMs}): each word is counted in every window it falls in`,
    );
  }
  const min = p.wordsPerLineMin ?? DEFAULT_TEXT_SHAPE.wordsPerLineMin;
  const max = p.wordsPerLineMax ?? DEFAULT_TEXT_SHAPE.wordsPerLineMax;
  if (max < min) {
    throw new JobError(
      `workload "wordcount": params.wordsPerLineMax (${of(max, p.wordsPerLineMax)}) ` +
        `must be at least params.wordsPerLineMin (${of(min, p.wordsPerLineMin)})`,
    );
  }
  const { seed: _, ...resolved } = resolveWordCountOptions(p);
  checkStreamLength(
    "wordcount",
    resolved.lines * resolved.lineIntervalMs,
    `params.lines (${resolved.lines}) at params.lineIntervalMs (${resolved.lineIntervalMs})`,
  );
  return resolved;
}

export const workload = defineJob<WordCountParams>({
  name: "wordcount",
  description: "windowed word count: text lines -> split -> count per word in event-time windows -> sink",
  params: given.transform(resolve),
  plan: (p, seed) => wordCountPlan({ ...p, seed }).plan,
  size(p) {
    const words = (p.lines * (p.wordsPerLineMin + p.wordsPerLineMax)) / 2;
    const streamMs = p.lines * p.lineIntervalMs;
    // Every word is counted in each window it falls in; each window lets out its words' counts.
    const windows = Math.ceil(streamMs / p.windowSlideMs) + p.windowSizeMs / p.windowSlideMs;
    const results = windows * Math.min(p.vocabularySize, words);
    return {
      sourceTuples: p.lines,
      streamMs,
      eventTimeStepMs: 0,
      tupleVisits: p.lines + (words * p.windowSizeMs) / p.windowSlideMs + results,
    };
  },
});
