// Checkpoint overhead as paired repetitions (the checkpoint-overhead report): a machine
// whose speed swings from one run to the next (a shared machine: a third between runs) must
// not pass for overhead, nor hide it. Baseline segments (A, no checkpoints) and
// checkpointed runs (B) are interleaved A B A B ... A, `repetitions` rounds over the
// configurations; each B is compared with the mean of the two A's that bracket it, which
// gives one paired loss per repetition, 1 - B / A, in %. A configuration's figures are the
// medians over its repetitions, and its loss has a 95% confidence interval: Student's t
// interval of the mean of its paired losses (lab/stats.ts), which says whether the loss is
// distinguishable from none (the interval holds 0) on this machine at these sizes.
// The runs themselves are measure/checkpointOverheadRun.ts's (CPU time by default).

import { type Interval, mean, tInterval } from "../lab/stats.js";
import type { OverheadConfig, OverheadOptions, RunFigures } from "./checkpointOverheadFigures.js";
import { Harness, mergeSegments, timedRun } from "./checkpointOverheadRun.js";
import { collectGarbage } from "./garbage.js";
import { median } from "./statistics.js";

/** The options of a paired measurement: the configurations, each repeated `repetitions` times. */
export interface PairedOverheadOptions extends OverheadOptions {
  readonly repetitions: number;
}

/** One checkpointed run and its bracketing baseline. */
export interface OverheadPair {
  readonly run: RunFigures;
  readonly tuplesPerS: number;
  /** The mean throughput of the baseline segments just before and just after it. */
  readonly baselineTuplesPerS: number;
}

/** The loss of a configuration over its paired repetitions, %. */
export interface PairedLoss {
  /** 1 - with / baseline of each pair, %. */
  readonly lossesPct: readonly number[];
  readonly medianPct: number;
  readonly meanPct: number;
  /** The 95% t interval of the mean loss; null with fewer than two pairs. */
  readonly interval: Interval | null;
  /** Whether the interval holds 0 (no loss distinguishable); null without an interval. */
  readonly includesZero: boolean | null;
}

/** A configuration's figures: medians over its repetitions, and its paired loss. */
export interface PairedConfig {
  readonly config: OverheadConfig;
  readonly pairs: readonly OverheadPair[];
  readonly loss: PairedLoss;
  readonly tuplesPerS: number;
  readonly baselineTuplesPerS: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly checkpoints: number;
  readonly checkpointWorkMsMean: number;
  readonly copyOnWriteMsMean: number;
  /** NaN when the configuration does not encode. */
  readonly encodeMsMean: number;
  readonly cpuShare: number;
}

/** Everything a paired measurement found. */
export interface PairedOverheadReport {
  readonly options: PairedOverheadOptions;
  /** The baseline segments, in order. */
  readonly segments: readonly RunFigures[];
  /** All baseline segments together. */
  readonly baseline: RunFigures;
  readonly configs: readonly PairedConfig[];
  readonly tuplesFed: number;
  readonly tuplesCounted: number;
  readonly stateKeys: number;
}

/** What a measurement reports as it goes: each timed run named (e.g. recording the load), each done. */
export interface PairedHooks {
  readonly time?: <T>(what: string, measure: () => T) => T;
  readonly finished?: (what: string) => void;
}

/** The paired loss of `pairs` (see the file header). */
export function pairedLoss(pairs: readonly { tuplesPerS: number; baselineTuplesPerS: number }[]): PairedLoss {
  const lossesPct = pairs.map((p) => (1 - p.tuplesPerS / p.baselineTuplesPerS) * 100);
  const interval = tInterval(lossesPct, 0.95);
  return {
    lossesPct,
    medianPct: median(lossesPct, "checkpoint overhead: paired losses"),
    meanPct: mean(lossesPct),
    interval,
    includesZero: interval === null ? null : interval.low <= 0 && interval.high >= 0,
  };
}

/** The timed runs of a paired measurement: every checkpointed run and every baseline segment. */
export function pairedRunCount(o: PairedOverheadOptions): number {
  return 2 * o.repetitions * o.configs.length + 1;
}

/** A label of configuration `c`. */
export function pairedConfigLabel(c: OverheadConfig): string {
  return `every ${c.intervalMs / 1000} s${c.encode ? " + encode" : ""}`;
}

/** Measure checkpoint overhead as paired repetitions (see the file header). */
export function measurePairedOverhead(
  options: PairedOverheadOptions,
  hooks: PairedHooks = {},
): PairedOverheadReport {
  const time = hooks.time ?? (<T>(_: string, measure: () => T) => measure());
  const h = new Harness(options);
  timedRun(h, options.warmupMs / 4, options.warmupMs / 2, true);
  timedRun(h, null, options.warmupMs / 2, false);
  const segments: ReturnType<typeof timedRun>[] = [];
  // Every timed run starts from a collected heap. Without fault tolerance nothing is kept;
  // with it, a run starts as in its steady state, holding the checkpoint its first replaces.
  const segment = (what: string) => {
    h.last = null;
    collectGarbage();
    segments.push(time(what, () => timedRun(h, null, options.baselineSegmentMs, false)));
    hooks.finished?.(what);
    return segments[segments.length - 1].figures;
  };
  let before = segment("no checkpoints, segment 1");
  const pairs: OverheadPair[][] = options.configs.map(() => []);
  for (let r = 0; r < options.repetitions; r++) {
    for (const [i, c] of options.configs.entries()) {
      const what = `${pairedConfigLabel(c)}, repetition ${r + 1} of ${options.repetitions}`;
      h.last = h.checkpointNow();
      collectGarbage();
      const run = time(what, () =>
        timedRun(h, c.intervalMs, c.intervalMs * c.periods, c.encode ?? false),
      ).figures;
      hooks.finished?.(what);
      const after = segment(`no checkpoints, segment ${segments.length + 1}`);
      pairs[i].push({
        run,
        tuplesPerS: run.tuplesPerS,
        baselineTuplesPerS: (before.tuplesPerS + after.tuplesPerS) / 2,
      });
      before = after;
    }
  }
  let tuplesCounted = 0;
  for (const [, n] of h.counter.keyedState.entries()) tuplesCounted += n;
  return {
    options,
    segments: segments.map((s) => s.figures),
    baseline: mergeSegments(segments),
    configs: options.configs.map((c, i) => pairedConfig(c, pairs[i])),
    tuplesFed: h.tuplesFed,
    tuplesCounted,
    stateKeys: h.counter.keyedState.size,
  };
}

/** A configuration's medians over its pairs, and its paired loss. */
function pairedConfig(config: OverheadConfig, pairs: readonly OverheadPair[]): PairedConfig {
  const label = pairedConfigLabel(config);
  const m = (what: string, f: (r: RunFigures) => number) =>
    median(
      pairs.map((p) => f(p.run)),
      `checkpoint ${label}: ${what}`,
    );
  return {
    config,
    pairs,
    loss: pairedLoss(pairs),
    tuplesPerS: m("throughput", (r) => r.tuplesPerS),
    baselineTuplesPerS: median(
      pairs.map((p) => p.baselineTuplesPerS),
      `checkpoint ${label}: baseline throughput`,
    ),
    latencyMs: {
      p50: m("latency p50", (r) => r.latencyMs.p50),
      p99: m("latency p99", (r) => r.latencyMs.p99),
      max: m("latency max", (r) => r.latencyMs.max),
    },
    checkpoints: m("checkpoints", (r) => r.checkpoints),
    checkpointWorkMsMean: m("checkpoint work", (r) => r.checkpointWorkMsMean),
    copyOnWriteMsMean: m("copy-on-write", (r) => r.copyOnWriteMsMean),
    encodeMsMean: config.encode ? m("encoding", (r) => r.encodeMsMean) : Number.NaN,
    cpuShare: m("CPU share", (r) => r.cpuShare),
  };
}
