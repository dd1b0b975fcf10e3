// The chaos campaign's small word count, as an experiment document without its name: the
// campaign tests, the chaos CLI test and the golden record of reconfigurations run it.

export const SMALL_WORD_COUNT = {
  workload: {
    name: "wordcount",
    params: { lines: 4000, lineIntervalMs: 5, windowSizeMs: 2000, parallelism: 2 },
  },
  cluster: { vms: 3 },
  fidelity: { batchSize: 256, sourcePollMs: 50 },
  pool: { handoutMs: 1000 },
} as const;
