// The fencing epoch against a real standalone ZooKeeper: concurrent claims from several
// sessions each get an epoch of their own, higher than every claim finished before they
// began; a corrupt epoch node is refused in one line.

import { expect, it } from "vitest";
import {
  claimEpoch,
  EpochCorruptError,
  epochPath,
  readEpoch,
  type ZkSession,
} from "../../../cloud/ha/index.js";
import { describeWithZookeeper } from "../../support/zookeeperServer.js";
import { zookeeperForSuite } from "../../support/zookeeperSessions.js";

describeWithZookeeper("claimEpoch", () => {
  const zk = zookeeperForSuite();

  it("claims racing from five sessions each get their own epoch, above every claim finished before they began", async () => {
    const runPath = "/seep/runs/epoch-race";
    const racers: ZkSession[] = [];
    for (let i = 0; i < 5; i++) racers.push(await zk.sessions.open());
    expect(await readEpoch(racers[0], runPath)).toBeNull();
    // Events in the order this process saw them: a claim's start and end, by a logical counter.
    let tick = 0;
    const claims: { startTick: number; endTick: number; epoch: number }[] = [];
    await Promise.all(
      racers.map(async (s) => {
        for (let i = 0; i < 4; i++) {
          const startTick = tick++;
          const epoch = await claimEpoch(s, runPath);
          claims.push({ startTick, endTick: tick++, epoch });
        }
      }),
    );
    const epochs = claims.map((c) => c.epoch);
    expect(new Set(epochs).size).toBe(20);
    for (const a of claims)
      for (const b of claims) if (a.endTick < b.startTick) expect(b.epoch).toBeGreaterThan(a.epoch);
    expect((await readEpoch(racers[0], runPath))?.epoch).toBe(Math.max(...epochs));
  });

  it("refuses an epoch node that does not hold a whole number, in one line", async () => {
    const s = await zk.sessions.open();
    const runPath = "/seep/runs/epoch-corrupt";
    await s.mkdirp(runPath);
    await s.create(epochPath(runPath), Buffer.from("seven"));
    const refused = await claimEpoch(s, runPath).catch((e) => e);
    expect(refused).toBeInstanceOf(EpochCorruptError);
    expect(refused.message).toBe(`the fencing epoch in ${runPath}/epoch is not a whole number: 'seven'`);
  });
});
