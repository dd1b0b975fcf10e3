// The leader-election recipe against a real standalone ZooKeeper: one leader among three
// candidates, each other candidate watching only its predecessor (read from ZooKeeper's own
// list of watches, `wchp`), the successor elected when the leader's session ends, a
// predecessor that leaves before its turn, and a candidate whose session expires.

import { expect, it } from "vitest";
import {
  currentLeader,
  ElectionLostError,
  electionPath,
  LeaderElection,
  type ZkSession,
} from "../../../cloud/ha/index.js";
import { nextCall, until, within } from "../../support/bounded.js";
import { describeWithZookeeper, shortHex, watchesByPath } from "../../support/zookeeperServer.js";
import { zookeeperForSuite } from "../../support/zookeeperSessions.js";

describeWithZookeeper("LeaderElection", () => {
  const zk = zookeeperForSuite();
  let runs = 0;
  const open = () => zk.sessions.open();
  /** Three candidates of a fresh run, joined in order: the first leads. */
  const threeCandidates = async () => {
    const runPath = `/seep/runs/election-${++runs}`;
    const candidates: LeaderElection[] = [];
    const own: ZkSession[] = [];
    for (let i = 0; i < 3; i++) {
      own.push(await open());
      candidates.push(new LeaderElection(own[i], runPath, `127.0.0.1:700${i}`));
      await candidates[i].join();
    }
    return { runPath, candidates, sessions: own };
  };
  /** Who watches what under the run's election, by ZooKeeper's own account: path -> session ids. */
  const electionWatches = async (runPath: string) => {
    const all = watchesByPath(await zk.server.fourLetterWord("wchp"));
    return new Map([...all].filter(([path]) => path.startsWith(electionPath(runPath))));
  };

  it("of three candidates exactly one leads, and each other watches only the node just before its own", async () => {
    const { runPath, candidates, sessions: own } = await threeCandidates();
    await within(candidates[0].elected, "the first candidate's election");
    expect(candidates.map((c) => c.isLeader)).toEqual([true, false, false]);
    expect(await currentLeader(own[0], runPath)).toBe("127.0.0.1:7000");
    expect(candidates.map((c) => c.watching)).toEqual([null, candidates[0].nodePath, candidates[1].nodePath]);
    expect(await electionWatches(runPath)).toEqual(
      new Map([
        [candidates[0].nodePath, [shortHex(own[1].sessionIdHex)]],
        [candidates[1].nodePath, [shortHex(own[2].sessionIdHex)]],
      ]),
    );
  });

  it("when the leader's session closes the next candidate leads, and the last still watches only it", async () => {
    const { runPath, candidates, sessions: own } = await threeCandidates();
    const lost = nextCall<[string]>((f) => candidates[0].onLost(f));
    await own[0].close();
    expect((await within(lost, "the old leader's onLost"))[0]).toBe("its ZooKeeper session was closed");
    await within(candidates[1].elected, "the second candidate's election");
    expect(candidates.map((c) => c.isLeader)).toEqual([false, true, false]);
    expect(candidates[2].watching).toBe(candidates[1].nodePath);
    expect(await currentLeader(own[1], runPath)).toBe("127.0.0.1:7001");
    expect(await electionWatches(runPath)).toEqual(
      new Map([[candidates[1].nodePath, [shortHex(own[2].sessionIdHex)]]]),
    );
  });

  it("a candidate whose predecessor leaves before its turn watches the new predecessor, then leads after it", async () => {
    const { candidates, sessions: own } = await threeCandidates();
    await candidates[1].leave();
    await until(
      () => candidates[2].watching === candidates[0].nodePath,
      "the last candidate to watch the first",
    );
    expect(candidates[2].isLeader).toBe(false);
    await expect(candidates[1].elected).rejects.toThrow(ElectionLostError);
    await own[0].close();
    await within(candidates[2].elected, "the last candidate's election");
    expect(candidates.map((c) => c.isLeader)).toEqual([false, false, true]);
  });

  it("a candidate whose session expires is told it lost and is out, leader or not", async () => {
    const { runPath, candidates, sessions: own } = await threeCandidates();
    await within(candidates[0].elected, "the first candidate's election");
    const leaderLost = nextCall<[string]>((f) => candidates[0].onLost(f));
    await zk.sessions.expire(own[0]);
    expect((await within(leaderLost, "the leader's onLost"))[0]).toBe(
      "its ZooKeeper session expired: ZooKeeper expired it",
    );
    expect(candidates[0].isLeader).toBe(false);
    await within(candidates[1].elected, "the second candidate's election");

    const waitingLost = nextCall<[string]>((f) => candidates[2].onLost(f));
    await zk.sessions.expire(own[2]);
    await within(waitingLost, "the waiting candidate's onLost");
    const refused = await candidates[2].elected.catch((e) => e);
    expect(refused).toBeInstanceOf(ElectionLostError);
    expect(refused.message).toBe(
      `out of the election of ${runPath}: its ZooKeeper session expired: ZooKeeper expired it`,
    );
    expect(candidates.map((c) => c.isLeader)).toEqual([false, true, false]);
  });
});
