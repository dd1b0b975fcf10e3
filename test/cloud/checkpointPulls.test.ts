// The coordinator's side of checkpoints left on their workers: which it passes on by
// reference and which it pulls first (per strategy, placement, what is under way, HA), a
// pull from a worker's shelf (once, counted; failing when the source is gone; the backups a
// failed holder held, pulled from their living sources), and a real
// run under rsm whose worker is killed: the output is exactly the failure-free run's, and
// the counts' backups went worker to worker, the coordinator pulling only what it keeps.
// Workers bind 127.0.0.1; every process started here is killed when its test ends.

import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import {
  CheckpointIntake,
  CheckpointPulls,
  type KeepingContext,
  keepingOf,
} from "../../cloud/checkpointPulls.js";
import { CloudRun } from "../../cloud/cloudRun.js";
import { localBytesOf, needsFetch } from "../../cloud/remoteCheckpoint.js";
import {
  type Checkpoint,
  type Coordinator,
  type FaultToleranceOptions,
  physicalPlan,
  type ScaleOutRecord,
} from "../../engine/index.js";
import { workloadPlan } from "../../workloads/index.js";
import { countCheckpointBytes, everyCheckpointShelved, remoteOn, shelfWorker } from "./checkpointFixtures.js";
import { failureFree, localPools, WORD_COUNT_PARAMS, wordCountOn } from "./localWordCount.js";

const TOKEN = "pulls-token";

// The word count on 3 VMs: source#0, splits #1 #2, counts #3 #4, sink#5 (the source has no
// upstream: its backups go to the store; a count's to a split on another VM).
const plan = physicalPlan(workloadPlan("wordcount", WORD_COUNT_PARAMS, 1), { vms: 3 });

/** A checkpoint of instance `instance` with id `id`, as far as the policy reads it. */
const cpOf = (instance: number, id: number) =>
  ({ instance, id, operator: plan.instances.find((i) => i.id === instance)!.operator }) as Checkpoint;

/** The policy's context: a run under `ft`, with what is under way. */
function context(
  ft: Partial<FaultToleranceOptions>,
  o: { ha?: boolean; recovering?: boolean; scaling?: ScaleOutRecord["kind"] } = {},
): KeepingContext {
  const records = o.scaling === undefined ? [] : [{ kind: o.scaling }];
  const coordinator = {
    plan,
    scaling: { busy: o.scaling !== undefined, records },
    faultTolerance: { recovering: o.recovering === true },
  } as unknown as Coordinator;
  return {
    ft: { strategy: "rsm", checkpointIntervalMs: 500, ...ft } as FaultToleranceOptions,
    ha: o.ha === true,
    coordinator: () => coordinator,
  };
}

describe("which checkpoints the coordinator pulls", () => {
  it("passes rsm's backups to upstream holders on by reference, and pulls those it keeps in its store", () => {
    const rsm = context({ backupPlacement: "upstream" });
    expect(keepingOf(cpOf(3, 7), rsm)).toBe("reference");
    expect(keepingOf(cpOf(0, 7), rsm)).toBe("pull"); // no upstream: the store
    expect(keepingOf(cpOf(3, 7), context({ backupPlacement: "store" }))).toBe("pull");
    expect(keepingOf(cpOf(3, 7), context({ parallelRecovery: 2 }))).toBe("pull");
    // A holder may be away while a recovery or a reconfiguration is under way.
    expect(keepingOf(cpOf(3, 7), context({}, { recovering: true }))).toBe("pull");
    expect(keepingOf(cpOf(3, 7), context({}, { scaling: "scaleOut" }))).toBe("pull");
  });

  it("passes a scale out's or migration's checkpoint (stopping or live) on in parts, keeps it after under rsm, and pulls a scale in's", () => {
    for (const kind of ["scaleOut", "migration"] as const) {
      expect(keepingOf(cpOf(3, -1), context({ strategy: "none" }, { scaling: kind }))).toBe("reference");
      expect(keepingOf(cpOf(3, -1), context({}, { scaling: kind }))).toBe("keepAfter");
    }
    expect(keepingOf(cpOf(3, -1), context({}, { scaling: "scaleIn" }))).toBe("pull");
    expect(keepingOf(cpOf(3, -1), context({}))).toBe("pull"); // none under way
  });

  it("pulls every checkpoint under HA, and under the strategies that keep theirs", () => {
    expect(keepingOf(cpOf(3, 7), context({}, { ha: true }))).toBe("pull");
    for (const strategy of ["global-snapshot", "upstream-backup", "source-replay"] as const)
      expect(keepingOf(cpOf(3, 7), context({ strategy }))).toBe("pull");
    expect(keepingOf(cpOf(3, 7), context({ strategy: "none" }))).toBe("pull"); // asked outside any protocol
  });
});

describe("CheckpointPulls", () => {
  const closers: (() => void)[] = [];
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });

  /** A worker whose shelf holds a count checkpoint, and that checkpoint as the coordinator gets it. */
  async function remoteOnWorker() {
    const { worker, address } = await shelfWorker(TOKEN, closers);
    const { cp, codec, bytes } = countCheckpointBytes(3_000);
    const remote = remoteOn(worker.shelf, address, cp, codec);
    const pulls = new CheckpointPulls(TOKEN, undefined);
    closers.push(() => pulls.close());
    return { worker, remote, bytes, pulls };
  }

  it("pulls a checkpoint's bytes from its worker once, and counts them", async () => {
    const { remote, bytes, pulls } = await remoteOnWorker();
    expect(needsFetch(remote)).toBe(true);
    await Promise.all([pulls.pull(remote), pulls.pull(remote)]);
    expect(Buffer.from(localBytesOf(remote)!).equals(Buffer.from(bytes))).toBe(true);
    expect(pulls.bytesPulled).toBe(bytes.length);
    await pulls.pull(remote); // here already
    expect(pulls.bytesPulled).toBe(bytes.length);
    expect(remote.processing.size).toBeGreaterThan(0);
  });

  it("pulls the backups a failed holder held from their sources, but not one whose instance failed with it", async () => {
    const { remote, bytes, pulls } = await remoteOnWorker();
    const intake = new CheckpointIntake(pulls, context({}));
    intake.backupSent(2, remote);
    intake.holdersLost([4]); // another holder: nothing to pull
    expect(pulls.bytesPulled).toBe(0);
    intake.holdersLost([2, remote.instance]); // its instance failed too: its source is gone
    expect(needsFetch(remote)).toBe(true);
    intake.backupSent(2, remote);
    intake.holdersLost([2]);
    await pulls.pull(remote); // the pull under way
    expect(Buffer.from(localBytesOf(remote)!).equals(Buffer.from(bytes))).toBe(true);
  });

  it("fails a pull whose source is gone, and counts it", async () => {
    const { worker, remote, pulls } = await remoteOnWorker();
    worker.stop();
    await expect(pulls.pull(remote)).rejects.toThrow(
      /fetch of checkpoint 7 of instance 1 from 127\.0\.0\.1:/,
    );
    expect(pulls.failed).toBe(1);
    expect(needsFetch(remote)).toBe(true);
  });
});

describe("a real run under rsm whose worker is killed, its checkpoints left on the workers", () => {
  const localPool = localPools();
  everyCheckpointShelved();

  it("gives exactly the failure-free output, the counts' backups going worker to worker", async () => {
    const base = failureFree();
    const token = randomBytes(8).toString("hex");
    const pool = localPool(token);
    const pulled = new Set<number>();
    const countBackups = new Map<number, number>();
    const run = new CloudRun({
      name: "w2w-rsm-kill",
      ...wordCountOn(pool, token, 3),
      replaySpeed: 2,
      faultTolerance: { strategy: "rsm", checkpointIntervalMs: 500, backupPlacement: "upstream" },
      // Worker 1 hosts split#1 and count#4: count#4 is restored by its holder, split#2.
      kills: [{ worker: 1, atMs: 2000 }],
      onReply: (r) => {
        if (r.type === "checkpointed" && !needsFetch(r.checkpoint)) pulled.add(r.instance);
        if (r.type === "backedUp" && (r.instance === 3 || r.instance === 4))
          countBackups.set(r.instance, (countBackups.get(r.instance) ?? 0) + 1);
      },
    });
    const s = await run.run();
    expect(s.failures).toHaveLength(1);
    expect(s.recoveries).toHaveLength(1);
    expect(s.outputDigest).toBe(base.outputDigest);
    expect(s.tuplesOut).toBe(base.tuplesOut);
    const bytes = run.checkpointBytes;
    expect(bytes.inline).toBe(0);
    expect(bytes.byReference).toBeGreaterThan(0);
    // The source's checkpoints (kept in the store) were pulled; the counts' were backed up
    // by their holders, fetched from the counts' workers, never through the coordinator
    // (a count checkpointing while the recovery was under way excepted).
    expect(pulled.has(0)).toBe(true);
    expect(countBackups.get(3) ?? 0).toBeGreaterThan(0);
    expect(bytes.pulled).toBeLessThan(bytes.byReference);
  });
});
