// Built-in experiments, by name, as raw data that goes through the same validation as a
// file. Issue 7 adds `lrb-scaleout`.

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
    // Linear Road's operators cost far more per tuple than the default keyed counter. Per
    // operator: CPU microseconds per input tuple (for the source: per record read from a
    // file and parsed), over and above the defaults' per-batch and per-emitted-tuple
    // charges, measured in-process on one core of this machine by
    // `npm run bench -- --only lrb-queries` (L=1, 600 s of plateau traffic, CPU time of each
    // instance's tasks); medians of six runs on 2026-11-22 (each a median of three), whose
    // figures ranged over records 0.25-0.50, cars 0.33-0.54, segments 0.58-0.76,
    // accounts 0.98-1.47, answers 0.013-0.025 (a sink that only counts).
    // (Generated on the fly, as this preset's stream is by default, records cost less to
    // make than to parse; the file's figure is kept, as `seep lrb rate` replays files.)
    // The bench prints each figure again next to these: drift shows as a ratio away from 1.
    cost: {
      operators: {
        records: { tupleUs: 0.38 },
        cars: { tupleUs: 0.48 },
        segments: { tupleUs: 0.64 },
        accounts: { tupleUs: 1.2 },
        answers: { tupleUs: 0.022 },
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
