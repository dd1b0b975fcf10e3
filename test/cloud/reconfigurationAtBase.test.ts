// Reconfigurations at a quiescent base on real worker processes (issue 17): under
// upstream-backup, global-snapshot and source-replay each scale out, migration and scale in
// begins at a base of the whole plan (engine/reconfiguration/quiescentBase.ts), as in the
// simulator. A word count on 3 local workers whose count#3 is split in two (or count#4
// merged into it) mid-run gives exactly the output of the simulator's failure-free run,
// and so does one whose new instance's worker is SIGKILLed once the reconfiguration is
// over: the recovery restarts from the base (or, under upstream-backup, rebuilds from it).
// Workers bind 127.0.0.1; every process started here is killed when its test ends.
//
// Placement (3 workers, parallelism 2): worker 0 hosts source#0 and count#3, worker 1
// split#1 and count#4, worker 2 split#2 and sink#5; the split's count#6 takes worker 3.

import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CloudRun, type ScheduledScaleIn, type ScheduledScaleOut } from "../../cloud/cloudRun.js";
import type { ControlReply, FtStrategy } from "../../engine/index.js";
import { failureFree, localPools, wordCountOn } from "./localWordCount.js";

const localPool = localPools();

// 4 s of stream; the reconfiguration comes at 1.5 s, after two intervals of every strategy.
const AT_MS = 1500;
/** Run time after which a run is stopped (and fails): 7.5 times the stream. */
const UNTIL_MS = 30_000;
/** Replay speeds tried in turn until a kill lands before the stream ends. */
const SPEEDS = [2, 1, 0.5];

interface Scenario {
  readonly strategy: FtStrategy;
  readonly scaleOuts?: readonly ScheduledScaleOut[];
  readonly scaleIns?: readonly ScheduledScaleIn[];
  /** The worker to kill on a reply (null: not on this one). */
  readonly killOn?: (reply: ControlReply, run: CloudRun) => number | null;
}

/** A real run on 3 local workers; the replies it saw and the kill, if it came. */
async function realRun(scenario: Scenario, replaySpeed: number) {
  const token = randomBytes(8).toString("hex");
  const pool = localPool(token);
  const replies: ControlReply[] = [];
  let killed: number | null = null;
  const run: CloudRun = new CloudRun({
    name: `base-${scenario.strategy}`,
    ...wordCountOn(pool, token),
    replaySpeed,
    untilMs: UNTIL_MS,
    faultTolerance: { strategy: scenario.strategy, checkpointIntervalMs: 500, backupPlacement: "upstream" },
    prewarmedWorkers: scenario.killOn === undefined ? 0 : 1,
    scaleOuts: scenario.scaleOuts,
    scaleIns: scenario.scaleIns,
    onReply: (r) => {
      replies.push(r);
      if (killed !== null || scenario.killOn === undefined) return;
      const worker = scenario.killOn(r, run);
      if (worker === null) return;
      killed = worker;
      run.kill(worker);
    },
  });
  const summary = await run.run();
  return { summary, replies, killed: killed as number | null };
}

/**
 * `scenario` at each replay speed in turn until its kill (if any) lands and is recovered
 * before the run ends; every run ends by itself with exactly the failure-free output.
 */
async function exact(scenario: Scenario, base: ReturnType<typeof failureFree>) {
  for (const speed of SPEEDS) {
    const r = await realRun(scenario, speed);
    const s = r.summary;
    const at = `${scenario.strategy}, replayed at ${speed}x`;
    expect(s.stalled, `${at}: stalled`).toBe(false);
    expect(s.stoppedAtUntil, `${at}: not over at ${UNTIL_MS} ms`).toBe(false);
    expect(s.outputDigest, at).toBe(base.outputDigest);
    expect(s.tuplesOut, at).toBe(base.tuplesOut);
    for (const so of s.scaleOuts) expect(so.refused, at).toBeNull();
    if (scenario.killOn === undefined) return r;
    if (r.killed !== null && s.recoveries.some((x) => x.restoredAtMs !== null)) return r;
  }
  throw new Error(`${scenario.strategy}: the kill never came in time, even at ${SPEEDS.at(-1)}x`);
}

/**
 * The reply of count#6, the split's new instance, on which its worker is killed: its first
 * mark (upstream-backup) or snapshot part (global-snapshot) after the base, so that the
 * recovery rebuilds or restores from what followed it; under source-replay, which takes
 * nothing periodic, its restore from its part, once the scale out is past its cut.
 */
const KILL_ON: Record<string, ControlReply["type"]> = {
  "upstream-backup": "checkpointed",
  "global-snapshot": "checkpointed",
  "source-replay": "restored",
};
const killNewInstance = (strategy: string) => (r: ControlReply, run: CloudRun) =>
  r.type === KILL_ON[strategy] && r.instance === 6 ? (run.workerOf(6) ?? null) : null;

describe("reconfigurations at a quiescent base on real workers", () => {
  const base = failureFree();
  const split: ScheduledScaleOut[] = [{ operator: "count", index: 0, atMs: AT_MS, factor: 2 }];

  for (const strategy of ["upstream-backup", "global-snapshot", "source-replay"] as const) {
    it(`${strategy}: a split of count#3, and a kill of its new instance's worker (on its ${KILL_ON[strategy]} reply), ends exact`, async () => {
      const { summary: s, killed } = await exact(
        { strategy, scaleOuts: split, killOn: killNewInstance(strategy) },
        base,
      );
      expect(s.scaleOuts[0]).toMatchObject({ kind: "scaleOut", instances: ["count#3", "count#6"] });
      expect(s.scaleOuts[0].completedAtMs).not.toBeNull();
      expect(killed).toBeGreaterThanOrEqual(3);
      expect(s.recoveries[0].instances).toContain("count#6");
      // Under upstream-backup count#6 is rebuilt to its mark from the base, over the wire.
      if (strategy === "upstream-backup") expect(s.faultToleranceCounts?.rebuilds).toBeGreaterThanOrEqual(1);
    });
  }

  it("upstream-backup: merging count#4 into count#3 gives exactly the undisturbed output", async () => {
    const { summary: s } = await exact(
      { strategy: "upstream-backup", scaleIns: [{ operator: "count", index: 0, atMs: AT_MS }] },
      base,
    );
    expect(s.scaleOuts[0]).toMatchObject({ kind: "scaleIn", instances: ["count#3", "count#4"] });
    expect(s.scaleOuts[0].completedAtMs).not.toBeNull();
  });
});
