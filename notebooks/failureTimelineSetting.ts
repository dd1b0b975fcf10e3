// The failure timeline's experiment (notebooks/failureTimeline.ts): a setting in which the
// fault-tolerance strategies recover at visibly different speeds, because what they differ
// in (restoring a checkpoint and replaying since it, replaying a window's worth of
// buffers, replaying the stream from its source) is what a recovery's time is made of,
// rather than waiting for a VM. Its parameters, its sizes, and the experiment of one run.

import type { Experiment } from "../sim/experiment.js";
import { PRESETS } from "../sim/presets.js";

/** A line of the figures: its name, what it sets in `faultTolerance`, and its dash pattern. */
export interface Strategy {
  readonly label: string;
  readonly faultTolerance: { readonly strategy: Experiment["faultTolerance"]["strategy"] } & Readonly<
    Partial<Pick<Experiment["faultTolerance"], "parallelRecovery">>
  >;
  /** SVG dash pattern, so that lines on top of each other stay visible ("": solid). */
  readonly dash: string;
}

/** The failure-free run of each seed: the output every strategy must give, and the lines' baseline. */
export const FAILURE_FREE: Strategy = {
  label: "failure-free",
  faultTolerance: { strategy: "none" },
  dash: "",
};

/** The strategies, each with the same crash, in legend order. */
export const STRATEGIES: readonly Strategy[] = [
  { label: "rsm", faultTolerance: { strategy: "rsm" }, dash: "" },
  // SEEP's parallel recovery: the lost count instance is restored onto 2 new VMs, each replaying half.
  { label: "parallel rsm", faultTolerance: { strategy: "rsm", parallelRecovery: 2 }, dash: "2 3" },
  { label: "upstream-backup", faultTolerance: { strategy: "upstream-backup" }, dash: "8 4" },
  { label: "source-replay", faultTolerance: { strategy: "source-replay" }, dash: "12 3 3 3" },
  { label: "global-snapshot", faultTolerance: { strategy: "global-snapshot" }, dash: "5 2" },
];

/** The sizes of a report: seeds, the stream's length, the crash, and the span the timelines show. */
export interface TimelineSize {
  readonly seeds: readonly number[];
  /** Lines of text, one a ms: the stream lasts as many ms. */
  readonly lines: number;
  /** The crash: CRASH_PHASE_MS after a checkpoint. */
  readonly crashAtMs: number;
  /** Seconds shown before and after the crash. */
  readonly beforeS: number;
  readonly afterS: number;
}

/** Full: ten seeds; the crash 21 s in, the stream 24 s longer (source replay needs about 15 s). */
export const FULL: TimelineSize = {
  seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  lines: 45_000,
  crashAtMs: 21_000,
  beforeS: 8,
  afterS: 22,
};
/** --quick: the same runs, three seeds. */
export const QUICK: TimelineSize = { ...FULL, seeds: [1, 2, 3] };
/** Tests: two seeds (an interval needs two), the crash 7 s in (source replay needs about 8 s). */
export const TINY: TimelineSize = { seeds: [1, 2], lines: 17_000, crashAtMs: 7_000, beforeS: 5, afterS: 9 };

/** One line of text a ms (3 to 8 words, about 5,500 words a second). */
export const LINE_INTERVAL_MS = 1;
/** Counted in windows of 4 s sliding by 0.5 s: a count comes out for each word every half second. */
export const WINDOWS = { windowSizeMs: 4_000, windowSlideMs: 500 };
/** 1,000 words drawn uniformly: each count instance keeps about 500 words in each of 8 open windows. */
export const VOCABULARY_SIZE = 1_000;
/**
 * Four VMs at 1/500 of a core of this machine: the count instance works at about a
 * quarter of its VM and each split at about two fifths, so that what a strategy restores
 * or replays costs seconds of CPU, as a large state and a fast stream would on real VMs,
 * while a run simulates only a thousand lines a second. Placement is round robin in plan
 * order: lines#0, split#1, split#2, count#3 on VMs 0 to 3, then count#4 and sink#5 on 0 and 1.
 */
export const CLUSTER = { vms: 4, speed: 0.002 };
/** The VM of count#3, one of the two count instances, alone there. */
export const CRASHED_VM = 3;
/** A pooled VM handed out in 0.5 s (not the default 5 s, which would hide the strategies' own work). */
export const POOL = { handoutMs: 500 };
/** Checkpoints (marks, global snapshots) every 2 s, at multiples of 2 s. */
export const CHECKPOINT_INTERVAL_MS = 2_000;
/** The crash falls 1 s after a checkpoint, in the middle of an interval. */
export const CRASH_PHASE_MS = 1_000;
/** Metrics every 100 ms (the latency level a recovery comes back to is read from them); the figures sum them per second. */
export const METRICS_INTERVAL_MS = 100;
/**
 * Sources poll at a seeded offset in their 100 ms period, as a real runtime's timers fall:
 * what makes one seed's run differ from another's besides its text.
 */
export const FIDELITY = { batchSize: 1024, sourcePollMs: 100, sourcePollPhase: "random" };

/** The experiment of one run as raw data: `strategy`'s fault tolerance, with the crash unless it is the failure-free run. */
export function timelineExperiment(
  size: TimelineSize,
  strategy: Strategy,
  seed: number,
): Record<string, unknown> {
  if (size.crashAtMs % CHECKPOINT_INTERVAL_MS !== CRASH_PHASE_MS)
    throw new Error(
      `failure-timeline: the crash at ${size.crashAtMs} ms is not ${CRASH_PHASE_MS} ms after a checkpoint every ${CHECKPOINT_INTERVAL_MS} ms`,
    );
  const raw = PRESETS.wordcount as { workload: { name: string; params: Record<string, unknown> } };
  return {
    ...raw,
    name: "failure-timeline",
    seed,
    workload: {
      ...raw.workload,
      params: {
        ...raw.workload.params,
        lines: size.lines,
        lineIntervalMs: LINE_INTERVAL_MS,
        vocabularySize: VOCABULARY_SIZE,
        zipfExponent: 0,
        ...WINDOWS,
      },
    },
    cluster: CLUSTER,
    pool: POOL,
    fidelity: FIDELITY,
    metricsIntervalMs: METRICS_INTERVAL_MS,
    ...faultsOf(size, strategy),
  };
}

/** What a run sets over the failure-free experiment: its fault tolerance and its crash. */
export function faultsOf(size: TimelineSize, strategy: Strategy) {
  const crash = strategy.faultTolerance.strategy !== "none";
  return {
    faultTolerance: { ...strategy.faultTolerance, checkpointIntervalMs: CHECKPOINT_INTERVAL_MS },
    faults: crash ? [{ type: "crash", vm: CRASHED_VM, atMs: size.crashAtMs }] : [],
  };
}
