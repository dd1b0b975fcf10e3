// The coordinator's journal in a real ZooKeeper (cloud/failover/zkJournal.ts): a simulated
// run's journal appended entry by entry (group commit: fewer writes than entries), read
// back (checkpoints from the directory store) into a coordinator that replays it without
// divergence; a leader fenced by a newer epoch writes nothing more and is told; batches
// over a node's limit are split and read back in order.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { DirectoryCheckpointStore } from "../../../cloud/checkpointStore/index.js";
import { journalPath, ZkJournal } from "../../../cloud/failover/zkJournal.js";
import { claimEpoch, FencedError, readEpoch, runPath, type ZkSession } from "../../../cloud/ha/index.js";
import { codecOfPlan } from "../../../cloud/runOptions.js";
import { JournaledCoordinator } from "../../../engine/index.js";
import { unreachableRuntime } from "../../engine/takeover/fixtures.js";
import { runWordCount } from "../../sim/fixtures.js";
import { describeWithZookeeper } from "../../support/zookeeperServer.js";
import { zookeeperForSuite } from "../../support/zookeeperSessions.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A simulated run with a crash and a live scale out, its journal kept. */
function simulatedRun() {
  const { sim } = runWordCount({
    faultTolerance: { strategy: "rsm", checkpointIntervalMs: 2000 },
    scaling: { stateTransfer: "live", scaleOuts: [{ operator: "count", index: 0, atMs: 5000, factor: 2 }] },
    faults: [
      { type: "crash", vm: 2, atMs: 12_000 },
      { type: "coordinatorCrash", atMs: 10_000_000 },
    ],
  });
  return sim;
}

describeWithZookeeper("ZkJournal", () => {
  const zk = zookeeperForSuite();
  const sim = simulatedRun();
  const codec = { codecOf: codecOfPlan(sim.plan), logical: sim.plan };
  let runs = 0;

  async function leader(session: ZkSession, runId: string, durable: number[], failed: Error[]) {
    const path = runPath("/seep", runId);
    const epoch = await claimEpoch(session, path);
    const { version } = (await readEpoch(session, path))!;
    const dir = mkdtempSync(join(tmpdir(), "seep-journal-"));
    dirs.push(dir);
    const store = new DirectoryCheckpointStore(dir);
    const journal = new ZkJournal({
      session,
      runPath: path,
      runId,
      epoch,
      epochVersion: version,
      store,
      codec,
      onDurable: (n) => durable.push(n),
      onFailed: (e) => failed.push(e),
    });
    return { path, store, journal };
  }

  it("keeps a run's journal in batches and reads it back into a coordinator that replays it", async () => {
    const session = await zk.sessions.open();
    const runId = `journal-${++runs}`;
    const durable: number[] = [];
    const failed: Error[] = [];
    const { path, store, journal } = await leader(session, runId, durable, failed);
    const source = sim.coordinatorJournal!.entries;
    // Appended in turns of 7, as inputs come while a write is under way.
    for (let i = 0; i < source.length; i++) {
      journal.append(source[i]);
      if (i % 7 === 6) await new Promise((r) => setImmediate(r));
    }
    await journal.settled();
    expect(failed).toEqual([]);
    expect(durable.at(-1)).toBe(source.length);
    const batches = (await session.getChildren(journalPath(path))).length;
    expect(batches).toBeGreaterThan(1);
    expect(batches).toBeLessThan(source.length);
    const loaded = await ZkJournal.load(session, path, runId, store, codec);
    expect(loaded).toHaveLength(source.length);
    const rebuilt = JournaledCoordinator.takeOver(unreachableRuntime(), {
      entries: loaded,
      append: () => {},
    }).coordinator;
    expect(rebuilt.plan.instances).toEqual(sim.physicalPlan!.instances);
    expect(rebuilt.faultTolerance!.records).toEqual(sim.faultTolerance!.records);
  });

  it("writes nothing more once a newer leader has claimed an epoch, and says so", async () => {
    const session = await zk.sessions.open();
    const runId = `journal-${++runs}`;
    const durable: number[] = [];
    const failed: Error[] = [];
    const { path, journal } = await leader(session, runId, durable, failed);
    const source = sim.coordinatorJournal!.entries;
    journal.append(source[0]);
    await journal.settled();
    const other = await zk.sessions.open();
    await claimEpoch(other, path); // a new leader
    journal.append(source[1]);
    await expect(journal.settled()).rejects.toThrow(FencedError);
    expect(failed).toHaveLength(1);
    expect(failed[0].message).toMatch(/epoch 1 refused: epoch 2 has been claimed since/);
    expect(durable).toEqual([1]);
    expect(await session.getChildren(journalPath(path))).toHaveLength(1);
  });

  it("splits a batch over a node's limit into several, read back in order", async () => {
    const session = await zk.sessions.open();
    const runId = `journal-${++runs}`;
    const { path, store, journal } = await leader(session, runId, [], []);
    // Scaling inputs with long-winded numbers are small; many of them make a batch of > 768 KiB.
    const base = sim.coordinatorJournal!.entries;
    for (const e of base) journal.append(e);
    for (let i = 0; i < 30_000; i++)
      journal.append({
        atMs: 1e9 + i,
        depth: 0,
        afterEffect: 0,
        input: { kind: "migrate", instance: 123456789 + i },
        answers: [],
        effects: 123456789,
      });
    await journal.settled();
    expect((await session.getChildren(journalPath(path))).length).toBeGreaterThan(1);
    const loaded = await ZkJournal.load(session, path, runId, store, codec);
    expect(loaded).toHaveLength(base.length + 30_000);
    expect(loaded.at(-1)!.input).toEqual({ kind: "migrate", instance: 123456789 + 29_999 });
  });
});
