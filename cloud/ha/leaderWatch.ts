// Following a run's leader without running for it, as the workers do: who leads now (the
// data of the lowest candidate of the election, leaderElection.ts), and a call each time
// another candidate leads. A follower watches the election's folder and its children, so
// every change in the line wakes it, not only the leader's going: followers are not
// candidates, and they must also hear of a first leader, or of the last one leaving.

import { electionPath, inLine } from "./leaderElection.js";
import { isSessionEnded, isZookeeperError } from "./zkErrors.js";
import type { Watcher, ZkSession } from "./zkSession.js";
import { childPath } from "./zookeeperAddress.js";

/** The data (control address) of the run's leader now, or null when none leads. */
export async function currentLeader(session: ZkSession, runPath: string): Promise<string | null> {
  return (await readLeader(session, runPath)).data;
}

/** The leader's node name and data, setting `watcher` (if given) on the election's folder and line. */
async function readLeader(
  session: ZkSession,
  runPath: string,
  watcher?: Watcher,
): Promise<{ node: string | null; data: string | null }> {
  const dir = electionPath(runPath);
  for (;;) {
    if ((await session.exists(dir, watcher)) === null) return { node: null, data: null };
    let line: string[];
    try {
      line = inLine(await session.getChildren(dir, watcher));
    } catch (e) {
      if (isZookeeperError(e, "NO_NODE")) continue; // the folder went between the two reads
      throw e;
    }
    if (line.length === 0) return { node: null, data: null };
    const got = await session.getData(childPath(dir, line[0]));
    if (got !== null) return { node: line[0], data: got.data.toString("utf8") };
  }
}

/**
 * Follows the leader of the election at `runPath` without running in it: calls `onLeader`
 * with the leader's data now, and again each time another candidate leads (null while none
 * does). Returns a function that stops following. It follows for the life of `session`: once
 * that expires, a new session must follow anew. Unexpected errors go to `onError`.
 */
export function watchLeader(
  session: ZkSession,
  runPath: string,
  onLeader: (data: string | null) => void,
  onError: (error: Error) => void = (e) => process.emitWarning(e),
): () => void {
  let stopped = false;
  let reading = false;
  let again = false;
  let told: string | null | undefined;
  const read = async (): Promise<void> => {
    if (stopped) return;
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        const { node, data } = await readLeader(session, runPath, reread);
        if (!stopped && node !== told) {
          told = node;
          onLeader(data);
        }
      } while (again && !stopped);
    } catch (e) {
      if (!isZookeeperError(e, "CONNECTION_LOSS") && !isSessionEnded(e) && !stopped)
        onError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      reading = false;
    }
  };
  const reread: Watcher = () => void read();
  const stopReconnected = session.onReconnected(() => void read());
  void read();
  return () => {
    stopped = true;
    stopReconnected();
  };
}
