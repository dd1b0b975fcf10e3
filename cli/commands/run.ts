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
import { isAbsolute, join, relative, sep } from "node:path";
import { type Command, Option } from "commander";
import type { ScheduledScaleOut, WorkerKill } from "../../cloud/cloudRun.js";
import { PACKAGE_ROOT, seepWorkerCommand } from "../../cloud/packageRoot.js";
import { UserError } from "../errors.js";
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
import { addTransportOptions, checkTransport, openTransport, type RunTransport } from "../runTransport.js";
import { checkScaleOuts, collectScaleOut } from "../scaleOutSpec.js";
import { scalingLine } from "../scalingLine.js";
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
    .addOption(outputsOption())
    .addOption(quietOption())
    .addOption(forceOption("a finished run in the output directory"))
    .addOption(yesOption());
  addTransportOptions(command).action(runReal);
  stopsAfterValidation(command);
}

async function runReal(source: string, flags: RunFlags, command: Command): Promise<void> {
  const { loadExperiment } = await import("../experimentFile.js");
  const { startRunDirectory, writeFileAtomic, summaryJson, RUN_FILES } = await import("../runFiles.js");
  const { outputsSink } = await import("../outputsCsv.js");
  const { runEndLines, stalledRunFailure } = await import("../runEnd.js");
  const { CloudRun, ScaleOutError } = await import("../../cloud/cloudRun.js");
  const { installSignalCleanup } = await import("../../cloud/signalCleanup.js");
  const { checkTimeoutSettings } = await import("../../cloud/timeouts.js");
  const { leaseMsFromEnv } = await import("../../cloud/coordinatorLease.js");
  const { defaultVmPoolOptions } = await import("../../sim/index.js");
  checkTimeoutSettings();
  leaseMsFromEnv();
  const { experiment, plan, size, where } = await loadExperiment(source, {
    settings: flags.set ?? [],
    seed: flags.seed,
    untilS: flags.until,
  });
  const workers = flags.workers ?? experiment.cluster.vms;
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
  const policy =
    sc.policy === "threshold"
      ? {
          policy: { reportIntervalMs: sc.reportIntervalMs, cooldownMs: sc.cooldownMs, rules: sc.rules },
          placement: sc.placement,
          sheddingMaxRate: sc.shedding.maxRate,
        }
      : undefined;
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
  ).catch((e: unknown) => {
    transport.dispose();
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
  startRunDirectory(dir, experiment);
  const outputs = outputsSink(dir, flags.outputs, plan);
  const { LrbAnswersFile, LRB_ANSWERS_FILE } = await import("../lrbAnswersFile.js");
  const answers = experiment.workload.name === "lrb" ? new LrbAnswersFile(join(dir, LRB_ANSWERS_FILE)) : null;
  const show = process.stderr.isTTY && !flags.quiet;
  const run = new CloudRun({
    name: experiment.name,
    pool,
    poolKind: flags.pool,
    workers,
    token,
    tls: transport.coordinator,
    messageBytesMax: transport.messageBytesMax,
    workload: experiment.workload.name,
    params: experiment.workload.params,
    plan,
    seed: experiment.seed,
    batchSize: experiment.fidelity.batchSize,
    sourcePollMs: experiment.fidelity.sourcePollMs,
    replaySpeed: experiment.fidelity.replaySpeed,
    untilMs: experiment.untilS === undefined ? undefined : experiment.untilS * 1000,
    metricsIntervalMs: experiment.metricsIntervalMs,
    faultTolerance: {
      strategy: experiment.faultTolerance.strategy,
      checkpointIntervalMs: experiment.faultTolerance.checkpointIntervalMs,
      backupPlacement: experiment.faultTolerance.backupPlacement,
      parallelRecovery: experiment.faultTolerance.parallelRecovery,
    },
    kills,
    scaleOuts,
    scaleIns: sc.scaleIns,
    policy,
    // The policy's scale outs take the pool's prewarmed workers, as the simulator's take its VMs.
    prewarmedWorkers: experiment.pool.prewarmed ?? defaultVmPoolOptions.prewarmed,
    deadlineMs: sc.deadlineMs,
    stateTransfer: sc.stateTransfer,
    onOutput: (o) => {
      try {
        outputs.add(o);
      } catch {
        // A sink's row that failed stopped outputs.csv; the run goes on, and closing it says why.
      }
      answers?.add(o.timeMs, o.value);
    },
    onProgress: show
      ? (ms, tin, tout) =>
          process.stderr.write(`\rrun ${(ms / 1000).toFixed(1)} s | tuples in ${tin} | out ${tout}   `)
      : undefined,
  });
  const { runEnvironment } = await import("../runEnvironment.js");
  const environment = runEnvironment();
  const startedMs = performance.now();
  // A stalled run fails once its files are written and its workers are gone.
  let stalled: Error | null = null;
  try {
    const summary = await run.run().catch((e: unknown) => {
      // A scale out the run could not carry out (an instance it does not have, one too
      // small to split) is the user's mistake, told in one line.
      throw e instanceof ScaleOutError ? new UserError(e.message) : e;
    });
    if (signalled) await exitBySignal();
    summary.wallSeconds = (performance.now() - startedMs) / 1000;
    if (show) process.stderr.write("\n");
    outputs.close();
    answers?.close();
    writeFileAtomic(join(dir, RUN_FILES.metrics), run.metricsCsv());
    writeFileAtomic(join(dir, RUN_FILES.summary), summaryJson(summary, environment));
    if (flags.out === undefined) pointLatest(dir);
    const ms = (x: number | null) => (x === null ? "n/a" : `${x} ms`);
    process.stdout.write(
      `${[
        `${summary.name}, seed ${summary.seed}, ${flags.pool} pool: ${summary.simulatedSeconds} s run in ${summary.wallSeconds.toFixed(2)} s wall clock`,
        `tuples in ${summary.tuplesIn}, out ${summary.tuplesOut}`,
        `latency p50 ${ms(summary.latencyMs.p50)}, p99 ${ms(summary.latencyMs.p99)}, max ${ms(summary.latencyMs.max)}`,
        `workers ${summary.vmsMax}, failures ${summary.failures.length} (fault tolerance: ${summary.faultTolerance}), output digest ${summary.outputDigest}`,
        ...summary.recoveries.map(
          (r) =>
            `recovery of ${r.instances.join(" ")}: failed ${r.failedAtMs} ms, detected ${r.detectedAtMs} ms, ` +
            `restored ${r.restoredAtMs ?? "never"}, caught up ${r.caughtUpAtMs ?? "never"}` +
            (r.recoveryMs === null ? "" : ` (recovery ${r.recoveryMs} ms)`),
        ),
        ...(policy === undefined
          ? []
          : [
              `threshold policy: ${run.decisions.length} decisions (${run.decisions.filter((d) => d.blockedBy !== null).length} blocked by the VM budget)` +
                (summary.shedTuples > 0 ? `, ${summary.shedTuples} tuples shed (${summary.shedShare})` : ""),
            ]),
        ...summary.scaleOuts.map(scalingLine),
        ...(summary.deadlineMet === null
          ? []
          : [
              `deadline ${summary.deadlineMet ? "met" : "missed"} (latency max ${ms(summary.latencyMs.max)})`,
            ]),
        ...runEndLines(summary),
        `files in ${dir}`,
      ].join("\n")}\n`,
    );
    stalled = stalledRunFailure(summary, join(dir, RUN_FILES.summary));
  } catch (err) {
    outputs.abandon();
    answers?.abandon();
    if (signalled) await exitBySignal();
    throw err;
  } finally {
    await pool.shutdown();
    removeCleanup();
    transport.dispose();
  }
  if (stalled !== null) throw stalled;
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
) {
  const { messageBytesMax } = transport;
  if (kind === "local") {
    const { LocalProcessPool } = await import("../../cloud/localProcessPool.js");
    // A job module's job: every worker loads the module from its path on this machine.
    return new LocalProcessPool({
      command: [...seepWorkerCommand(), ...(module === undefined ? [] : ["--job", module])],
      token,
      tls: transport.worker,
      messageBytesMax,
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
