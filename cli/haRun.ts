// Coordinator failover from the command line: `seep run --ha zk://host:port/root` leads a
// run whose record, journal and output snapshots a standby can take over from, and
// `seep coordinator --ha ... --run <id>` is such a standby (`seep run --standbys N` starts
// N itself). This file holds what both do with ZooKeeper: connect (unreachable: one line,
// before any worker starts), claim the run's fencing epoch and lead it, and keep what a
// new leader builds the run from. The worker token is not put in ZooKeeper: it stays in a
// file of the run's directory only its user can read, which the record names.

import { type ChildProcess, spawn } from "node:child_process";
import { openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DirectoryCheckpointStore } from "../cloud/checkpointStore/index.js";
import { CRASH_AFTER_ENV } from "../cloud/failover/crashPoint.js";
import {
  claimEpoch,
  LeaderElection,
  parseZookeeperAddress,
  RunRecordStore,
  readEpoch,
  ZkSession,
  ZookeeperAddressError,
  ZookeeperUnreachableError,
} from "../cloud/ha/index.js";
import { seepCommand } from "../cloud/packageRoot.js";
import { zkConnectMs, zkSessionMs } from "../cloud/timeouts.js";
import { UserError } from "./errors.js";
import type { RealRunSpec } from "./realRun.js";

/** What an HA run's record keeps for a new leader (its `run`). */
export interface HaRunPart {
  readonly spec: RealRunSpec;
  /** The experiment resolved (experiment.json's). */
  readonly experiment: unknown;
  /** The file holding the workers' token (mode 0600). */
  readonly tokenFile: string;
}

/** `address` (given to `flag`) parsed; a malformed one is a UserError naming the flag. */
export function zookeeperAddressOf(address: string, flag = "--ha"): ReturnType<typeof parseZookeeperAddress> {
  try {
    return parseZookeeperAddress(address);
  } catch (e) {
    if (e instanceof ZookeeperAddressError) throw new UserError(`${flag}: ${e.message}`);
    throw e;
  }
}

/** A session with the ZooKeeper at `address` (a --ha flag's); one line when it cannot be had. */
export async function connectZookeeper(
  address: string,
  flag = "--ha",
): Promise<{ readonly session: ZkSession; readonly root: string }> {
  const parsed = zookeeperAddressOf(address, flag);
  try {
    return {
      session: await ZkSession.connect(parsed, {
        sessionTimeoutMs: zkSessionMs(),
        connectTimeoutMs: zkConnectMs(),
      }),
      root: parsed.root,
    };
  } catch (e) {
    if (e instanceof ZookeeperUnreachableError) throw new UserError(`${flag}: ${e.message}`);
    throw e;
  }
}

/** A run id for ZooKeeper: the experiment's name (safe characters) and a random suffix. */
export function haRunId(name: string, suffix: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, "-").replace(/^[^A-Za-z0-9]+/, "") || "run";
  return `${safe}-${suffix}`;
}

/** Write the workers' token to `<dir>/coordinator.token`, readable by this user only; its path. */
export function writeTokenFile(dir: string, token: string): string {
  const path = join(dir, "coordinator.token");
  writeFileSync(path, token, { mode: 0o600 });
  return path;
}

/** The token in `path`, or one line saying it cannot be read. */
export function readTokenFile(path: string, runId: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch (e) {
    throw new UserError(`run ${runId}: its token file ${path} cannot be read: ${(e as Error).message}`);
  }
}

/** What leading a run takes: its record store, the epoch claimed, the election entered and won. */
export interface Leadership {
  readonly records: RunRecordStore;
  readonly epoch: number;
  readonly epochVersion: number;
  readonly election: LeaderElection;
}

/**
 * Claim the next epoch of run `runId` and make sure this process leads it: a first leader's
 * election is won at once; a standby's `elected` has resolved already.
 */
export async function claimLeadership(
  session: ZkSession,
  root: string,
  runId: string,
  election?: LeaderElection,
): Promise<Leadership> {
  const records = new RunRecordStore(session, root, runId);
  const epoch = await claimEpoch(session, records.runPath);
  const now = await readEpoch(session, records.runPath);
  if (now === null || now.epoch !== epoch)
    throw new UserError(
      `run ${runId}: another coordinator claimed epoch ${now?.epoch} after this one's ${epoch}`,
    );
  let e = election;
  if (e === undefined) {
    e = new LeaderElection(session, records.runPath, String(process.pid));
    await e.join();
    await e.elected;
  }
  return { records, epoch, epochVersion: now.version, election: e };
}

/** The checkpoint store of an HA run: `<dir>/checkpoints`. */
export function haCheckpointStore(dir: string): DirectoryCheckpointStore {
  return new DirectoryCheckpointStore(join(dir, "checkpoints"));
}

/**
 * Start `n` standby coordinators of run `runId`, detached (they outlive this process), each
 * writing to `<dir>/coordinator-<i>.log`; their pids.
 */
export function spawnStandbys(n: number, zookeeper: string, runId: string, dir: string): number[] {
  const pids: number[] = [];
  for (let i = 1; i <= n; i++) {
    const log = openSync(join(dir, `coordinator-${i}.log`), "a");
    const [cmd, ...args] = seepCommand();
    // A crash point injected into this leader is not its standbys'.
    const env = { ...process.env };
    delete env[CRASH_AFTER_ENV];
    // ZooKeeper may be down as it starts (this leader has just used the address): it tries again.
    const standbyArgs = ["coordinator", "--ha", zookeeper, "--run", runId, "--retry-zookeeper"];
    const child: ChildProcess = spawn(cmd, [...args, ...standbyArgs], {
      detached: true,
      stdio: ["ignore", log, log],
      env,
    });
    child.unref();
    if (child.pid !== undefined) pids.push(child.pid);
  }
  return pids;
}
