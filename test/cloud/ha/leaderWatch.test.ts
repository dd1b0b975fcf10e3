// Following a run's leader against a real standalone ZooKeeper: watchLeader is told of each
// change of leader, and of none, as candidates join, leave and lose their sessions.

import { expect, it } from "vitest";
import { currentLeader, LeaderElection, watchLeader } from "../../../cloud/ha/index.js";
import { until } from "../../support/bounded.js";
import { describeWithZookeeper } from "../../support/zookeeperServer.js";
import { zookeeperForSuite } from "../../support/zookeeperSessions.js";

describeWithZookeeper("watchLeader", () => {
  const zk = zookeeperForSuite();
  const open = () => zk.sessions.open();
  let runs = 0;

  it("tells each change of leader, and null while none leads", async () => {
    const runPath = `/seep/runs/follow-${++runs}`;
    const follower = await open();
    const seen: (string | null)[] = [];
    const stop = watchLeader(follower, runPath, (data) => seen.push(data));
    const told = (n: number) => until(() => seen.length >= n, `watchLeader's call ${n}`);
    await told(1);
    const candidate = async (data: string) => {
      const e = new LeaderElection(await open(), runPath, data);
      await e.join();
      return e;
    };
    const a = await candidate("a:1");
    await told(2);
    const b = await candidate("b:1");
    await a.leave();
    await told(3);
    const c = await candidate("c:1");
    await b.session.close();
    await told(4);
    await c.leave();
    await told(5);
    stop();
    await candidate("d:1");
    expect(b.isLeader).toBe(false);
    expect(seen).toEqual([null, "a:1", "b:1", "c:1", null]);
  });

  it("stops telling once stopped, and currentLeader reads the leader once", async () => {
    const runPath = `/seep/runs/follow-${++runs}`;
    const follower = await open();
    expect(await currentLeader(follower, runPath)).toBeNull();
    const seen: (string | null)[] = [];
    const stop = watchLeader(follower, runPath, (data) => seen.push(data));
    await until(() => seen.length === 1, "watchLeader's first call");
    stop();
    const leader = new LeaderElection(await open(), runPath, "a:1");
    await leader.join();
    expect(await currentLeader(follower, runPath)).toBe("a:1");
    await leader.leave();
    expect(await currentLeader(follower, runPath)).toBeNull();
    expect(seen).toEqual([null]);
  });
});
