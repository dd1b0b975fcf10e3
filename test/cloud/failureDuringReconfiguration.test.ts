// A worker killed during a reconfiguration of a real run under rsm: a word count on 3 local
// workers whose count#3 is split live (or into which count#4 is merged) mid-run, with a
// worker SIGKILLed at a chosen step of it, gives exactly the output of the simulator's
// failure-free run. The kill comes on a reply the run sees (a new instance restored, the
// retiring instance retired and lingering), so that it lands in that step however fast the
// machine is; a run whose stream ended before the step came (or ended before the failure
// was recovered) is run again slower, and one that never gets there fails, as does a run
// that stalls (it is stopped at a bound far past the stream's end). Last, the plan a worker
// builds a fresh instance with, which those recoveries rely on. Workers bind 127.0.0.1;
// every process started here is killed when its test ends.
//
// Placement (3 workers, parallelism 2): worker 0 hosts source#0 and count#3, worker 1
// split#1 and count#4, worker 2 split#2 and sink#5; workers 3 and up join the run later
// (the standby, then workers from the pool).

import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  CloudRun,
  type CloudRunOptions,
  type ScheduledScaleIn,
  type ScheduledScaleOut,
} from "../../cloud/cloudRun.js";
import { buildingPlan } from "../../cloud/workerRuntime.js";
import {
  type ControlReply,
  type FtStrategy,
  instancesOf,
  KeyGroupRange,
  physicalPlan,
  withInstances,
} from "../../engine/index.js";
import { workloadPlan } from "../../workloads/index.js";
import { failureFree, localPools, WORD_COUNT_PARAMS, wordCountOn } from "./localWordCount.js";

const localPool = localPools();

// 4 s of stream; the reconfiguration comes at 1.5 s, after two checkpoints of every instance.
const params = WORD_COUNT_PARAMS;
const AT_MS = 1500;
/** Run time after which a run is stopped (and fails): 7.5 times the stream. */
const UNTIL_MS = 30_000;
// Replay speeds tried in turn until the kill lands: a scale in retires its instance within
// milliseconds; a live scale out first starts, restores and catches up its new instances
// while the stream goes on, so it begins at real time.
const MERGE_SPEEDS = [2, 1, 0.5];
const LIVE_SPEEDS = [1, 0.5, 0.25];

/** What a test reconfigures, and which worker it kills on which reply (null: not on this one). */
interface Scenario {
  readonly scaleOuts?: readonly ScheduledScaleOut[];
  readonly scaleIns?: readonly ScheduledScaleIn[];
  readonly stateTransfer?: CloudRunOptions["stateTransfer"];
  /** The fault-tolerance strategy (rsm when not given). */
  readonly strategy?: FtStrategy;
  /** Workers started ahead in the pool (a live split takes one beside the standby). */
  readonly prewarmedWorkers: number;
  readonly speeds: readonly number[];
  readonly killOn: (reply: ControlReply, run: CloudRun) => number | null;
}

/** A real run on 3 local workers (under rsm unless said), killing one worker on the first reply `killOn` picks. */
async function killedDuring(scenario: Scenario, replaySpeed: number) {
  const token = randomBytes(8).toString("hex");
  const pool = localPool(token);
  const replies: ControlReply[] = [];
  let killed: { worker: number; reply: ControlReply } | null = null;
  const run: CloudRun = new CloudRun({
    name: "killed-during-reconfiguration",
    ...wordCountOn(pool, token),
    replaySpeed,
    // A bound, far past the stream's end: a run that stalls (a sink waiting for a replay no
    // one can serve) is stopped there and fails, rather than hanging the suite.
    untilMs: UNTIL_MS,
    faultTolerance: {
      strategy: scenario.strategy ?? "rsm",
      checkpointIntervalMs: 500,
      backupPlacement: "upstream",
    },
    // Workers started ahead for a live split's parts and the recovery (a worker's start
    // takes a second or two of CPU, more on a busy machine); the standby is the recovery's first.
    prewarmedWorkers: scenario.prewarmedWorkers,
    scaleOuts: scenario.scaleOuts,
    scaleIns: scenario.scaleIns,
    stateTransfer: scenario.stateTransfer,
    onReply: (r) => {
      replies.push(r);
      if (killed !== null) return;
      const worker = scenario.killOn(r, run);
      if (worker === null) return;
      killed = { worker, reply: r };
      run.kill(worker);
    },
  });
  const summary = await run.run();
  return { run, summary, replies, killed: killed as { worker: number; reply: ControlReply } | null };
}

/**
 * `scenario` at each of its replay speeds in turn until its kill lands (the worker was
 * killed and its instances recovered before the run ended); every run, landed or not, ends
 * by itself with exactly the failure-free output.
 */
async function exactWhenKilled(scenario: Scenario, base: ReturnType<typeof failureFree>) {
  for (const speed of scenario.speeds) {
    const r = await killedDuring(scenario, speed);
    const s = r.summary;
    expect(s.stalled, `replayed at ${speed}x: stalled`).toBe(false);
    expect(s.stoppedAtUntil, `replayed at ${speed}x: not over at ${UNTIL_MS} ms`).toBe(false);
    expect(s.outputDigest, `replayed at ${speed}x`).toBe(base.outputDigest);
    expect(s.tuplesOut).toBe(base.tuplesOut);
    if (r.killed !== null && s.recoveries.some((x) => x.restoredAtMs !== null)) return r;
  }
  throw new Error(`the kill's step never came in time, even at ${scenario.speeds.at(-1)}x`);
}

const isRetired = (r: ControlReply, id: number, lingering: boolean) =>
  r.type === "retired" && r.instance === id && (r.lingering === true) === lingering;

/**
 * Instance `id` retired lingering, and then, if at all, once for good: the directory knows
 * it until then (its worker stays), and not after.
 */
function expectLingered(replies: readonly ControlReply[], id: number, run: CloudRun): void {
  const flags = replies.flatMap((r) =>
    r.type === "retired" && r.instance === id ? [r.lingering === true] : [],
  );
  expect(flags[0]).toBe(true);
  expect(flags.slice(1)).toEqual(flags.length > 1 ? [false] : []);
  if (flags.length > 1) expect(run.workerOf(id)).toBeUndefined();
  else expect(run.workerOf(id)).toBeDefined();
}

describe("a worker killed during a live scale out under rsm", () => {
  const base = failureFree();
  const split = {
    scaleOuts: [{ operator: "count", index: 0, atMs: AT_MS, factor: 2 }],
    stateTransfer: "live",
    prewarmedWorkers: 2,
    speeds: LIVE_SPEEDS,
  } as const;

  it("the split instance's worker, once a new instance is restored: the scale out is given up, its new instances discarded, and the output exact", async () => {
    let newWorker: number | undefined;
    const {
      run,
      summary: s,
      killed,
    } = await exactWhenKilled(
      {
        ...split,
        killOn: (r, run) => {
          if (r.type !== "restored" || r.instance < 6) return null;
          newWorker = run.workerOf(r.instance);
          return 0;
        },
      },
      base,
    );
    expect(killed!.worker).toBe(0);
    expect(s.failures).toHaveLength(1);
    expect(s.failures[0].instances.map((i) => i.id)).toEqual([0, 3]);
    const [so] = s.scaleOuts;
    expect(so.refused).toMatch(/^given up while/);
    expect(so.completedAtMs).toBeNull();
    // The new instances were dropped, and the worker one of them was on went back to the pool.
    expect(run.workerOf(6)).toBeUndefined();
    expect(run.workerOf(7)).toBeUndefined();
    expect(newWorker).toBeGreaterThanOrEqual(3);
    expect(run.workerSpans()[newWorker!].leftAtMs).not.toBeNull();
    // count#3 was recovered where it was in the plan: not split.
    expect(s.recoveries).toHaveLength(1);
    expect(s.recoveries[0].instances).toContain("count#3");
  });

  it("the sink's worker, once the split instance has retired and lingers for the sink's replays: the output is exact", async () => {
    const {
      run,
      summary: s,
      replies,
    } = await exactWhenKilled({ ...split, killOn: (r) => (isRetired(r, 3, true) ? 2 : null) }, base);
    expect(s.failures).toHaveLength(1);
    expect(s.failures[0].instances.map((i) => i.id)).toEqual([2, 5]);
    const [so] = s.scaleOuts;
    expect(so.refused).toBeNull();
    expect(so.completedAtMs).not.toBeNull();
    expect(so.instances).toEqual(["count#6", "count#7"]);
    // count#3 lingered (its worker, which hosts the source too, stayed), and retired for good
    // once the receivers' backups covered the end of its streams, if that came before the end.
    expectLingered(replies, 3, run);
    expect(run.workerOf(0)).toBe(0);
  });
});

// Under the strategies that restart from a state of the whole plan, the live split takes
// their quiescent base at its hand-over (engine/elasticity/liveScaleOut.ts); the split
// instance lingers until its receivers' entries in the base are sealed with the end of its
// streams. The sink's worker (with split#2) is killed once it retired: the sink is
// recovered in the new plan (upstream-backup rebuilds it from the base; global-snapshot
// rolls it back to the snapshot, or else the base).
for (const strategy of ["upstream-backup", "global-snapshot"] as const) {
  describe(`a worker killed after a live scale out under ${strategy}`, () => {
    const base = failureFree();
    it("the sink's worker, once the split instance has retired and lingers: the output is exact", async () => {
      const { summary: s, replies } = await exactWhenKilled(
        {
          scaleOuts: [{ operator: "count", index: 0, atMs: AT_MS, factor: 2 }],
          stateTransfer: "live",
          strategy,
          prewarmedWorkers: 2,
          speeds: LIVE_SPEEDS,
          killOn: (r) => (isRetired(r, 3, true) ? 2 : null),
        },
        base,
      );
      expect(s.failures).toHaveLength(1);
      expect(s.failures[0].instances.map((i) => i.id)).toEqual([2, 5]);
      const [so] = s.scaleOuts;
      expect(so.refused).toBeNull();
      expect(so.instances).toEqual(["count#6", "count#7"]);
      expect(replies.some((r) => isRetired(r, 3, true))).toBe(true);
    });
  });
}

describe("a worker killed during a scale in under rsm", () => {
  const base = failureFree();
  const merge = {
    scaleIns: [{ operator: "count", index: 0, atMs: AT_MS }],
    prewarmedWorkers: 0,
    speeds: MERGE_SPEEDS,
  };

  it("the sink's worker, once the merged-away instance has retired and lingers: the output is exact", async () => {
    const {
      run,
      summary: s,
      replies,
    } = await exactWhenKilled({ ...merge, killOn: (r) => (isRetired(r, 4, true) ? 2 : null) }, base);
    expect(s.failures).toHaveLength(1);
    expect(s.failures[0].instances.map((i) => i.id)).toEqual([2, 5]);
    const [si] = s.scaleOuts;
    expect(si).toMatchObject({ kind: "scaleIn", instances: ["count#3", "count#4"], refused: null });
    expect(si.completedAtMs).not.toBeNull();
    expectLingered(replies, 4, run);
  });

  it("the merge target's worker (and the source's), once the merged-away instance has retired and lingers: the output is exact", async () => {
    const { summary: s } = await exactWhenKilled(
      { ...merge, killOn: (r) => (isRetired(r, 4, true) ? 0 : null) },
      base,
    );
    expect(s.failures).toHaveLength(1);
    expect(s.failures[0].instances.map((i) => i.id)).toEqual([0, 3]);
    // Completed without count#3, which was recovered from the merged checkpoint in the new plan.
    const [si] = s.scaleOuts;
    expect(si.refused).toBeNull();
    expect(si.completedAtMs).not.toBeNull();
    expect(s.recoveries[0].instances).toContain("count#3");
  });
});

describe("the merged-away instance's worker killed while it lingers, under rsm", () => {
  const base = failureFree();

  it("it is redeployed from its checkpoint at the cut, retires lingering again, and the output is exact", async () => {
    const {
      run,
      summary: s,
      replies,
    } = await exactWhenKilled(
      {
        scaleIns: [{ operator: "count", index: 0, atMs: AT_MS }],
        prewarmedWorkers: 1,
        speeds: MERGE_SPEEDS,
        // Worker 1 hosts split#1 and count#4, the merged-away one.
        killOn: (r) => (isRetired(r, 4, true) ? 1 : null),
      },
      base,
    );
    expect(s.failures).toHaveLength(1);
    expect(s.failures[0].instances.map((i) => i.id)).toEqual([1, 4]);
    const [si] = s.scaleOuts;
    expect(si).toMatchObject({ kind: "scaleIn", instances: ["count#3", "count#4"], refused: null });
    // split#1, in the plan, was recovered as the plan's instances are.
    expect(s.recoveries[0].instances).toContain("split#1");
    // count#4, out of the plan, was redeployed from its cut: restored, then it retired
    // lingering again (and for good later, if its receivers' backups came to cover it).
    const of4 = replies.flatMap((r) =>
      r.instance === 4 && (r.type === "retired" || r.type === "restored")
        ? [r.type === "retired" ? `retired${r.lingering === true ? " lingering" : ""}` : r.type]
        : [],
    );
    expect(of4.slice(0, 3)).toEqual(["retired lingering", "restored", "retired lingering"]);
    expect(of4.slice(3)).toEqual(of4.length > 3 ? ["retired"] : []);
    if (of4.length > 3) expect(run.workerOf(4)).toBeUndefined();
    else expect(run.workerOf(4)).toBeGreaterThanOrEqual(3);
  });
});

// The plan a worker builds a fresh instance with (cloud/workerRuntime.ts), which the
// recoveries above rely on: a worker hears of instances, not of their leaving the plan.
describe("the plan a worker builds a fresh instance with", () => {
  const plan = physicalPlan(workloadPlan("wordcount", params, 1), { vms: 3 });
  const count = plan.logical.operators.find((o) => o.name === "count")!.id;
  const [x, y] = instancesOf(plan, count);
  const ids = (p: typeof plan) => p.instances.map((i) => i.id);

  it("leaves out an instance that left the plan: one a told instance of its operator overlaps", () => {
    // count#4 merged into count#3: a worker told of the merge still knows count#4.
    const merged = { ...x, range: KeyGroupRange.of(x.range.first, y.range.last) };
    const known = withInstances(plan, [x.id], [merged]);
    expect(ids(known)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ids(buildingPlan(known, [merged]))).toEqual([0, 1, 2, 3, 5]);
    // Told the whole plan as it stands, it builds with that plan.
    const whole = withInstances(plan, [x.id, y.id], [merged]);
    expect(buildingPlan(known, whole.instances)).toEqual(whole);
  });

  it("keeps instances told of together, and those no told instance overlaps", () => {
    // A live split's new part, told with the plan that still has the split instance.
    const six = { ...x, id: 6, range: KeyGroupRange.of(x.range.first, x.range.first + 31) };
    const known = withInstances(plan, [], [six]);
    expect(ids(buildingPlan(known, [...plan.instances, six]))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(buildingPlan(plan, [plan.instances[1]])).toBe(plan);
  });
});
