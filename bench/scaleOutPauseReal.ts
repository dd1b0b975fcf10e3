// Benchmark: the pause a scale out causes, on real local workers, for a count holding about
// a million keys (the real counterpart of scale-out-pause, in the simulator). A word count
// over a vocabulary of a million words (uniform, 20 words a line, 40k words/s, windows
// longer than the run so that every word seen stays in state) runs on 4 local `seep
// worker` processes with one count instance (strategy none), which is split in two at 85 s
// onto a worker prestarted in the pool. Figures: the keys it held (the checkpoint it took
// for the split: under strategy none the only one it takes), the pause (from the upstreams
// holding their output to their resuming), split into the checkpoint's part (until the
// coordinator has it, partitioned) and the rest (transfer and restore of the parts, new sender),
// and the whole scale out (from the request). Baseline: the same scale out with a
// vocabulary of a thousand words, in the same benchmark run (split at 10 s: the thousand
// words are all seen within a second). The windows emit nothing before the end, so output
// latency cannot show the pause; in its place, the backlog: the upstreams hold their output
// during the pause (not counted in the workers' queues) and let it go on resuming, so the
// queues rise a heartbeat or two after the pause ends. Drained is the end of the first
// metrics interval (250 ms) after that rise whose queued tuples are back to their most in
// the 10 s before the pause (0 when they never rise above it within 5 s of the pause).

import { CloudRun } from "../cloud/cloudRun.js";
import type { Checkpoint, MetricsRow } from "../engine/index.js";
import { backlogDrainedAtMs } from "../measure/backlogDrained.js";
import { largeStateParams, largeStateRun } from "../measure/largeStateWordCount.js";
import { localWorkers } from "../measure/localWorkers.js";
import { BenchFailure, type BenchResult } from "./benchResult.js";

/** The count instance of the plan (source 0, splits 1-2, count 3, sink 4). */
const COUNT = 3;

interface Shape {
  readonly vocabularySize: number;
  readonly splitAtMs: number;
  readonly untilMs: number;
}

// The 3.4M words drawn by 85 s hold about 97% of the vocabulary of a million (1 - e^-3.4).
// The pause of that count took 13-22 s on a 2-core machine: the run goes on 40 s after it.
const FULL: Shape = { vocabularySize: 1_000_000, splitAtMs: 85_000, untilMs: 125_000 };
const QUICK: Shape = { vocabularySize: 300_000, splitAtMs: 15_000, untilMs: 30_000 };
/** The baseline: a thousand words, all seen long before the split. */
const SMALL: Shape = { vocabularySize: 1_000, splitAtMs: 10_000, untilMs: 20_000 };
/** The queues rise this long after the pause at most (heartbeats every 500 ms), or there was no backlog. */
const BACKLOG_SHOWS_WITHIN_MS = 5_000;

interface ScaleOutFigures {
  /** Keys in the checkpoint the count took for the split. */
  readonly keys: number;
  readonly pauseMs: number;
  readonly totalMs: number;
  /** From the pause until the coordinator has the split's checkpoint, partitioned (handleReply runs before onReply). */
  readonly checkpointMs: number;
  /** From the end of the pause until the backlog it left is drained (NaN: never in the run). */
  readonly drainedMs: number;
  /** The most tuples queued in the workers in an interval from the pause to the end of the run. */
  readonly peakQueue: number;
  /** The same in the 10 s before the pause. */
  readonly queueBefore: number;
}

/** The most tuples queued in the intervals ending in (fromMs, toMs]. */
function peakQueue(rows: readonly MetricsRow[], fromMs: number, toMs: number): number {
  return Math.max(
    0,
    ...rows.filter((r) => r.timeS * 1000 > fromMs && r.timeS * 1000 <= toMs).map((r) => r.queueLength),
  );
}

/** Run the word count of `shape` on local workers, split its count in two, and measure the split. */
async function scaleOutOf(shape: Shape): Promise<ScaleOutFigures> {
  const params = largeStateParams(shape.vocabularySize, shape.untilMs);
  const { pool, token } = localWorkers();
  // The checkpoint the count took for the split (undecoded until its size is asked for),
  // and the run time the coordinator had partitioned it by (wall time minus the run's offset,
  // known from the last progress report: the replay runs at speed 1).
  let split: Checkpoint | null = null;
  let splitAtRunMs = Number.NaN;
  let offsetMs = 0;
  try {
    const run = new CloudRun({
      ...largeStateRun("bench-scale-out-pause", { pool, token }, params, shape.untilMs),
      // Strategy none (the default): no checkpoints but the split's.
      scaleOuts: [{ operator: "count", index: 0, atMs: shape.splitAtMs, factor: 2 }],
      onProgress: (runMs) => {
        offsetMs = Date.now() - runMs;
      },
      onReply: (r) => {
        if (r.type !== "checkpointed" || r.instance !== COUNT || split !== null) return;
        split = r.checkpoint;
        splitAtRunMs = Date.now() - offsetMs;
      },
    });
    const s = await run.run();
    const so = s.scaleOuts[0];
    if (so === undefined || so.pausedAtMs === null || so.completedAtMs === null)
      throw new BenchFailure(
        `the scale out did not complete before the run ended (${shape.untilMs} ms)` +
          (so?.refused == null ? "" : `: refused, ${so.refused}`),
      );
    const cp = split as Checkpoint | null;
    if (cp === null) throw new BenchFailure("the count sent no checkpoint for the split");
    const rows = run.metricsRows();
    const queueBefore = peakQueue(rows, so.pausedAtMs - 10_000, so.pausedAtMs);
    const end = so.completedAtMs;
    const rise = rows.find(
      (r) =>
        r.timeS * 1000 > end &&
        r.timeS * 1000 <= end + BACKLOG_SHOWS_WITHIN_MS &&
        r.queueLength > queueBefore,
    );
    const drained = rise === undefined ? end : backlogDrainedAtMs(rows, so.pausedAtMs, rise.timeS * 1000);
    return {
      keys: cp.processing.size,
      pauseMs: end - so.pausedAtMs,
      totalMs: end - so.requestedAtMs,
      checkpointMs: splitAtRunMs - so.pausedAtMs,
      drainedMs: drained - end,
      peakQueue: peakQueue(rows, end, shape.untilMs),
      queueBefore,
    };
  } finally {
    await pool.shutdown();
  }
}

/** Run the scale-out pause benchmark on real local workers. */
export async function benchScaleOutPauseReal(quick: boolean): Promise<BenchResult[]> {
  const shape = quick ? QUICK : FULL;
  const small = await scaleOutOf(SMALL);
  const large = await scaleOutOf(shape);
  const what = `count holding ${large.keys} keys, ${shape.vocabularySize} words, 4 local workers`;
  return [
    {
      name: `keys held by the split count (its checkpoint for the split, at ${shape.splitAtMs / 1000} s)`,
      value: large.keys,
      unit: "keys",
    },
    {
      name: `pause: upstreams hold their output, checkpoint, partition, restore (${what})`,
      value: large.pauseMs,
      unit: "ms",
      baseline: { name: `the same with ${small.keys} keys`, value: small.pauseMs, unit: "ms" },
    },
    {
      name: `pause -> the split's checkpoint at the coordinator, partitioned (${what})`,
      value: large.checkpointMs,
      unit: "ms",
      baseline: { name: `the same with ${small.keys} keys`, value: small.checkpointMs, unit: "ms" },
    },
    {
      name: `partitioned -> upstreams resumed: parts sent and restored, new sender added (${what})`,
      value: large.pauseMs - large.checkpointMs,
      unit: "ms",
      baseline: {
        name: `the same with ${small.keys} keys`,
        value: small.pauseMs - small.checkpointMs,
        unit: "ms",
      },
    },
    {
      name: `scale out from the request (worker prestarted in the pool) (${what})`,
      value: large.totalMs,
      unit: "ms",
      baseline: { name: `the same with ${small.keys} keys`, value: small.totalMs, unit: "ms" },
    },
    {
      name: `end of the pause -> backlog drained (queued tuples back to their most in the 10 s before the pause, ${large.queueBefore}; most after it ${large.peakQueue}) (${what})`,
      value: large.drainedMs,
      unit: "ms",
      baseline: { name: `the same with ${small.keys} keys`, value: small.drainedMs, unit: "ms" },
    },
  ];
}
