// Benchmark: R+SM recovery on real local workers of an instance holding a large state.
// A word count over a vocabulary of a million words (uniform, 20 words a line, 40k words/s,
// windows longer than the run so that every word seen stays in state) runs on 4 local
// workers with the count (one instance) alone on worker 3; worker 3 is SIGKILLed once the
// count holds most of the vocabulary, and the count is restored on the standby worker
// from the backup its upstream holds. Figures: the state the killed instance held (its
// last checkpoint), failure -> detection, detection -> restored (every replacement
// restored and started) and detection -> caught up. The windows emit nothing before the
// end, so caught up is not the latency criterion of summary.json here: it is when the
// restored count has drained its backlog, read from its own work (heartbeats every 100 ms
// carry its running total of tuples processed): once it processes at twice its rate before
// the failure or more (the replay arriving), the end of the first heartbeat interval back at
// 1.25 times that rate or less (measure/backlogDrained.ts processingDrainedAtMs). The
// workers' queues alone do not show it: much of the backlog waits in the splits' buffers,
// held for flow-control credit, and the count's inbox is short even mid-drain. Baseline:
// decoding the same checkpoint in one process, warm, without transfer. The count's
// checkpoints stay on its worker (backups go worker to worker), so the benchmark pulls each
// one to itself as it is named (16 MB every 10 s, beside the holder's fetch) to have the
// bytes of the last one before the kill.

import { CheckpointPulls } from "../cloud/checkpointPulls.js";
import { CloudRun } from "../cloud/cloudRun.js";
import type { Checkpoint } from "../engine/index.js";
import {
  type ProcessedSample,
  processingDrainedAtMs,
  rateBefore,
  rateOf,
} from "../measure/backlogDrained.js";
import { nowMs } from "../measure/clock.js";
import { largeStateParams, largeStateRun } from "../measure/largeStateWordCount.js";
import { localWorkers } from "../measure/localWorkers.js";
import { BenchFailure, type BenchResult } from "./benchResult.js";

/** The count instance of the plan (source 0, splits 1-2, count 3, sink 4) and its worker. */
const COUNT = 3;
const COUNT_WORKER = 3;

interface Shape {
  readonly vocabularySize: number;
  readonly killAtMs: number;
  readonly untilMs: number;
  readonly checkpointIntervalMs: number;
}

// The 3.2M words drawn by the last checkpoint before the kill (80 s) hold about 96% of the
// vocabulary of a million, so the instance restored holds close to a million keys.
const FULL: Shape = {
  vocabularySize: 1_000_000,
  killAtMs: 85_000,
  untilMs: 110_000,
  checkpointIntervalMs: 10_000,
};
const QUICK: Shape = {
  vocabularySize: 300_000,
  killAtMs: 15_000,
  untilMs: 30_000,
  checkpointIntervalMs: 5_000,
};

/** Run the R+SM recovery benchmark. */
export async function benchRsmRecoveryReal(quick: boolean): Promise<BenchResult[]> {
  const shape = quick ? QUICK : FULL;
  const params = largeStateParams(shape.vocabularySize, shape.untilMs);
  const { pool, token } = localWorkers();
  const pulls = new CheckpointPulls(token, undefined);
  // The count's last checkpoint when its worker was found dead: the state it held.
  let last: Checkpoint | null = null;
  let held: Checkpoint | null = null;
  // The count's running totals of tuples processed, per incarnation, as heartbeats found them.
  const processed = new Map<number, ProcessedSample[]>();
  try {
    const run = new CloudRun({
      ...largeStateRun("bench-rsm-recovery", { pool, token }, params, shape.untilMs),
      // Queue lengths come with the heartbeats: every 100 ms (not 500) into 100 ms metrics
      // rows, so that the drain is seen to a tenth of a second.
      heartbeatMs: 100,
      metricsIntervalMs: 100,
      faultTolerance: {
        strategy: "rsm",
        checkpointIntervalMs: shape.checkpointIntervalMs,
        backupPlacement: "upstream",
      },
      kills: [{ worker: COUNT_WORKER, atMs: shape.killAtMs }],
      // Kept undecoded (the coordinator never decodes a checkpoint's state): measured after.
      onReply: (r) => {
        if (r.type !== "checkpointed" || r.instance !== COUNT) return;
        last = r.checkpoint;
        pulls.keep(r.checkpoint);
      },
      onFailure: () => {
        held ??= last;
      },
      onInstanceStats: (stats, atMs) => {
        for (const st of stats) {
          if (st.instance !== COUNT) continue;
          const samples = processed.get(st.incarnation) ?? [];
          samples.push({ atMs, processed: st.processedTuples });
          processed.set(st.incarnation, samples);
        }
      },
    });
    const s = await run.run();
    const rec = s.recoveries[0];
    if (rec === undefined || rec.restoredAtMs === null)
      throw new BenchFailure(
        `the run recorded no completed recovery (${s.failures.length} workers failed, ${s.recoveries.length} recoveries, ` +
          `the run ended at ${s.simulatedSeconds} s${s.stalled ? ", stalled" : ""}): on a busy machine the kill at ${shape.killAtMs} ms may come too late for the recovery to finish before ${shape.untilMs} ms`,
      );
    const cp = held as Checkpoint | null;
    if (cp === null) throw new BenchFailure("the count had taken no checkpoint when its worker was killed");
    try {
      await pulls.pull(cp);
    } catch (e) {
      throw new BenchFailure(
        `the count's last checkpoint could not be pulled from its worker: ${(e as Error).message}`,
      );
    }
    const t0 = nowMs();
    const keys = cp.processing.size;
    const decodeMs = nowMs() - t0;
    // The lost incarnation is the first the count had, its replacement the last.
    const incarnations = [...processed.keys()].sort((a, b) => a - b);
    const lost = processed.get(incarnations[0]) ?? [];
    const replacement = incarnations.length < 2 ? [] : processed.get(incarnations.at(-1)!)!;
    const drained = processingDrainedAtMs(lost, replacement, rec.failedAtMs, rec.restoredAtMs);
    if (Number.isNaN(drained))
      throw new BenchFailure(
        `the restored count was not seen to drain its backlog (heartbeats of ${incarnations.length} incarnations of it): the run may have ended first`,
      );
    const restoredAtMs = rec.restoredAtMs;
    const draining = replacement.filter((x) => x.atMs >= restoredAtMs && x.atMs <= drained);
    const what = `count holding ${keys} keys, ${shape.vocabularySize} words, 4 local workers`;
    const target = "under 500 ms at 1M keys on a quiet machine, under 1.5 s with two busy loops beside";
    return [
      {
        name: `keys held by the killed instance (its last checkpoint before the kill)`,
        value: keys,
        unit: "keys",
      },
      { name: `failure -> detection (${what})`, value: rec.detectedAtMs - rec.failedAtMs, unit: "ms" },
      {
        name: `detection -> restored (${what})`,
        value: rec.restoredAtMs - rec.detectedAtMs,
        unit: "ms",
        baseline: { name: "decoding that checkpoint in one process", value: decodeMs, unit: "ms" },
      },
      {
        name: "the count's rate before the failure (5 s; caught up is back at 1.25 times it)",
        value: rateBefore(lost, rec.failedAtMs) * 1000,
        unit: "tuples/s",
      },
      {
        name: "the restored count's rate, restored -> caught up (replay and backlog)",
        value: rateOf(draining) * 1000,
        unit: "tuples/s",
      },
      {
        name: `detection -> caught up, backlog drained (${what})`,
        value: drained - rec.detectedAtMs,
        unit: "ms",
        target,
      },
    ];
  } finally {
    pulls.close();
    await pool.shutdown();
  }
}
