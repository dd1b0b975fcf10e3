// The run's record against a real standalone ZooKeeper: round trips (a 3 MB record in
// chunks under ZooKeeper's 1 MB limit), fencing (by the epoch claimed before the write, and
// by a claim that lands between the writer's read and its commit), refusal of a record of
// another seep version or run, garbage left by fenced writers, and the list of runs.

import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  claimEpoch,
  FencedError,
  listRuns,
  RECORD_CHUNK_BYTES,
  RecordMismatchError,
  RunIdError,
  RunRecordStore,
  runPath,
  type ZkSession,
} from "../../../cloud/ha/index.js";
import { describeWithZookeeper } from "../../support/zookeeperServer.js";
import { zookeeperForSuite } from "../../support/zookeeperSessions.js";

describeWithZookeeper("RunRecordStore", () => {
  const zk = zookeeperForSuite();
  let runs = 0;
  /** A fresh run: a session, its store (seep version 1.2.3) and the first epoch claimed. */
  const freshRun = async () => {
    const session = await zk.sessions.open();
    const runId = `record-${++runs}`;
    const store = new RunRecordStore(session, "/seep", runId, { seepVersion: "1.2.3" });
    return { session, runId, store, epoch: await claimEpoch(session, store.runPath) };
  };

  it("reads null before any write, then what was written last with its writer's epoch", async () => {
    const { store, epoch } = await freshRun();
    expect(await store.read()).toBeNull();
    await store.write(Buffer.from("first"), epoch);
    await store.write(new Uint8Array(), epoch);
    expect(await store.read()).toEqual({ bytes: Buffer.alloc(0), epoch });
    await store.write(Buffer.from("third"), epoch);
    expect(await store.read()).toEqual({ bytes: Buffer.from("third"), epoch });
  });

  it("a 3 MB record round-trips in chunks within ZooKeeper's limit, and a smaller rewrite leaves none behind", async () => {
    const { session, store, epoch } = await freshRun();
    const big = randomBytes(3 * 1024 * 1024);
    await store.write(big, epoch);
    const chunks = await session.getChildren(store.recordPath);
    expect(chunks).toHaveLength(Math.ceil(big.length / RECORD_CHUNK_BYTES));
    for (const c of chunks)
      expect((await session.exists(`${store.recordPath}/${c}`))?.dataLength).toBeLessThanOrEqual(512 * 1024);
    const back = await store.read();
    expect(back?.epoch).toBe(epoch);
    expect(Buffer.compare(Buffer.from(back!.bytes), big)).toBe(0);
    await store.write(Buffer.from("small"), epoch);
    expect(await session.getChildren(store.recordPath)).toHaveLength(1);
    expect(await store.read()).toEqual({ bytes: Buffer.from("small"), epoch });
  });

  it("a write at epoch e is refused once e+1 has been claimed, and the record stays as it was", async () => {
    const { session, runId, store, epoch } = await freshRun();
    await store.write(Buffer.from("by the old leader"), epoch);
    const newLeader = await zk.sessions.open();
    expect(await claimEpoch(newLeader, store.runPath)).toBe(epoch + 1);
    for (const bytes of [Buffer.from("late"), randomBytes(2 * RECORD_CHUNK_BYTES + 1)]) {
      const refused = await store.write(bytes, epoch).catch((e) => e);
      expect(refused).toBeInstanceOf(FencedError);
      expect(refused.message).toBe(
        `write of run ${runId}'s record at epoch ${epoch} refused: epoch ${epoch + 1} has been claimed since`,
      );
    }
    expect(await store.read()).toEqual({ bytes: Buffer.from("by the old leader"), epoch });
    expect(await session.getChildren(store.recordPath)).toHaveLength(1);
    await new RunRecordStore(newLeader, "/seep", runId, { seepVersion: "1.2.3" }).write(
      Buffer.from("new"),
      epoch + 1,
    );
    expect(await store.read()).toEqual({ bytes: Buffer.from("new"), epoch: epoch + 1 });
  });

  it("a claim that lands between the writer's check and its commit fences the commit, and its chunks are removed", async () => {
    const { session, runId, store: plain, epoch } = await freshRun();
    await plain.write(Buffer.from("before"), epoch);
    const newLeader = await zk.sessions.open();
    // The writer's session, with a claim by the new leader just before each transaction.
    const claimFirst = new Proxy(session, {
      get(target, key, receiver) {
        if (key !== "transaction") return Reflect.get(target, key, receiver);
        return async (...args: Parameters<ZkSession["transaction"]>) => {
          await claimEpoch(newLeader, plain.runPath);
          return target.transaction(...args);
        };
      },
    });
    const store = new RunRecordStore(claimFirst, "/seep", runId, { seepVersion: "1.2.3" });
    const refused = await store.write(randomBytes(3 * RECORD_CHUNK_BYTES), epoch).catch((e) => e);
    expect(refused).toBeInstanceOf(FencedError);
    expect(refused.message).toContain(`epoch ${epoch + 1} has been claimed since`);
    expect(await plain.read()).toEqual({ bytes: Buffer.from("before"), epoch });
    expect(await session.getChildren(plain.recordPath)).toHaveLength(1);
  });

  it("the next write of a newer epoch removes the chunks a fenced writer left", async () => {
    const { session, store, epoch } = await freshRun();
    await store.write(Buffer.from("one"), epoch);
    await session.create(
      `${store.recordPath}/e${epoch}-deadbeef-0`,
      Buffer.from("left by a writer that died"),
    );
    const next = await claimEpoch(session, store.runPath);
    await store.write(Buffer.from("two"), next);
    const left = await session.getChildren(store.recordPath);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(new RegExp(`^e${next}-`));
  });

  it("refuses in one line a record written by another seep version, or for another run, naming both", async () => {
    const { session, runId, store, epoch } = await freshRun();
    await store.write(Buffer.from("x"), epoch);
    const newer = new RunRecordStore(session, "/seep", runId, { seepVersion: "2.0.0" });
    const refused = await newer.read().catch((e) => e);
    expect(refused).toBeInstanceOf(RecordMismatchError);
    expect(refused.message).toBe(
      `run record /seep/runs/${runId}/record was written by seep 1.2.3 for run ${runId}; this is seep 2.0.0 for run ${runId}`,
    );
    // The same nodes copied under another run's folder, as a restored backup might be.
    const other = await freshRun();
    await copyNode(session, store.recordPath, other.store.recordPath);
    const foreign = await other.store.read().catch((e) => e);
    expect(foreign).toBeInstanceOf(RecordMismatchError);
    expect(foreign.message).toBe(
      `run record ${other.store.recordPath} was written by seep 1.2.3 for run ${runId}; this is seep 1.2.3 for run ${other.runId}`,
    );
  });

  it("listRuns lists the runs under the root, and none under an empty one", async () => {
    const { session, runId, store, epoch } = await freshRun();
    await store.write(Buffer.from("x"), epoch);
    expect(await listRuns(session, "/seep")).toContain(runId);
    expect(await listRuns(session, "/nothing-here")).toEqual([]);
  });
});

describe("runPath", () => {
  it("puts a run under <root>/runs/, and refuses an id that cannot name a node in one line", () => {
    expect(runPath("/seep", "wordcount-1a2b3c4d")).toBe("/seep/runs/wordcount-1a2b3c4d");
    for (const bad of ["", ".", "..", "-x", "a/b", "a b", "ü"]) {
      expect(() => runPath("/seep", bad), bad).toThrow(RunIdError);
      expect(() => runPath("/seep", bad), bad).toThrow(`bad run id '${bad}'`);
    }
  });
});

/** Copies node `from` and its children onto `to` (created, or overwritten). */
async function copyNode(session: ZkSession, from: string, to: string): Promise<void> {
  await session.mkdirp(to);
  await session.setData(to, (await session.getData(from))!.data);
  for (const child of await session.getChildren(from))
    await session.create(`${to}/${child}`, (await session.getData(`${from}/${child}`))!.data);
}
