// `seep coordinator --ha zk://... --run <id>`: a standby coordinator of a run started with
// `seep run --ha`. It waits in the run's election (ZooKeeper's recipe: each candidate
// watches the one before it) and, once elected, takes the run over (cloud/failover/):
// claims the next fencing epoch, reads the run's record, journal and latest output
// snapshot, adopts the workers (its Survey fences the old leader off), rebuilds the
// engine's coordinator from the journal and runs the run to its end, writing the run's
// files into its directory as `seep run` would. A run that is over by then (finished, or
// failed) is left alone: the standby exits 0 saying so. A standby that loses ZooKeeper (its
// session expired, or the connection dropped under an operation) while it waits, or once
// elected while it reads the run's record and journal, before it has touched a worker, makes
// a new session and enters the election again. Its first connection must succeed (a wrong
// address is one line and exit 2), unless `--retry-zookeeper`: the standbys `seep run --ha`
// starts, whose address the leader has just used, then try again until the workers' lease
// would run out, as after a lost session (ZooKeeper may be down as they start).

import { join } from "node:path";
import type { Command } from "commander";
import { Option } from "commander";
import { isSessionEnded, isZookeeperError, ZookeeperUnreachableError } from "../../cloud/ha/zkErrors.js";
import { RunFailure, UserError } from "../errors.js";

interface CoordinatorFlags {
  readonly ha: string;
  readonly run: string;
  readonly retryZookeeper: boolean;
}

/** Register `seep coordinator` on `program`. */
export function registerCoordinator(program: Command): void {
  program
    .command("coordinator")
    .description(
      "wait as a standby coordinator of a run started with seep run --ha, and take the run over if its leader dies",
    )
    .summary("a standby coordinator of a run with --ha")
    .addOption(
      new Option(
        "--ha <zookeeper>",
        "the run's ZooKeeper, as seep run --ha was given it (required)",
      ).makeOptionMandatory(),
    )
    .addOption(
      new Option("--run <id>", "the run's id, as seep run --ha printed it (required)").makeOptionMandatory(),
    )
    .addOption(
      new Option(
        "--retry-zookeeper",
        "if ZooKeeper cannot be reached at start, keep trying until the workers' lease (SEEP_HA_LEASE_MS) would run out, as after a lost session (seep run --ha starts its standbys so)",
      ).default(false),
    )
    .action(standby);
}

async function standby(flags: CoordinatorFlags): Promise<void> {
  const { checkTimeoutSettings } = await import("../../cloud/timeouts.js");
  const { crashPointFromEnv } = await import("../../cloud/failover/crashPoint.js");
  checkTimeoutSettings();
  try {
    crashPointFromEnv();
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  const { connectZookeeper, zookeeperAddressOf } = await import("../haRun.js");
  const { RunRecordStore, LeaderElection, runPath, RunIdError, ElectionLostError } = await import(
    "../../cloud/ha/index.js"
  );
  try {
    runPath("/", flags.run);
  } catch (e) {
    if (e instanceof RunIdError) throw new UserError(`--run: ${e.message}`);
    throw e;
  }
  // After the first session, ZooKeeper may be down a while (the reason the session ended):
  // try again until the workers' lease would have run out, by when the run is gone anyway.
  const { haLeaseMsFromEnv } = await import("../../cloud/coordinatorLease.js");
  // A malformed address fails here, once, never retried.
  zookeeperAddressOf(flags.ha);
  let lostSinceMs: number | null = flags.retryZookeeper ? Date.now() : null;
  for (;;) {
    let zk: Awaited<ReturnType<typeof connectZookeeper>>;
    try {
      zk = await connectZookeeper(flags.ha);
    } catch (e) {
      if (lostSinceMs === null) throw e;
      const leaseMs = haLeaseMsFromEnv() || Number.POSITIVE_INFINITY;
      if (Date.now() - lostSinceMs > leaseMs)
        throw new UserError(
          `run ${flags.run}: ZooKeeper unreachable for longer than the workers' lease (${leaseMs} ms): the run is lost`,
        );
      process.stdout.write(`run ${flags.run}: ${(e as Error).message}; trying again\n`);
      continue;
    }
    lostSinceMs = null;
    const lostAgain = async (when: string, e: unknown) => {
      // ZooKeeper went (the session expired, the connection was lost): again, with a new session.
      process.stdout.write(
        `run ${flags.run}: lost ZooKeeper ${when} (${(e as Error).message}); joining again\n`,
      );
      await zk.session.close().catch(() => {});
      lostSinceMs = Date.now();
    };
    const records = new RunRecordStore(zk.session, zk.root, flags.run);
    let election: InstanceType<typeof LeaderElection>;
    try {
      const state = await recordState(records, flags);
      if (state !== "running") {
        process.stdout.write(`run ${flags.run} is ${state}: nothing to take over\n`);
        await zk.session.close();
        return;
      }
      election = new LeaderElection(zk.session, records.runPath, String(process.pid));
      await election.join();
      process.stdout.write(`standby coordinator of run ${flags.run} (pid ${process.pid}): waiting\n`);
      await election.elected;
    } catch (e) {
      if (!zookeeperLost(e, ElectionLostError)) {
        await zk.session.close().catch(() => {});
        throw e;
      }
      await lostAgain("while waiting", e);
      continue;
    }
    const electedEpochMs = Date.now();
    const outcome = await takeOver(zk, records, election, electedEpochMs, flags).catch(async (e: unknown) => {
      if (!(e instanceof ZookeeperLostBeforeRun)) throw e;
      await election.leave().catch(() => {});
      await lostAgain("as it took the run over, before it began", e.cause);
      return "again" as const;
    });
    if (outcome === "again") continue;
    return;
  }
}

/**
 * ZooKeeper was lost (the session ended, the connection dropped under an operation, the
 * election lost with it) while the standby read the run's record and journal, before it
 * touched any worker: it may join the election again with a new session.
 */
class ZookeeperLostBeforeRun extends Error {
  override readonly name = "ZookeeperLostBeforeRun";
}

/** Whether `e` says ZooKeeper was lost (rather than something wrong with the run or its record). */
function zookeeperLost(e: unknown, electionLost: new (...args: never[]) => Error): boolean {
  return (
    isSessionEnded(e) ||
    isZookeeperError(e, "CONNECTION_LOSS") ||
    e instanceof ZookeeperUnreachableError ||
    e instanceof electionLost
  );
}

/** The run's state in its record ("none" when there is none). */
async function recordState(
  records: import("../../cloud/ha/index.js").RunRecordStore,
  flags: CoordinatorFlags,
): Promise<string> {
  const { decodeRecord } = await import("../../cloud/failover/haLeader.js");
  const { RecordMismatchError } = await import("../../cloud/ha/index.js");
  try {
    const r = await records.read();
    if (r === null) throw new UserError(`--run: no run ${flags.run} under ${flags.ha}`);
    return decodeRecord(r.bytes, flags.run).state;
  } catch (e) {
    if (e instanceof RecordMismatchError) throw new UserError(`--run: ${e.message}`);
    throw e;
  }
}

/** Elected: take the run over and run it to its end. */
async function takeOver(
  zk: { readonly session: import("../../cloud/ha/index.js").ZkSession; readonly root: string },
  records: import("../../cloud/ha/index.js").RunRecordStore,
  election: import("../../cloud/ha/index.js").LeaderElection,
  electedEpochMs: number,
  flags: CoordinatorFlags,
): Promise<void> {
  const { claimLeadership, haCheckpointStore, readTokenFile } = await import("../haRun.js");
  const { decodeRecord } = await import("../../cloud/failover/haLeader.js");
  const { ZkJournal } = await import("../../cloud/failover/zkJournal.js");
  const { DeposedError } = await import("../../cloud/failover/cloudRunHa.js");
  const { crashPointFromEnv } = await import("../../cloud/failover/crashPoint.js");
  const { validateExperiment } = await import("../experimentFile.js");
  const { abandonRealRun, finishRealRun, realRunOptions, releasePool } = await import("../realRun.js");
  const { outputsSink } = await import("../outputsCsv.js");
  const { LrbAnswersFile, LRB_ANSWERS_FILE } = await import("../lrbAnswersFile.js");
  const { CloudRun } = await import("../../cloud/cloudRun.js");
  const { codecOfPlan } = await import("../../cloud/runOptions.js");
  const { LocalProcessPool } = await import("../../cloud/localProcessPool.js");
  const { installSignalCleanup } = await import("../../cloud/signalCleanup.js");
  const { runEnvironment } = await import("../runEnvironment.js");
  const { pointLatest } = await import("../runDirectory.js");
  const { localWorkerCommand } = await import("./run.js");
  const { ElectionLostError } = await import("../../cloud/ha/index.js");
  // Until the run is built, a lost ZooKeeper sends the standby back to the election.
  const beforeRun = async <T>(step: Promise<T>): Promise<T> =>
    step.catch((e: unknown) => {
      throw zookeeperLost(e, ElectionLostError)
        ? new ZookeeperLostBeforeRun("ZooKeeper lost", { cause: e })
        : e;
    });
  const leadership = await beforeRun(claimLeadership(zk.session, zk.root, flags.run, election));
  const read = await beforeRun(records.read());
  if (read === null) throw new UserError(`--run: the record of run ${flags.run} is gone`);
  const record = decodeRecord(read.bytes, flags.run);
  if (record.state !== "running") {
    process.stdout.write(`run ${flags.run} is ${record.state}: nothing to take over\n`);
    await election.leave().catch(() => {});
    await zk.session.close();
    return;
  }
  const part = record.run as import("../haRun.js").HaRunPart;
  const spec = part.spec;
  const loaded = await validateExperiment(structuredClone(part.experiment), `run ${flags.run}'s record`, {
    settings: [],
  });
  const store = haCheckpointStore(spec.dir);
  const journal = await beforeRun(
    ZkJournal.loadTagged(zk.session, records.runPath, flags.run, store, {
      codecOf: codecOfPlan(loaded.plan),
      logical: loaded.plan,
    }),
  );
  if (journal.entries.length === 0 || record.startEpochMs === 0) {
    await election.leave().catch(() => {});
    await zk.session.close().catch(() => {});
    throw new RunFailure(
      `run ${flags.run}: its leader died before the run started (nothing journaled): nothing to take over; its workers end with their lease`,
    );
  }
  const outputs = record.outputs === null ? null : await store.get(record.outputs.key);
  const files = (record.outputs?.files ?? null) as {
    outputs: import("../resumedFile.js").FilePosition | null;
    answers: import("../resumedFile.js").FilePosition | null;
  } | null;
  const token = readTokenFile(part.tokenFile, flags.run);
  const out = outputsSink(spec.dir, spec.outputs, loaded.plan, files?.outputs ?? null);
  const answers =
    loaded.experiment.workload.name === "lrb"
      ? new LrbAnswersFile(join(spec.dir, LRB_ANSWERS_FILE), files?.answers ?? null)
      : null;
  const sinks = { outputs: out, answers };
  const pool = new LocalProcessPool({
    command: localWorkerCommand(loaded.experiment.workload.module),
    token,
    ha: true,
    idPrefix: `local-e${leadership.epoch}-`,
  });
  let signalled = false;
  const removeCleanup = installSignalCleanup(pool, {
    onSignal: () => {
      signalled = true;
    },
  });
  let firstControlEpochMs: number | null = null;
  const run = new CloudRun(
    realRunOptions(loaded, spec, {
      pool,
      token,
      sinks,
      show: false,
      ha: {
        session: zk.session,
        records,
        store,
        epoch: leadership.epoch,
        epochVersion: leadership.epochVersion,
        run: part,
        files: () => ({ outputs: out.position(), answers: answers?.position() ?? null }),
        takeover: { record, journal, outputs, electedEpochMs },
        crashAfter: crashPointFromEnv(),
        onFirstControl: (atMs) => {
          firstControlEpochMs = atMs;
        },
      },
    }),
  );
  election.onLost((why) => run.stepDown(`it lost its leadership: ${why}`));
  process.stdout.write(
    `took over run ${flags.run} as leader of epoch ${leadership.epoch}: ${journal.entries.length} journal entries, ` +
      `${record.workers.filter((w) => w.alive).length} workers\n`,
  );
  let deposed = false;
  // A stalled run fails once its files are written and its workers are gone.
  let stalled: Error | null = null;
  try {
    const summary = await run.run().catch((e: unknown) => {
      if (e instanceof DeposedError) deposed = true;
      throw e;
    });
    if (signalled) await new Promise<never>(() => {});
    const firstLeader = record.leaders[0];
    summary.wallSeconds = (Date.now() - (firstLeader?.sinceEpochMs ?? electedEpochMs)) / 1000;
    const takeover = {
      epoch: leadership.epoch,
      electedEpochMs,
      firstControlEpochMs,
      leaders: record.leaders,
    };
    const withTakeover = Object.assign(summary, { takeover });
    stalled = finishRealRun(run, withTakeover, spec, sinks, runEnvironment(), pointLatest, true);
    await run.haEnded("finished");
  } catch (err) {
    await abandonRealRun(run, sinks, deposed);
    throw err;
  } finally {
    await releasePool(pool, deposed);
    removeCleanup();
    await election.leave().catch(() => {});
    await zk.session.close().catch(() => {});
  }
  if (stalled !== null) throw stalled;
}
