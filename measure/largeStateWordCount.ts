// Shared by the benchmarks of a large keyed state on real workers (recovery, scale out):
// a word count whose count instance holds most of a large vocabulary, and the options it
// runs with on local `seep worker` processes (measure/localWorkers.ts).

import type { CloudRunOptions } from "../cloud/cloudRun.js";
import type { LocalProcessPool } from "../cloud/localProcessPool.js";
import { workloadPlan } from "../workloads/index.js";

/** 20 words a line, a line every 0.5 ms: 40,000 words/s. */
const WORDS_PER_LINE = 20;
const LINE_INTERVAL_MS = 0.5;

/**
 * Word-count parameters for a stream of `untilMs` (and 10% more) over `vocabularySize`
 * uniformly drawn words, with windows longer than the run (every word seen stays in state)
 * and one count instance.
 */
export function largeStateParams(vocabularySize: number, untilMs: number) {
  return {
    lines: Math.ceil((untilMs * 1.1) / LINE_INTERVAL_MS),
    lineIntervalMs: LINE_INTERVAL_MS,
    windowSizeMs: 10_000_000,
    windowSlideMs: 10_000_000,
    vocabularySize,
    zipfExponent: 0,
    wordsPerLineMin: WORDS_PER_LINE,
    wordsPerLineMax: WORDS_PER_LINE,
    splitParallelism: 2,
    countParallelism: 1,
  };
}

/**
 * The options both benchmarks run the large-state word count with: 4 local workers,
 * batches of 512, polls every 20 ms, metrics every 250 ms, stopping at `untilMs`.
 */
export function largeStateRun(
  name: string,
  workers: { pool: LocalProcessPool; token: string },
  params: ReturnType<typeof largeStateParams>,
  untilMs: number,
) {
  return {
    name,
    pool: workers.pool,
    poolKind: "local",
    workers: 4,
    token: workers.token,
    workload: "wordcount",
    params,
    plan: workloadPlan("wordcount", params, 1),
    seed: 1,
    batchSize: 512,
    sourcePollMs: 20,
    metricsIntervalMs: 250,
    untilMs,
  } satisfies CloudRunOptions;
}
