// Built-in experiments, by name, as raw data that goes through the same validation as a
// file. Later issues add `lrb`, `packets` and `lrb-scaleout`.

/** Raw experiment data of each preset. */
export const PRESETS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  wordcount: {
    name: "wordcount",
    workload: {
      name: "wordcount",
      params: {
        lines: 200_000,
        lineIntervalMs: 1,
        windowSizeMs: 10_000,
        windowSlideMs: 5_000,
        parallelism: 2,
      },
    },
    cluster: { vms: 4 },
    fidelity: { batchSize: 1024, sourcePollMs: 100 },
  },
  lrb: {
    name: "lrb",
    workload: {
      name: "lrb",
      params: {
        xways: 1,
        durationS: 600,
        carsParallelism: 2,
        segmentsParallelism: 2,
        accountsParallelism: 2,
      },
    },
    cluster: { vms: 3 },
    fidelity: { batchSize: 1024, sourcePollMs: 100 },
    // Linear Road's operators cost far more per tuple than the default keyed counter:
    // CPU microseconds per input tuple (for the source: per record read from a file and
    // parsed), over and above the defaults' per-batch and per-emitted-tuple charges,
    // measured in-process on one core of this machine by
    // `npm run bench -- --only lrb-queries` (L=1, 600 s of plateau traffic; medians of 3),
    // which prints each figure again next to these, so drift shows as a ratio away from 1.
    cost: {
      operators: {
        records: { tupleUs: 0.5 },
        cars: { tupleUs: 0.5 },
        segments: { tupleUs: 0.6 },
        accounts: { tupleUs: 1.4 },
        answers: { tupleUs: 0.02 },
      },
    },
  },
  packets: {
    name: "packets",
    workload: { name: "packets", params: { packets: 2_000_000, flows: 10_000, packetsPerMs: 100 } },
    cluster: { vms: 2 },
    fidelity: { batchSize: 4096, sourcePollMs: 50 },
  },
};

/** The names of the presets. */
export function presetNames(): string[] {
  return Object.keys(PRESETS);
}
