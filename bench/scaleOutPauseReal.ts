// Benchmark: the pause a live scale out causes, on real local workers, for a count holding
// about a million keys (the real counterpart of scale-out-pause, in the simulator). A word
// count over a vocabulary of a million words (uniform, 20 words a line, 40k words/s, windows
// longer than the run so that every word seen stays in state) runs on 4 local `seep
// worker` processes with one count instance, under rsm (a checkpoint every 10 s, backups
// upstream), and the count is split in two at 85 s with live state transfer
// (engine/elasticity/liveScaleOut.ts) onto workers prestarted in the pool. Figures: the
// keys it held (the checkpoint it took for the split), the request to that checkpoint at
// the coordinator, the pause (the hand-over alone: from the upstreams holding their output
// to their resuming), and the whole scale out (from the request to the hand-over's end).
// Baseline: the same scale out with a
// vocabulary of a thousand words, in the same benchmark run (split at 10 s: the thousand
// words are all seen within a second). The windows emit nothing before the end, so output
// latency cannot show the pause; in its place, the backlog: the upstreams hold their output
// during the pause (not counted in the workers' queues) and let it go on resuming, so the
// queues rise a heartbeat or two after the pause ends. Drained is the end of the first
// metrics interval (250 ms) after that rise whose queued tuples are back to their most in
// the 10 s before the pause (0 when they never rise above it within 5 s of the pause).

import { CloudRun } from "../cloud/cloudRun.js";
import { remoteEntriesOf } from "../cloud/remoteCheckpoint.js";
import type { Checkpoint, MetricsRow } from "../engine/index.js";
import { backlogDrainedAtMs, queueLevelBefore } from "../measure/backlogDrained.js";
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
// A stopping split of that count paused it for 5-22 s on a 2-core machine (objects per key,
// strategy none): the run goes on 40 s after the request, room for a slow live split.
const FULL: Shape = { vocabularySize: 1_000_000, splitAtMs: 85_000, untilMs: 125_000 };
const QUICK: Shape = { vocabularySize: 300_000, splitAtMs: 15_000, untilMs: 30_000 };
/** The baseline: a thousand words, all seen long before the split. */
const SMALL: Shape = { vocabularySize: 1_000, splitAtMs: 10_000, untilMs: 20_000 };
interface ScaleOutFigures {
  /** Keys in the checkpoint the count took for the split. */
  readonly keys: number;
  readonly pauseMs: number;
  readonly totalMs: number;
  /** From the request until the coordinator has the split's checkpoint (handleReply runs before onReply). */
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
  // The count's checkpoints (undecoded until a size is asked for) and the run time each
  // reached the coordinator (wall time minus the run's offset, known from the last progress
  // report: the replay runs at speed 1); the split's is the first after the request.
  const checkpoints: { cp: Checkpoint; atRunMs: number }[] = [];
  let offsetMs = 0;
  try {
    const run = new CloudRun({
      ...largeStateRun("bench-scale-out-pause", { pool, token }, params, shape.untilMs),
      faultTolerance: { strategy: "rsm", checkpointIntervalMs: 10_000, backupPlacement: "upstream" },
      stateTransfer: "live",
      scaleOuts: [{ operator: "count", index: 0, atMs: shape.splitAtMs, factor: 2 }],
      onProgress: (runMs) => {
        offsetMs = Date.now() - runMs;
      },
      onReply: (r) => {
        if (r.type === "checkpointed" && r.instance === COUNT)
          checkpoints.push({ cp: r.checkpoint, atRunMs: Date.now() - offsetMs });
      },
    });
    const s = await run.run();
    const so = s.scaleOuts[0];
    if (so === undefined || so.pausedAtMs === null || so.completedAtMs === null)
      throw new BenchFailure(
        `the scale out did not complete before the run ended (${shape.untilMs} ms)` +
          (so?.refused == null ? "" : `: refused, ${so.refused}`),
      );
    const split = checkpoints.find((c) => c.atRunMs >= so.requestedAtMs);
    if (split === undefined) throw new BenchFailure("the count sent no checkpoint for the split");
    const cp = split.cp;
    const rows = run.metricsRows();
    const queueBefore = queueLevelBefore(rows, so.pausedAtMs);
    const end = so.completedAtMs;
    const drained = backlogDrainedAtMs(rows, so.pausedAtMs, end);
    return {
      // Counted by its worker when it stayed there (the parts went worker to worker).
      keys: remoteEntriesOf(cp) ?? cp.processing.size,
      pauseMs: end - so.pausedAtMs,
      totalMs: end - so.requestedAtMs,
      checkpointMs: split.atRunMs - so.requestedAtMs,
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
      name: `pause: the hand-over, upstreams holding their output until they resume (live split under rsm, ${what})`,
      value: large.pauseMs,
      unit: "ms",
      baseline: { name: `the same with ${small.keys} keys`, value: small.pauseMs, unit: "ms" },
      target: "under 50 ms",
    },
    {
      name: `request -> the split's checkpoint at the coordinator, taken while the count runs (${what})`,
      value: large.checkpointMs,
      unit: "ms",
      baseline: { name: `the same with ${small.keys} keys`, value: small.checkpointMs, unit: "ms" },
    },
    {
      name: `request -> hand-over done: parts restored, caught up, upstreams resumed (worker prestarted in the pool) (${what})`,
      value: large.totalMs,
      unit: "ms",
      baseline: { name: `the same with ${small.keys} keys`, value: small.totalMs, unit: "ms" },
      target: "under 2 s",
    },
    {
      name: `end of the pause -> backlog drained (queued tuples back to their most in the 10 s before the pause, ${large.queueBefore}; most after it ${large.peakQueue}) (${what})`,
      value: large.drainedMs,
      unit: "ms",
      baseline: { name: `the same with ${small.keys} keys`, value: small.drainedMs, unit: "ms" },
    },
  ];
}
