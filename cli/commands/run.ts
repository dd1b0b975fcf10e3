// `seep run`: one real run of an experiment (the same files and presets as `seep sim`)
// on worker processes from a VM pool: local processes on this machine by default, EC2
// instances with `--pool ec2`. It writes the same files as a simulated run
// (summary.json, metrics.csv, outputs.csv, experiment.json), so that the two can be
// compared field by field, and terminates every worker it started, on Ctrl-C too.
// `--kill worker=1@5s` SIGKILLs a worker mid-run; the experiment's fault-tolerance
// strategy decides whether the run recovers (summary.json records the recoveries).
// `--scale-out count@1500` splits an instance mid-run (x1: moves it to another worker),
// as the experiment's scaling.scaleOuts do, which a real run carries out too, with its
// scaling.scaleIns and its threshold policy (`scaling.policy: threshold`).
// SIGHUP, SIGINT and SIGTERM shut the workers down and remove the run's partial files; after
// a SIGKILL the workers exit by themselves (their coordinator is gone), and the next run into
// the directory removes the partial files. Bounds on waiting (a worker's start, a control
// call) come from the environment (cloud/timeouts.ts) and are checked here first.
// A run that ends with a sink that could not end (under strategy none, a lost worker
// upstream of it) stalled: its files are written, then it fails in one line (exit 1).
// `--tls` connects everything over TLS with client certificates required, and every
// message is bounded by the batch and checkpoint sizes (../runTransport.ts). The workers
// get the run's token in their environment (local) or a root-only file (EC2), never on
// their command line.

import { randomBytes } from "node:crypto";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { type Command, Option } from "commander";
import type { ScheduledScaleOut, WorkerKill } from "../../cloud/cloudRun.js";
import type { ZkSession } from "../../cloud/ha/index.js";
import { PACKAGE_ROOT, seepWorkerCommand } from "../../cloud/packageRoot.js";
import type { Experiment } from "../../sim/index.js";
import { RunFailure, UserError } from "../errors.js";
import type { HaRunPart } from "../haRun.js";
import { checkKills, collectKill } from "../killSpec.js";
import {
  EXPERIMENT_ARGUMENT,
  EXPERIMENT_DEFAULT_VMS,
  experimentSeedOption,
  forceOption,
  outputsOption,
  parseInteger,
  parsePositiveNumber,
  quietOption,
  UNTIL_S_MAX,
  yesOption,
} from "../options.js";
import type { RealRunSpec } from "../realRun.js";
import { addTransportOptions, checkTransport, openTransport, type RunTransport } from "../runTransport.js";
import { checkScaleOuts, collectScaleOut } from "../scaleOutSpec.js";
import { collectSetting, type Setting } from "../settings.js";
import { stopsAfterValidation, validatesOnly } from "../validateOnly.js";

/** Flags of `seep run`, as parsed. */
interface RunFlags {
  readonly pool: "local" | "ec2";
  readonly workers?: number;
  readonly seed?: number;
  readonly out?: string;
  readonly until?: number;
  readonly set?: readonly Setting[];
  readonly kill?: readonly WorkerKill[];
  readonly scaleOut?: readonly ScheduledScaleOut[];
  readonly quiet: boolean;
  readonly outputs: "csv" | "csv.gz" | "none";
  readonly force: boolean;
  readonly yes: boolean;
  readonly tls: boolean;
  readonly tlsCa?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly checkpointMbMax: number;
  readonly ha?: string;
  readonly standbys?: number;
}

/** Register `seep run` on `program`. */
export function registerRun(program: Command): void {
  const command = program
    .command("run")
    .description("run an experiment for real on worker processes and write its summary, metrics and outputs")
    .summary("run an experiment on real worker processes")
    .argument("<experiment>", EXPERIMENT_ARGUMENT)
    .addOption(
      new Option("--pool <kind>", "where workers come from").choices(["local", "ec2"]).default("local"),
    )
    .addOption(
      new Option(
        "--workers <n>",
        `number of workers (default: the experiment's cluster.vms, else ${EXPERIMENT_DEFAULT_VMS})`,
      ).argParser((v: string) => parseInteger("--workers", v, { min: 1, max: 64 })),
    )
    .addOption(experimentSeedOption("seed of the run"))
    .addOption(
      new Option(
        "--out <dir>",
        "directory for the run's files (default: a new runs/<name>/<time>-seed<seed>-real)",
      ),
    )
    .addOption(
      new Option(
        "--until <seconds>",
        "stop after this much run time, in s (default: the experiment's untilS, else the end of the stream)",
      ).argParser((v: string) => parsePositiveNumber("--until", v, UNTIL_S_MAX)),
    )
    .addOption(
      new Option(
        "--set <key=value>",
        "set a dotted key of the experiment before validation, e.g. cluster.vms=8; repeatable (default: none)",
      ).argParser(collectSetting),
    )
    .addOption(
      new Option(
        "--kill <worker=i@time>",
        "SIGKILL worker i (0-based) at this run time, in s or ms, e.g. worker=1@5s or worker=0@1500ms; " +
          "repeatable (default: none)",
      ).argParser(collectKill),
    )
    .addOption(
      new Option(
        "--scale-out <spec>",
        "split an instance at a run time, spec operator[:index]@ms[xfactor] (index 0 and factor 2 if left " +
          "out; x1 moves it to another worker; 1.5s for seconds), e.g. count@1500 or count:1@2sx3; " +
          "repeatable, added to the experiment's scaling.scaleOuts (default: none)",
      ).argParser(collectScaleOut),
    )
    .addOption(
      new Option(
        "--ha <zookeeper>",
        "high availability: lead the run under ZooKeeper at zk://host:port[,host:port...][/root], so that a " +
          "standby coordinator (seep coordinator, or --standbys) can take it over if this one dies (default: none)",
      ),
    )
    .addOption(
      new Option("--standbys <n>", "with --ha: start this many standby coordinators (default: 0)").argParser(
        (v: string) => parseInteger("--standbys", v, { min: 0, max: 8 }),
      ),
    )
    .addOption(outputsOption())
    .addOption(quietOption())
    .addOption(forceOption("a finished run in the output directory"))
    .addOption(yesOption());
  addTransportOptions(command).action(runReal);
  stopsAfterValidation(command);
}

async function runReal(source: string, flags: RunFlags, command: Command): Promise<void> {
  const { loadExperiment } = await import("../experimentFile.js");
  const { startRunDirectory, RUN_FILES } = await import("../runFiles.js");
  const { outputsSink } = await import("../outputsCsv.js");
  const { CloudRun, ScaleOutError } = await import("../../cloud/cloudRun.js");
  const { DeposedError } = await import("../../cloud/failover/cloudRunHa.js");
  const { installSignalCleanup } = await import("../../cloud/signalCleanup.js");
  const { checkTimeoutSettings } = await import("../../cloud/timeouts.js");
  const { leaseMsFromEnv } = await import("../../cloud/coordinatorLease.js");
  checkTimeoutSettings();
  leaseMsFromEnv();
  const loaded = await loadExperiment(source, {
    settings: flags.set ?? [],
    seed: flags.seed,
    untilS: flags.until,
  });
  const { experiment, plan, size, where } = loaded;
  const workers = flags.workers ?? experiment.cluster.vms;
  const crashAfter = await checkHaFlags(flags);
  const kills = flags.kill ?? [];
  checkKills(kills, workers, flags.pool);
  // An EC2 worker loads a job module from the image's checkout: it must lie in the project.
  const ec2Module =
    flags.pool === "ec2" && experiment.workload.module !== undefined
      ? ec2JobModule(experiment.workload.module, where)
      : undefined;
  const operators = plan.operators.map((op) => op.name);
  const sc = experiment.scaling;
  // The experiment's own scalings are checked against its strategy by loadExperiment; the
  // --scale-out flags join its scaling.scaleOuts here.
  checkScaleOuts(flags.scaleOut ?? [], operators);
  const { unsupportedCombination } = await import("../../sim/index.js");
  const refused = unsupportedCombination({
    ...experiment,
    scaling: { ...sc, scaleOuts: [...sc.scaleOuts, ...(flags.scaleOut ?? [])] },
  });
  if (refused !== null) throw new UserError(`--scale-out: ${refused}`);
  const scaleOuts = [...experiment.scaling.scaleOuts, ...(flags.scaleOut ?? [])];
  // Where it writes and how long it takes, checked before any worker starts.
  const { checkOutputDirectory, prepareDirectory } = await import("../outputPath.js");
  const { confirmRealRun, realRunSeconds, terminalQuestion } = await import("../runEstimate.js");
  const { claimRunDirectory, defaultRunDirectory, pointLatest } = await import("../runDirectory.js");
  // Without --out, a directory of the run's own (runDirectory.ts), claimed when it starts.
  if (flags.out !== undefined)
    checkOutputDirectory(flags.out, "--out", flags.force, RUN_FILES.summary, "a finished run");
  const validating = validatesOnly(command);
  // A job that does not say its size is not estimated.
  if (size !== null)
    await confirmRealRun(where, realRunSeconds(experiment, size), {
      yes: flags.yes,
      ask: validating ? undefined : terminalQuestion(),
    });
  const transportChecked = await checkTransport(flags, experiment.fidelity.batchSize);
  if (validating) return;
  // A replayed Linear Road file is read through first: a bad line is one line here, not a failure mid-run.
  const { checkLrbInput } = await import("../lrbInput.js");
  checkLrbInput(experiment, where, (line) => process.stderr.write(`${line}\n`));
  const token = randomBytes(24).toString("hex");
  // Under HA, ZooKeeper first: unreachable is one line, before any worker starts.
  const { connectZookeeper } = await import("../haRun.js");
  const zk = flags.ha === undefined ? null : await connectZookeeper(flags.ha);
  const transport = await openTransport(transportChecked);
  const pool = await makePool(
    flags.pool,
    token,
    experiment.cloud?.ec2,
    where,
    experiment.name,
    transport,
    experiment.workload.module,
    ec2Module,
    zk !== null,
  ).catch(async (e: unknown) => {
    transport.dispose();
    await zk?.session.close();
    throw e;
  });
  // Once a signal is taking the workers away, the run's end is the handler's exit (129, 130
  // or 143), never a finished run's files.
  let signalled = false;
  const removeCleanup = installSignalCleanup(pool, {
    onSignal: () => {
      signalled = true;
    },
  });
  const exitBySignal = () => new Promise<never>(() => {});
  // Created only now, so that a pool that cannot be made (no cloud.ec2) leaves no directory;
  // still before any worker starts (the pool starts them when the run asks).
  let dir: string;
  if (flags.out === undefined)
    dir = claimRunDirectory(defaultRunDirectory(experiment.name, experiment.seed, new Date(), "-real"));
  else {
    dir = flags.out;
    prepareDirectory(dir, "--out");
  }
  dir = resolve(dir);
  startRunDirectory(dir, experiment);
  const outputs = outputsSink(dir, flags.outputs, plan);
  const { LrbAnswersFile, LRB_ANSWERS_FILE } = await import("../lrbAnswersFile.js");
  const answers = experiment.workload.name === "lrb" ? new LrbAnswersFile(join(dir, LRB_ANSWERS_FILE)) : null;
  const sinks = { outputs, answers };
  const show = process.stderr.isTTY && !flags.quiet;
  const spec: RealRunSpec = {
    poolKind: flags.pool,
    workers,
    kills,
    scaleOuts,
    outputs: flags.outputs,
    dir,
    pointLatest: flags.out === undefined,
    quiet: flags.quiet,
  };
  const { abandonRealRun, finishRealRun, realRunOptions, releasePool } = await import("../realRun.js");
  const leading =
    zk === null
      ? null
      : await leadHaRun(zk, experiment, spec, token, flags.standbys ?? 0, flags.ha!, crashAfter).catch(
          async (e: unknown) => {
            await pool.shutdown();
            removeCleanup();
            transport.dispose();
            await zk.session.close().catch(() => {});
            throw e;
          },
        );
  const run = new CloudRun(
    realRunOptions(loaded, spec, {
      pool,
      token,
      tls: transport.coordinator,
      messageBytesMax: transport.messageBytesMax,
      sinks,
      show,
      ha:
        leading === null
          ? undefined
          : {
              ...leading.ha,
              files: () => ({ outputs: outputs.position(), answers: answers?.position() ?? null }),
            },
    }),
  );
  // A leader whose ZooKeeper session expired may have a successor already: it steps down.
  leading?.election.onLost((why) => run.stepDown(`it lost its leadership: ${why}`));
  const { runEnvironment } = await import("../runEnvironment.js");
  const environment = runEnvironment();
  const startedMs = performance.now();
  // A stalled run fails once its files are written and its workers are gone.
  let stalled: Error | null = null;
  // A deposed leader (a newer one fenced it off) leaves the workers to it.
  let deposed = false;
  try {
    const summary = await run.run().catch((e: unknown) => {
      // A scale out the run could not carry out (an instance it does not have, one too
      // small to split) is the user's mistake, told in one line.
      if (e instanceof DeposedError) {
        deposed = true;
        throw new RunFailure(`${e.message}; it goes on under the new leader (run ${leading?.runId})`);
      }
      throw e instanceof ScaleOutError ? new UserError(e.message) : e;
    });
    if (signalled) await exitBySignal();
    summary.wallSeconds = (performance.now() - startedMs) / 1000;
    if (show) process.stderr.write("\n");
    stalled = finishRealRun(run, summary, spec, sinks, environment, pointLatest);
    await run.haEnded("finished");
  } catch (err) {
    await abandonRealRun(run, sinks, deposed);
    if (signalled) await exitBySignal();
    throw err;
  } finally {
    await releasePool(pool, deposed);
    removeCleanup();
    transport.dispose();
    await leading?.close();
  }
  if (stalled !== null) throw stalled;
}

/**
 * Lead run `experiment` under HA: claim its first epoch and win its election, write its
 * record (no workers yet), start `standbys` standby coordinators; the run's HA options,
 * and how to let go of ZooKeeper at the end.
 */
async function leadHaRun(
  zk: { readonly session: ZkSession; readonly root: string },
  experiment: Experiment,
  spec: RealRunSpec,
  token: string,
  standbys: number,
  address: string,
  crashAfter: import("../../cloud/failover/crashPoint.js").CrashPoint | undefined,
) {
  const { claimLeadership, haCheckpointStore, haRunId, spawnStandbys, writeTokenFile } = await import(
    "../haRun.js"
  );
  const { resolvedExperiment } = await import("../../sim/index.js");
  const runId = haRunId(experiment.name, randomBytes(4).toString("hex"));
  const leadership = await claimLeadership(zk.session, zk.root, runId);
  const run: HaRunPart = {
    spec,
    experiment: resolvedExperiment(experiment),
    tokenFile: writeTokenFile(spec.dir, token),
  };
  const ha = {
    crashAfter,
    session: zk.session,
    records: leadership.records,
    store: haCheckpointStore(spec.dir),
    epoch: leadership.epoch,
    epochVersion: leadership.epochVersion,
    run,
  };
  const { encodeRecord, HA_RECORD_FORMAT } = await import("../../cloud/failover/haLeader.js");
  await leadership.records.write(
    encodeRecord({
      format: HA_RECORD_FORMAT,
      state: "running",
      run,
      startEpochMs: 0,
      workers: [],
      directory: { placed: [], incarnations: [] },
      failures: [],
      outputs: null,
      leaders: [{ epoch: leadership.epoch, pid: process.pid, sinceEpochMs: Date.now() }],
    }),
    leadership.epoch,
  );
  process.stderr.write(`run ${runId} leads under ZooKeeper ${address} (epoch ${leadership.epoch})\n`);
  const pids = spawnStandbys(standbys, address, runId, spec.dir);
  if (pids.length > 0)
    process.stderr.write(
      `standby coordinators: pid ${pids.join(", ")} (logs in ${spec.dir}/coordinator-*.log)\n`,
    );
  return {
    runId,
    ha,
    election: leadership.election,
    close: async () => {
      await leadership.election.leave().catch(() => {});
      await zk.session.close().catch(() => {});
    },
  };
}

/** --ha's limits, told in one line before anything starts; the crash point injected, if any (crashPoint.ts). */
async function checkHaFlags(flags: RunFlags) {
  if (flags.ha === undefined) {
    if (flags.standbys !== undefined)
      throw new UserError("--standbys: needs --ha (standbys take over through ZooKeeper)");
    return undefined;
  }
  // A standby builds the run from its record and the run's directory on this machine:
  // EC2 workers and TLS files are not handed over yet.
  if (flags.pool !== "local") throw new UserError("--ha: works with --pool local only, for now");
  if (flags.tls || flags.tlsCa !== undefined || flags.tlsCert !== undefined)
    throw new UserError("--ha: does not work with --tls yet");
  const { crashPointFromEnv } = await import("../../cloud/failover/crashPoint.js");
  try {
    return crashPointFromEnv();
  } catch (e) {
    throw new UserError((e as Error).message);
  }
}

async function makePool(
  kind: "local" | "ec2",
  token: string,
  ec2: unknown,
  where: string,
  name: string,
  transport: RunTransport,
  module: string | undefined,
  ec2Module: string | undefined,
  ha: boolean,
) {
  const { messageBytesMax } = transport;
  if (kind === "local") {
    const { LocalProcessPool } = await import("../../cloud/localProcessPool.js");
    // A job module's job: every worker loads the module from its path on this machine.
    return new LocalProcessPool({
      command: localWorkerCommand(module),
      token,
      tls: transport.worker,
      messageBytesMax,
      ha,
    });
  }
  const { Ec2Pool, parseEc2PoolOptions, uniqueRunId } = await import("../../cloud/ec2Pool.js");
  if (ec2 === undefined)
    throw new UserError(`${where}: --pool ec2 needs cloud.ec2 in the experiment (region, imageId, ...)`);
  try {
    // The run's own id (unique: its instances' tag), token and TLS files, whatever the experiment says.
    const runId = uniqueRunId(name);
    process.stdout.write(`EC2 instances of this run are tagged seep:run=${runId}\n`);
    const jobModules = ec2Module === undefined ? undefined : [ec2Module];
    return new Ec2Pool(
      parseEc2PoolOptions({
        ...(ec2 as object),
        runId,
        token,
        tls: transport.workerPem,
        messageBytesMax,
        jobModules,
      }),
    );
  } catch (e) {
    throw new UserError(`${where}: cloud.ec2: ${e instanceof Error ? e.message : e}`);
  }
}

/** The command of a local worker of a job (a module's: loaded from its path on this machine). */
export function localWorkerCommand(module: string | undefined): string[] {
  return [...seepWorkerCommand(), ...(module === undefined ? [] : ["--job", module])];
}

/**
 * The path an EC2 worker loads the job module `module` from: its path relative to this
 * project, which the AMI's checkout holds at the same place (README, "Running on EC2").
 */
function ec2JobModule(module: string, where: string): string {
  const root = PACKAGE_ROOT;
  const inProject = relative(root, module);
  if (inProject.startsWith("..") || isAbsolute(inProject))
    throw new UserError(
      `${where}: --pool ec2: job module ${module} lies outside the project (${root}); an EC2 worker ` +
        "loads it from the AMI's checkout of the project, so it must be inside it",
    );
  return inProject.split(sep).join("/");
}
