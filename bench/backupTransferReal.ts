// Benchmark: an rsm backup of a large keyed state on real local workers, through the
// coordinator (before: every checkpoint inline in its checkpointed reply, relayed in the
// backup) and worker to worker (after: the checkpoint left on its worker's shelf, the
// holder fetching it; cloud/checkpointFetch.ts), side by side, alternating, on the same
// stream. A word count over a large vocabulary (measure/largeStateWordCount.ts) runs on 4
// local workers with the count alone on worker 3, checkpointing every interval; its holder
// is a split on another worker. Figures per run, over the count's last checkpoints (the
// largest): checkpointed -> backedUp as the coordinator sees them (before, the transfer to
// the coordinator comes ahead of "checkpointed"), the round's first reply (any instance's:
// about when the round was asked) -> the count's backedUp, and the checkpoint bytes the
// coordinator received per interval. The machine's 1-minute load average is printed at the
// start and end of each run: a busy machine slows both ways.

import { loadavg } from "node:os";
import { CHECKPOINT_INLINE_ENV } from "../cloud/checkpointShelf.js";
import { CloudRun } from "../cloud/cloudRun.js";
import { remoteEntriesOf } from "../cloud/remoteCheckpoint.js";
import type { Checkpoint } from "../engine/index.js";
import { largeStateParams, largeStateRun } from "../measure/largeStateWordCount.js";
import { localWorkers } from "../measure/localWorkers.js";
import { median } from "../measure/statistics.js";
import { BenchFailure, type BenchResult } from "./benchResult.js";

/** The count instance of the plan (source 0, splits 1-2, count 3, sink 4), of 5. */
const COUNT = 3;
const INSTANCES = 5;

interface Shape {
  readonly vocabularySize: number;
  readonly untilMs: number;
  readonly checkpointIntervalMs: number;
  /** The count's last this many backups are measured. */
  readonly last: number;
  /** Runs of each way, alternating. */
  readonly pairs: number;
}

// 3.2M words by 80 s hold about 96% of a million words: the last backups are of ~1M keys.
const FULL: Shape = {
  vocabularySize: 1_000_000,
  untilMs: 90_000,
  checkpointIntervalMs: 10_000,
  last: 2,
  pairs: 1,
};
const QUICK: Shape = {
  vocabularySize: 300_000,
  untilMs: 30_000,
  checkpointIntervalMs: 5_000,
  last: 2,
  pairs: 1,
};

/** One run's figures. */
interface Transfer {
  readonly backupMs: number[];
  readonly roundMs: number[];
  readonly keys: number;
  readonly coordinatorBytesPerInterval: number;
  readonly load: string;
}

/** A run with every checkpoint inline (`inline`: through the coordinator) or left on the workers. */
async function backups(shape: Shape, inline: boolean): Promise<Transfer> {
  const params = largeStateParams(shape.vocabularySize, shape.untilMs);
  const before = process.env[CHECKPOINT_INLINE_ENV];
  // The workers read it as they start (they inherit this environment).
  if (inline) process.env[CHECKPOINT_INLINE_ENV] = String(Number.MAX_SAFE_INTEGER);
  else delete process.env[CHECKPOINT_INLINE_ENV];
  const { pool, token } = localWorkers();
  const load0 = loadavg()[0];
  // Every checkpointed reply's arrival, by checkpoint id: a round asks each instance in
  // turn, so the ids of the count's round lie within the number of instances of its own.
  const replyAt = new Map<number, number>();
  const rounds: { backupMs: number; roundMs: number; cp: Checkpoint }[] = [];
  const countCps = new Map<number, Checkpoint>();
  try {
    const run = new CloudRun({
      ...largeStateRun(`bench-backup-${inline ? "inline" : "w2w"}`, { pool, token }, params, shape.untilMs),
      faultTolerance: {
        strategy: "rsm",
        checkpointIntervalMs: shape.checkpointIntervalMs,
        backupPlacement: "upstream",
      },
      onReply: (r) => {
        const now = performance.now();
        if (r.type === "checkpointed") {
          replyAt.set(r.checkpoint.id, now);
          if (r.instance === COUNT) countCps.set(r.checkpoint.id, r.checkpoint);
          return;
        }
        if (r.type !== "backedUp" || r.instance !== COUNT) return;
        const cp = countCps.get(r.checkpointId);
        const at = replyAt.get(r.checkpointId);
        if (cp === undefined || at === undefined) return;
        let first = at;
        for (let id = r.checkpointId - INSTANCES + 1; id < r.checkpointId + INSTANCES; id++)
          first = Math.min(first, replyAt.get(id) ?? first);
        rounds.push({ backupMs: now - at, roundMs: now - first, cp });
      },
    });
    const s = await run.run();
    const measured = rounds.slice(-shape.last);
    if (measured.length === 0)
      throw new BenchFailure(
        `the count's checkpoints were never backed up (${inline ? "inline" : "worker to worker"}, the run ended at ${s.simulatedSeconds} s): a machine too busy to checkpoint a large state within ${shape.untilMs} ms`,
      );
    const b = run.checkpointBytes;
    const intervals = Math.max(1, Math.floor(shape.untilMs / shape.checkpointIntervalMs));
    const lastCp = measured[measured.length - 1].cp;
    return {
      backupMs: measured.map((m) => m.backupMs),
      roundMs: measured.map((m) => m.roundMs),
      // Counted by its worker when it was left there; decoded here (after the run) when it came inline.
      keys: remoteEntriesOf(lastCp) ?? lastCp.processing.size,
      coordinatorBytesPerInterval: (b.inline + b.pulled) / intervals,
      load: `load ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}`,
    };
  } finally {
    if (before === undefined) delete process.env[CHECKPOINT_INLINE_ENV];
    else process.env[CHECKPOINT_INLINE_ENV] = before;
    await pool.shutdown();
  }
}

/** Run the backup-transfer benchmark: through the coordinator and worker to worker, alternating. */
export async function benchBackupTransferReal(quick: boolean): Promise<BenchResult[]> {
  const shape = quick ? QUICK : FULL;
  const inline: Transfer[] = [];
  const w2w: Transfer[] = [];
  for (let i = 0; i < shape.pairs; i++) {
    w2w.push(await backups(shape, false));
    inline.push(await backups(shape, true));
  }
  const all = (ts: Transfer[], f: (t: Transfer) => number[]) => ts.flatMap(f);
  const keys = Math.max(...w2w.map((t) => t.keys), ...inline.map((t) => t.keys));
  const what = `count of ~${keys} keys, ${shape.vocabularySize} words, 4 local workers; ${[...w2w, ...inline].map((t) => t.load).join(", ")}`;
  return [
    {
      name: `checkpointed -> backedUp, worker to worker (median of the count's last ${shape.last} per run; ${what})`,
      value: median(all(w2w, (t) => t.backupMs)),
      unit: "ms",
      baseline: {
        name: "through the coordinator",
        value: median(all(inline, (t) => t.backupMs)),
        unit: "ms",
      },
    },
    {
      name: `round's first reply -> the count's backedUp, worker to worker (${what})`,
      value: median(all(w2w, (t) => t.roundMs)),
      unit: "ms",
      baseline: { name: "through the coordinator", value: median(all(inline, (t) => t.roundMs)), unit: "ms" },
    },
    {
      name: "checkpoint bytes the coordinator received per interval, worker to worker",
      value: median(w2w.map((t) => t.coordinatorBytesPerInterval)),
      unit: "bytes",
      baseline: {
        name: "through the coordinator",
        value: median(inline.map((t) => t.coordinatorBytesPerInterval)),
        unit: "bytes",
      },
    },
  ];
}
