// cloud/ha's public surface together, on a real 3-server ZooKeeper ensemble on loopback, as
// a run with a standby coordinator would use it: a leader elected, its epoch claimed and
// its record written; then one server killed (another than the leader's, then, once it is
// back, the very one its session talks to) while the leader keeps its session, its lead and
// its writes; then a new election, whose leader claims a higher epoch, reads the record and
// fences the old epoch out.

import { afterAll, beforeAll, expect, it } from "vitest";
import {
  claimEpoch,
  FencedError,
  LeaderElection,
  RunRecordStore,
  runPath,
  ZkSession,
} from "../../../cloud/ha/index.js";
import { nextCall, within } from "../../support/bounded.js";
import { startZookeeperEnsemble, type ZookeeperEnsemble } from "../../support/zookeeperEnsemble.js";
import { describeWithZookeeper } from "../../support/zookeeperServer.js";

describeWithZookeeper("cloud/ha on a 3-server ZooKeeper ensemble", () => {
  let ensemble: ZookeeperEnsemble;
  const sessions: ZkSession[] = [];
  const expiries: string[] = [];
  const open = async () => {
    const s = await ZkSession.connect(ensemble.address("/seep"), { sessionTimeoutMs: 20_000 });
    s.onExpired((reason) => expiries.push(reason));
    sessions.push(s);
    return s;
  };
  beforeAll(async () => {
    const startMs = performance.now();
    ensemble = await startZookeeperEnsemble(3);
    console.log(`3-server ensemble serving after ${Math.round(performance.now() - startMs)} ms`);
  });
  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.close()));
    await ensemble?.stop();
  });

  it("a leader keeps its session, lead and writes while a server dies, its own included; a new leader then fences it out", async () => {
    const runId = "on-ensemble";
    const run = runPath("/seep", runId);
    const [a, b] = [await open(), await open()];
    const first = new LeaderElection(a, run, "127.0.0.1:7001");
    await first.join();
    await within(first.elected, "the first candidate's election");
    const standby = new LeaderElection(b, run, "127.0.0.1:7002");
    await standby.join();
    const epoch = await claimEpoch(a, run);
    const store = new RunRecordStore(a, "/seep", runId);
    await store.write(Buffer.from("r1"), epoch);

    // A server a's session does not talk to: the ensemble's leader, if it is one of those.
    const aServer = await ensemble.serverOf(a.sessionIdHex);
    expect(aServer).toBeGreaterThanOrEqual(0);
    const zkLeader = await ensemble.leaderIndex();
    const other = zkLeader !== aServer ? zkLeader : [0, 1, 2].find((i) => i !== aServer)!;
    await ensemble.killServer(other);
    await store.write(Buffer.from("r2"), epoch);
    expect((await store.read())?.bytes).toEqual(Buffer.from("r2"));
    expect([first.isLeader, standby.isLeader]).toEqual([true, false]);
    await ensemble.restartServer(other);

    // The server a's session talks to: the session moves to another one and lives on.
    const talksTo = await ensemble.serverOf(a.sessionIdHex);
    const moved = nextCall((f) => a.onReconnected(f));
    const killedMs = performance.now();
    await ensemble.killServer(talksTo);
    await within(moved, "a's session to move to another server");
    console.log(
      `session moved to another server ${Math.round(performance.now() - killedMs)} ms after its own was killed`,
    );
    expect([-1, talksTo]).not.toContain(await ensemble.serverOf(a.sessionIdHex));
    await store.write(Buffer.from("r3"), epoch);
    expect([first.isLeader, standby.isLeader]).toEqual([true, false]);

    // A new election: the leader's session ends; the standby leads, with a higher epoch.
    await a.close();
    await within(standby.elected, "the standby's election");
    const next = await claimEpoch(b, run);
    expect(next).toBe(epoch + 1);
    const takenOver = new RunRecordStore(b, "/seep", runId);
    expect(await takenOver.read()).toEqual({ bytes: Buffer.from("r3"), epoch });
    await takenOver.write(Buffer.from("r4"), next);
    const late = new RunRecordStore(await open(), "/seep", runId);
    await expect(late.write(Buffer.from("stale"), epoch)).rejects.toThrow(FencedError);
    expect(await late.read()).toEqual({ bytes: Buffer.from("r4"), epoch: next });
    expect(expiries).toEqual([]);
  });
});
