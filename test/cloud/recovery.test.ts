// Recovery on real worker processes: a word count on 3 local workers whose worker is
// SIGKILLed mid-run gives, under rsm, exactly the output of the failure-free run (the
// simulator's and the in-process runtime's output digest), with the recovery recorded;
// under none the kill loses output. Every run goes to the end of its stream, however long
// a busy machine makes that take: nothing here depends on the machine's speed. Workers bind
// 127.0.0.1; every process started here is killed when its test ends.

import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CloudRun } from "../../cloud/cloudRun.js";
import type { FtStrategy } from "../../engine/index.js";
import { failureFree, localPools, wordCountOn } from "./localWordCount.js";

const localPool = localPools();

// 4 s of stream; the kill comes at 2 s, after three checkpoints of every instance.
const KILL_AT_MS = 2000;

/** A real run on 3 local workers under `strategy`, killing worker `worker` at KILL_AT_MS. */
async function killedRun(
  strategy: FtStrategy,
  worker: number,
  workers = 3,
  parallelRecovery = 1,
  replaySpeed = 2,
  outputTimesMs?: Set<number>,
) {
  const token = randomBytes(8).toString("hex");
  const pool = localPool(token);
  const run = new CloudRun({
    name: `kill-${strategy}-${worker}`,
    ...wordCountOn(pool, token, workers),
    // The stream twice as fast as real time: half the wall time; nothing asserted depends on it.
    replaySpeed,
    faultTolerance: { strategy, checkpointIntervalMs: 500, backupPlacement: "upstream", parallelRecovery },
    kills: [{ worker, atMs: KILL_AT_MS }],
    onOutput:
      outputTimesMs === undefined ? undefined : (o) => outputTimesMs.add(Math.round(o.timeMs * 1000) / 1000),
  });
  return run.run();
}

describe("recovery of a real run from a worker killed with SIGKILL", () => {
  const base = failureFree();

  // Worker 1 hosts split#1 and count#4 (whose backup an upstream split on worker 2 holds);
  // worker 0 hosts the source and count#3 (the source's checkpoints are in the store).
  for (const worker of [1, 0]) {
    it(`rsm: killing worker ${worker} mid-run gives exactly the failure-free output`, async () => {
      const outputTimesMs = new Set<number>();
      const s = await killedRun("rsm", worker, 3, 1, 2, outputTimesMs);
      expect(s.failures).toHaveLength(1);
      expect(s.failures[0].vm).toBe(worker);
      expect(s.failures[0].detectedVia).toBe("stream");
      expect(s.outputDigest).toBe(base.outputDigest);
      expect(s.tuplesOut).toBe(base.tuplesOut);
      expect(s.recoveries).toHaveLength(1);
      const r = s.recoveries[0];
      expect(r.instances).toEqual(s.failures[0].instances.map((i) => `${i.operator}#${i.id}`));
      expect(r.rolledBack).toEqual([]);
      // The kill's time is the failure's; a SIGKILLed worker's watch stream breaks (the
      // failure was detected "via stream", not by missed heartbeats).
      expect(r.failedAtMs).toBeGreaterThanOrEqual(KILL_AT_MS - 5);
      expect(r.detectedAtMs).toBeGreaterThanOrEqual(r.failedAtMs);
      expect(r.restoredAtMs).toBeGreaterThan(r.detectedAtMs);
      // Caught up is a latency criterion: on a loaded machine the output may not come back
      // within its margin before the stream ends (then null).
      if (r.caughtUpAtMs !== null) {
        expect(r.caughtUpAtMs).toBeGreaterThan(r.restoredAtMs!);
        expect(r.recoveryMs).toBe(Math.round((r.caughtUpAtMs - r.failedAtMs) * 1000) / 1000);
        // Taken from the outputs, at their own time (when the sink let them out, not when
        // their batch reached the coordinator): it is one of the outputs' times.
        expect(outputTimesMs.has(r.caughtUpAtMs)).toBe(true);
      }
      expect(s.vmsMax).toBe(3);
    });
  }

  it("rsm, parallel recovery: count#3, alone on worker 3 of 4, recovers onto 2 new workers with the failure-free output", async () => {
    // Recovered in parallel only from a backup, and only if the probe finds no output of
    // count#3 lost in flight before it; a busy machine can kill it before its first backup is
    // in, or with output unsent (then it is recovered as one, exactly too). So the stream is
    // replayed slower until the kill comes at a moment that allows it; every run is exact.
    for (const speed of [2, 1, 0.5]) {
      const s = await killedRun("rsm", 3, 4, 2, speed);
      expect(s.failures, `replayed at ${speed}x`).toHaveLength(1);
      expect(s.outputDigest, `replayed at ${speed}x`).toBe(base.outputDigest);
      expect(s.tuplesOut).toBe(base.tuplesOut);
      expect(s.recoveries[0].instances).toEqual(["count#3"]);
      expect(s.recoveries[0].restoredAtMs).toBeGreaterThan(s.recoveries[0].detectedAtMs);
      if (s.faultToleranceCounts!.parallelRecoveries === 1) return;
    }
    throw new Error("count#3 was never recovered in parallel, even replayed at 0.5x");
  });

  it("upstream-backup: killing worker 1 mid-run rebuilds its instances to their marks, with the failure-free output", async () => {
    const s = await killedRun("upstream-backup", 1);
    expect(s.failures).toHaveLength(1);
    expect(s.outputDigest).toBe(base.outputDigest);
    expect(s.tuplesOut).toBe(base.tuplesOut);
    expect(s.recoveries).toHaveLength(1);
    // Rebuilt from what their upstreams kept: nothing else restarts.
    expect(s.recoveries[0].rolledBack).toEqual([]);
    expect(s.faultToleranceCounts!.backups).toBeGreaterThan(0);
    expect(s.faultToleranceCounts!.rebuilds).toBeGreaterThan(0);
  });

  for (const strategy of ["source-replay", "global-snapshot"] as const) {
    it(`${strategy}: killing worker 1 mid-run gives exactly the failure-free output`, async () => {
      const s = await killedRun(strategy, 1);
      expect(s.failures).toHaveLength(1);
      expect(s.outputDigest).toBe(base.outputDigest);
      expect(s.tuplesOut).toBe(base.tuplesOut);
      expect(s.recoveries).toHaveLength(1);
      // Both roll back more than the lost instances (upstream, resp. downstream of them).
      expect(s.recoveries[0].rolledBack.length).toBeGreaterThan(s.recoveries[0].instances.length);
    });
  }

  it("none: the same kill loses output, and the run ends when no sink can end any more", async () => {
    // The run has no `untilMs`: it returns at all only because it saw that no sink could end.
    const s = await killedRun("none", 1);
    expect(s.failures).toHaveLength(1);
    expect(s.recoveries).toEqual([]);
    expect(s.tuplesOut).toBeLessThan(base.tuplesOut);
    expect(s.outputDigest).not.toBe(base.outputDigest);
    // Worker 1 held split#1 and count#4: sink#5, on worker 2, could not end; the run stalled.
    expect(s).toMatchObject({
      stalled: true,
      stoppedAtUntil: false,
      sinksNotEnded: ["sink#5"],
      sinksLost: [],
    });
    expect(s.stalledAtS).toBeGreaterThan(KILL_AT_MS / 1000);
  });
});
