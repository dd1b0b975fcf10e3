// The options and figures of the checkpoint-overhead measurement
// (measure/checkpointOverhead.ts): what a configuration asks for, what one timed run
// found, and the whole report, as the benchmark prints it and the report's notebook
// draws it.

/** The clock a measurement runs on: this process's CPU time (all threads), or the wall clock. */
export type BenchClock = "cpu" | "wall";

/** One configuration: a checkpoint every `intervalMs` for `periods` intervals. */
export interface OverheadConfig {
  readonly intervalMs: number;
  readonly periods: number;
  /** Also encode each completed checkpoint (the cost of shipping it for backup). */
  readonly encode?: boolean;
}

/** Sizes and configurations of a measurement. */
export interface OverheadOptions {
  readonly keyCount: number;
  readonly batchSize: number;
  readonly copyChunkEntries: number;
  /** The clock of intervals, durations, throughput and latency. */
  readonly clock: BenchClock;
  /** Length of each baseline segment (one before, one after and one between configurations). */
  readonly baselineSegmentMs: number;
  /** Warm-up before the first segment, half with checkpoints, half without. */
  readonly warmupMs: number;
  readonly configs: readonly OverheadConfig[];
}

/** Figures of one timed run; times are on the measurement's clock unless named wall. */
export interface RunFigures {
  /** Null for a run without checkpoints. */
  readonly intervalMs: number | null;
  readonly encode: boolean;
  readonly durationMs: number;
  readonly wallMs: number;
  /** CPU time over wall time: below 1 when other processes took this one's core. */
  readonly cpuShare: number;
  readonly tuples: number;
  readonly batches: number;
  readonly tuplesPerS: number;
  readonly wallTuplesPerS: number;
  /** Batch latency quantiles and maximum, ms. */
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Checkpoints begun and completed in the run. */
  readonly checkpoints: number;
  /** Mean time from a checkpoint's begin to its completion, ms (NaN without checkpoints). */
  readonly checkpointMsMean: number;
  /** Mean time spent in begin and copy steps per checkpoint, ms. */
  readonly checkpointWorkMsMean: number;
  /** Mean extra batch time while a copy is pending (copy-on-write saves), per checkpoint, ms. */
  readonly copyOnWriteMsMean: number;
  /** Mean time to encode a checkpoint in this run (NaN when not encoding), ms. */
  readonly encodeMsMean: number;
}

/** A configuration's figures against its bracketing baseline segments. */
export interface ConfigFigures extends RunFigures {
  readonly baselineTuplesPerS: number;
  readonly baselineWallTuplesPerS: number;
  /** Throughput over the baseline's. */
  readonly ratio: number;
  readonly lossPct: number;
  /** The same loss on the wall clock (meaningful only when no other process wanted the core). */
  readonly wallLossPct: number;
  /** Loss implied by the per-checkpoint cost alone: (work + copy-on-write + encoding) / interval, %. */
  readonly derivedLossPct: number;
}

/** Everything a measurement found. */
export interface OverheadReport {
  readonly options: OverheadOptions;
  /** The baseline segments, in order. */
  readonly segments: readonly RunFigures[];
  /** All baseline segments together. */
  readonly baseline: RunFigures;
  /** Half the range of the segments' throughputs over their mean, %: how noisy the machine was. */
  readonly baselineSpreadPct: number;
  readonly configs: readonly ConfigFigures[];
  /** encodeCheckpoint of a complete checkpoint: median ms and bytes. */
  readonly encodeMs: number;
  readonly encodeBytes: number;
  /** Keys in the state and in the last checkpoint at the end. */
  readonly stateKeys: number;
  readonly checkpointKeys: number;
  /** Tuples fed in all, and the sum of the counts in the state (equal when nothing was lost). */
  readonly tuplesFed: number;
  readonly tuplesCounted: number;
}
