// Scale out and migration on real worker processes: a word count on 3 local workers whose
// count instance 0 is split in two (or moved to another worker) mid-run gives, under none
// and rsm, exactly the output of the simulator's undisturbed run, with the scale out in
// summary.json and the new instance processing its share. A live one with its checkpoint
// left on the split instance's worker: the parts go worker to worker, the coordinator
// pulling nothing (none) or only behind them what it keeps (rsm), and a source worker lost
// as the parts are fetched gives the scale out up, the output still exact. Workers bind
// 127.0.0.1; every process started here is killed when its test ends.

import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CloudRun, ScaleOutError, type ScheduledScaleOut } from "../../cloud/cloudRun.js";
import { needsFetch } from "../../cloud/remoteCheckpoint.js";
import type { ControlReply, FtStrategy } from "../../engine/index.js";
import { everyCheckpointShelved } from "./checkpointFixtures.js";
import { failureFree, localPools, WORD_COUNT_PARAMS, wordCountOn } from "./localWordCount.js";

const localPool = localPools();

// 4 s of stream; the scale out comes at 1.5 s, after two checkpoints of every instance (rsm).
const params = WORD_COUNT_PARAMS;
const AT_MS = 1500;
// A live scale out starts its new workers, checkpoints, restores and catches up before the
// hand-over, while the stream goes on: if the stream ends first, nothing is handed over (the
// output is still exact). The live tests replay 10 s of stream twice as fast as real time,
// and on a machine too busy for the hand-over to come first, again at real time, half and a
// quarter of it, until it does: the outcome does not depend on the machine's speed.
const liveParams = { ...params, lines: 10_000 };
const LIVE_REPLAY_SPEEDS = [2, 1, 0.5, 0.25];

/** A real run on 3 local workers under `strategy` with `scaleOuts`; the replies it saw. */
async function scaledRun(
  strategy: FtStrategy,
  scaleOuts: ScheduledScaleOut[],
  stateTransfer: "pause" | "live" = "pause",
  p: typeof params = params,
  replaySpeed = 2,
  onReply: (r: ControlReply, run: CloudRun) => void = () => {},
) {
  const token = randomBytes(8).toString("hex");
  const pool = localPool(token);
  const replies: ControlReply[] = [];
  const run = new CloudRun({
    name: `scale-${strategy}`,
    ...wordCountOn(pool, token, 3, p),
    // By default the stream twice as fast as real time: half the wall time.
    replaySpeed,
    faultTolerance: { strategy, checkpointIntervalMs: 500, backupPlacement: "upstream" },
    scaleOuts,
    stateTransfer,
    onReply: (r) => {
      replies.push(r);
      onReply(r, run);
    },
  });
  const summary = await run.run();
  /** Tuples processed on the worker that hosts instance `id` at the end. */
  const processedOn = (id: number) => run.processedByWorker()[run.workerOf(id) ?? -1] ?? 0;
  return { summary, replies, processedOn, workerOf: (id: number) => run.workerOf(id), run };
}

describe("scale out of a real run on local workers", () => {
  const base = failureFree();

  for (const strategy of ["none", "rsm"] as const) {
    it(`${strategy}: splitting count#3 in two mid-run gives exactly the undisturbed output`, async () => {
      const {
        summary: s,
        replies,
        processedOn,
        workerOf,
      } = await scaledRun(strategy, [{ operator: "count", index: 0, atMs: AT_MS, factor: 2 }]);
      expect(s.failures).toEqual([]);
      expect(s.outputDigest).toBe(base.outputDigest);
      expect(s.tuplesOut).toBe(base.tuplesOut);
      expect(s.scaleOuts).toHaveLength(1);
      const so = s.scaleOuts[0];
      expect(so).toMatchObject({ kind: "scaleOut", operator: "count", instance: "count#3" });
      expect(so.instances).toEqual(["count#3", "count#6"]);
      expect(so.requestedAtMs).toBeGreaterThanOrEqual(AT_MS - 5);
      expect(so.pausedAtMs).toBeGreaterThanOrEqual(so.requestedAtMs);
      expect(so.completedAtMs).not.toBeNull();
      expect(so.completedAtMs!).toBeGreaterThan(so.pausedAtMs!);
      // The new instance took a worker of its own (3 workers, then 4), processed its share
      // of the words there and ended.
      expect(s.vmsMax).toBe(4);
      expect(workerOf(6)).toBeGreaterThanOrEqual(3);
      expect(processedOn(6)).toBeGreaterThan(0);
      expect(replies).toContainEqual({ type: "ended", instance: 6 });
      if (strategy === "rsm") {
        // It is checkpointed like the others once it runs.
        const cps = replies.filter((r) => r.type === "checkpointed" && r.instance === 6);
        expect(cps.length).toBeGreaterThan(0);
      }
    });
  }

  for (const strategy of ["none", "rsm"] as const) {
    it(`${strategy}: moving count#3 to another worker mid-run gives exactly the undisturbed output`, async () => {
      const {
        summary: s,
        processedOn,
        workerOf,
      } = await scaledRun(strategy, [{ operator: "count", index: 0, atMs: AT_MS, factor: 1 }]);
      expect(s.outputDigest).toBe(base.outputDigest);
      expect(s.tuplesOut).toBe(base.tuplesOut);
      expect(s.scaleOuts).toHaveLength(1);
      expect(s.scaleOuts[0]).toMatchObject({
        kind: "migration",
        instance: "count#3",
        instances: ["count#3"],
      });
      expect(s.scaleOuts[0].completedAtMs).not.toBeNull();
      // It runs on a worker of its own now (count#3 began on worker 0), and processed there.
      expect(workerOf(3)).toBeGreaterThanOrEqual(3);
      expect(processedOn(3)).toBeGreaterThan(0);
    });
  }

  const liveBase = failureFree(liveParams);
  for (const factor of [2, 1]) {
    it(`live: ${factor === 1 ? "moving" : "splitting"} count#3 mid-run: new instances on workers of their own take over, with exactly the undisturbed output`, async () => {
      let run: Awaited<ReturnType<typeof scaledRun>> | undefined;
      for (const speed of LIVE_REPLAY_SPEEDS) {
        run = await scaledRun(
          "none",
          [{ operator: "count", index: 0, atMs: AT_MS, factor }],
          "live",
          liveParams,
          speed,
        );
        // Exact on every attempt, handed over or not.
        expect(run.summary.failures).toEqual([]);
        expect(run.summary.outputDigest, `replayed at ${speed}x`).toBe(liveBase.outputDigest);
        expect(run.summary.tuplesOut).toBe(liveBase.tuplesOut);
        if (run.summary.scaleOuts[0]?.completedAtMs != null) break;
      }
      const { summary: s, replies, processedOn, workerOf } = run!;
      const [so] = s.scaleOuts;
      expect(
        so.completedAtMs,
        `not handed over before the stream ended, even at ${LIVE_REPLAY_SPEEDS.at(-1)}x`,
      ).not.toBeNull();
      expect(so.instances).toHaveLength(factor);
      // count#3 retired at the hand-over; each new instance ran on a worker of its own.
      expect(replies.some((r) => r.type === "retired" && r.instance === 3)).toBe(true);
      expect(replies.filter((r) => r.type === "caughtUp")).toHaveLength(factor);
      for (const name of so.instances) {
        const id = Number(name.split("#")[1]);
        expect(workerOf(id)).toBeGreaterThanOrEqual(3);
        expect(processedOn(id)).toBeGreaterThan(0);
      }
    });
  }

  it("refuses a scale out of an operator the plan does not have", () => {
    const pool = localPool("t");
    const options = {
      name: "refused",
      ...wordCountOn(pool, "t", 2),
    };
    expect(
      () => new CloudRun({ ...options, scaleOuts: [{ operator: "nope", index: 0, atMs: 0, factor: 2 }] }),
    ).toThrow(ScaleOutError);
  });
});

describe("a live scale out of a real run whose checkpoint stays on the split instance's worker", () => {
  everyCheckpointShelved();
  const liveBase = failureFree(liveParams);
  /** The live split of count#3 under `strategy`, replayed slower until it is handed over. */
  async function liveSplit(strategy: FtStrategy) {
    let run: Awaited<ReturnType<typeof scaledRun>> | undefined;
    const snapshots: boolean[] = [];
    for (const speed of LIVE_REPLAY_SPEEDS) {
      run = await scaledRun(
        strategy,
        [{ operator: "count", index: 0, atMs: AT_MS, factor: 2 }],
        "live",
        liveParams,
        speed,
        (r) => {
          if (r.type === "checkpointed" && r.checkpoint.id < 0) snapshots.push(needsFetch(r.checkpoint));
        },
      );
      expect(run.summary.outputDigest, `replayed at ${speed}x`).toBe(liveBase.outputDigest);
      expect(run.summary.tuplesOut).toBe(liveBase.tuplesOut);
      if (run.summary.scaleOuts[0]?.completedAtMs != null) break;
    }
    expect(
      run!.summary.scaleOuts[0]?.completedAtMs,
      "not handed over, even at the slowest replay",
    ).not.toBeNull();
    // The snapshot reached the engine by reference, its bytes not here.
    expect(snapshots.length).toBeGreaterThan(0);
    expect(snapshots.every((remote) => remote)).toBe(true);
    return run!;
  }

  it("none: splits count#3 with exactly the undisturbed output, the coordinator pulling no byte of any checkpoint", async () => {
    const { summary: s, run, workerOf, processedOn } = await liveSplit("none");
    expect(s.failures).toEqual([]);
    const bytes = run.checkpointBytes;
    expect(bytes.byReference).toBeGreaterThan(0);
    expect(bytes.inline).toBe(0);
    expect(bytes.pulled).toBe(0);
    for (const name of s.scaleOuts[0].instances) {
      const id = Number(name.split("#")[1]);
      expect(workerOf(id)).toBeGreaterThanOrEqual(3);
      expect(processedOn(id)).toBeGreaterThan(0);
    }
  });

  it("rsm: splits count#3 with exactly the undisturbed output, the parts going worker to worker", async () => {
    const { summary: s, replies } = await liveSplit("rsm");
    expect(s.failures).toEqual([]);
    // The new instances were restored from their parts, fetched from count#3's worker.
    expect(
      replies.filter(
        (r) => r.type === "restored" && s.scaleOuts[0].instances.includes(`count#${r.instance}`),
      ),
    ).toHaveLength(2);
  });

  /** The live split under rsm at real time, the worker of the instance `victim(reply)` names killed once (at that reply). */
  async function liveSplitKilling(victim: (r: ControlReply) => number | null) {
    let killed: number | null = null;
    const { summary } = await scaledRun(
      "rsm",
      [{ operator: "count", index: 0, atMs: AT_MS, factor: 2 }],
      "live",
      liveParams,
      1,
      (r, run) => {
        if (killed !== null) return;
        killed = victim(r);
        if (killed !== null) run.kill(run.workerOf(killed)!);
      },
    );
    expect(summary.outputDigest).toBe(liveBase.outputDigest);
    expect(summary.tuplesOut).toBe(liveBase.tuplesOut);
    expect(summary.failures).toHaveLength(1);
    return { summary, killed: killed as number | null };
  }

  it("rsm: recovers a new instance lost at the take-over (from its part with the cut, or a later backup), the output still exact", async () => {
    // Before its first checkpoint: its backup is its part with X's cut, left on count#3's worker.
    const { summary: s, killed } = await liveSplitKilling((r) =>
      r.type === "takenOver" ? r.instance : null,
    );
    expect(killed).toBeGreaterThan(5);
    expect(s.recoveries.length).toBeGreaterThan(0);
  });

  it("rsm: gives the split up when count#3's worker is lost as its parts are fetched, the output still exact", async () => {
    // The snapshot named by reference: its worker goes before a new instance can fetch its part.
    const snapshot = (r: ControlReply) =>
      r.type === "checkpointed" && r.checkpoint.id < 0 && r.instance === 3;
    const { summary: s, killed } = await liveSplitKilling((r) => (snapshot(r) ? 3 : null));
    expect(killed).toBe(3);
    expect(s.scaleOuts[0].completedAtMs).toBeNull();
  });
});
