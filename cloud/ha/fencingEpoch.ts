// The fencing epoch of a run: a counter in the node <runPath>/epoch that each new leader
// increments before it acts, so that every leader holds an epoch strictly higher than every
// leader before it. The leader stamps its epoch on each control call and on each write of
// the run's record; whoever receives them keeps the highest epoch seen (cloud/epochFence.ts) and
// refuses an older one. That stops a leader that lost its session but does not know yet (a
// long pause, a partition) from acting after its successor has started.
//
// The increment is a compare-and-set on the node's version, retried when another claim got
// in between. A claim whose answer was lost with the connection may have taken effect:
// claiming again then skips a number, which is harmless (epochs need only increase).

import { isZookeeperError } from "./zkErrors.js";
import type { ZkSession } from "./zkSession.js";
import { childPath } from "./zookeeperAddress.js";

/** How many times a claim retries after losing a race or the connection before giving up. */
const CLAIM_ATTEMPTS = 100;

/** The node that holds a run's epoch. */
export function epochPath(runPath: string): string {
  return childPath(runPath, "epoch");
}

/** The run's epoch node holds something that is not an epoch. */
export class EpochCorruptError extends Error {
  override readonly name = "EpochCorruptError";
  constructor(path: string, text: string) {
    super(`the fencing epoch in ${path} is not a whole number: '${text.slice(0, 40)}'`);
  }
}

/** The highest epoch claimed in a run and the version of its node, or null if none was ever claimed. */
export async function readEpoch(
  session: ZkSession,
  runPath: string,
): Promise<{ readonly epoch: number; readonly version: number } | null> {
  const path = epochPath(runPath);
  const node = await session.getData(path);
  if (node === null) return null;
  const text = node.data.toString("utf8");
  const epoch = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(epoch)) throw new EpochCorruptError(path, text);
  return { epoch, version: node.stat.version };
}

/** Claims the run's next epoch: strictly higher than any claimed before, in this run (the first is 1). */
export async function claimEpoch(session: ZkSession, runPath: string): Promise<number> {
  const path = epochPath(runPath);
  await session.mkdirp(runPath);
  for (let attempt = 1; ; attempt++) {
    try {
      const now = await readEpoch(session, runPath);
      const next = (now?.epoch ?? 0) + 1;
      if (now === null) await session.create(path, Buffer.from(String(next)));
      else await session.setData(path, Buffer.from(String(next)), now.version);
      return next;
    } catch (e) {
      const raced = isZookeeperError(e, "BAD_VERSION") || isZookeeperError(e, "NODE_EXISTS");
      if (!(raced || isZookeeperError(e, "CONNECTION_LOSS")) || attempt >= CLAIM_ATTEMPTS) throw e;
    }
  }
}
