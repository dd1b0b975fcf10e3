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

import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Command, Option } from "commander";
import type { ScheduledScaleOut, WorkerKill } from "../../cloud/cloudRun.js";
import { UserError } from "../errors.js";
import { checkKills, collectKill } from "../killSpec.js";
import {
  EXPERIMENT_ARGUMENT,
  EXPERIMENT_DEFAULT_VMS,
  experimentSeedOption,
  parseInteger,
  parsePositiveNumber,
  quietOption,
} from "../options.js";
import { checkPolicy, checkScaleIns, checkScaleOuts, collectScaleOut } from "../scaleOutSpec.js";
import { collectSetting, type Setting } from "../settings.js";

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
}

/** Register `seep run` on `program`. */
export function registerRun(program: Command): void {
  program
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
    .addOption(new Option("--out <dir>", "directory for the run's files (default: runs/<name>-<seed>-real)"))
    .addOption(
      new Option(
        "--until <seconds>",
        "stop after this much run time, in s (default: the experiment's untilS, else the end of the stream)",
      ).argParser((v: string) => parsePositiveNumber("--until", v)),
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
    .addOption(quietOption())
    .action(runReal);
}

async function runReal(source: string, flags: RunFlags): Promise<void> {
  const { loadExperiment } = await import("../experimentFile.js");
  const { startRunDirectory, writeFileAtomic, prettyJson, RUN_FILES } = await import("../runFiles.js");
  const { OutputsCsv } = await import("../outputsCsv.js");
  const { CloudRun, ScaleOutError } = await import("../../cloud/cloudRun.js");
  const { installSignalCleanup } = await import("../../cloud/signalCleanup.js");
  const { experiment, plan, where } = loadExperiment(source, {
    settings: flags.set ?? [],
    seed: flags.seed,
    untilS: flags.until,
  });
  const workers = flags.workers ?? experiment.cluster.vms;
  const kills = flags.kill ?? [];
  checkKills(kills, workers, flags.pool);
  const operators = plan.operators.map((op) => op.name);
  const strategy = experiment.faultTolerance.strategy;
  checkScaleOuts(experiment.scaling.scaleOuts, strategy, operators, `${where}: scaling.scaleOuts`);
  checkScaleOuts(flags.scaleOut ?? [], strategy, operators);
  checkScaleIns(experiment.scaling.scaleIns, strategy, operators, `${where}: scaling.scaleIns`);
  const sc = experiment.scaling;
  if (sc.stateTransfer === "live" && strategy !== "none") {
    throw new UserError(
      `${where}: scaling.stateTransfer: live works with strategy none only so far, not ${strategy}`,
    );
  }
  const policy =
    sc.policy === "threshold"
      ? {
          policy: { reportIntervalMs: sc.reportIntervalMs, cooldownMs: sc.cooldownMs, rules: sc.rules },
          placement: sc.placement,
          sheddingMaxRate: sc.shedding.maxRate,
        }
      : undefined;
  if (policy !== undefined) checkPolicy(sc.rules, strategy, operators, `${where}: scaling.rules`);
  const scaleOuts = [...experiment.scaling.scaleOuts, ...(flags.scaleOut ?? [])];
  const token = randomBytes(24).toString("hex");
  const pool = await makePool(flags.pool, token, experiment.cloud?.ec2, where, experiment.name);
  const removeCleanup = installSignalCleanup(pool);
  const dir = flags.out ?? join("runs", `${experiment.name}-${experiment.seed}-real`);
  startRunDirectory(dir, experiment);
  const outputs = new OutputsCsv(join(dir, RUN_FILES.outputs));
  const { LrbAnswersFile, LRB_ANSWERS_FILE } = await import("../lrbAnswersFile.js");
  const answers = experiment.workload.name === "lrb" ? new LrbAnswersFile(join(dir, LRB_ANSWERS_FILE)) : null;
  const show = process.stderr.isTTY && !flags.quiet;
  const run = new CloudRun({
    name: experiment.name,
    pool,
    poolKind: flags.pool,
    workers,
    token,
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
    deadlineMs: sc.deadlineMs,
    stateTransfer: sc.stateTransfer,
    onOutput: (o) => {
      outputs.add(o);
      answers?.add(o.timeMs, o.value);
    },
    onProgress: show
      ? (ms, tin, tout) =>
          process.stderr.write(`\rrun ${(ms / 1000).toFixed(1)} s | tuples in ${tin} | out ${tout}   `)
      : undefined,
  });
  const startedMs = performance.now();
  try {
    const summary = await run.run().catch((e: unknown) => {
      // A scale out the run could not carry out (an instance it does not have, one too
      // small to split) is the user's mistake, told in one line.
      throw e instanceof ScaleOutError ? new UserError(e.message) : e;
    });
    summary.wallSeconds = (performance.now() - startedMs) / 1000;
    if (show) process.stderr.write("\n");
    outputs.close();
    answers?.close();
    writeFileAtomic(join(dir, RUN_FILES.metrics), run.metricsCsv());
    writeFileAtomic(join(dir, RUN_FILES.summary), prettyJson(summary));
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
        ...summary.scaleOuts.map(
          (r) =>
            `${KIND_NAMES[r.kind]} ${r.instance}` +
            (r.kind === "migration"
              ? ""
              : ` ${r.kind === "scaleIn" ? "with" : "into"} ${r.instances.join(" ")}`) +
            `: asked at ${Math.round(r.requestedAtMs)} ms, paused ${r.pausedAtMs === null ? "never" : `at ${Math.round(r.pausedAtMs)} ms`}, ` +
            `done ${r.completedAtMs === null ? "never" : `at ${Math.round(r.completedAtMs)} ms`}` +
            (r.refused ? ` (refused: ${r.refused})` : ""),
        ),
        ...(summary.deadlineMet === null
          ? []
          : [
              `deadline ${summary.deadlineMet ? "met" : "missed"} (latency max ${ms(summary.latencyMs.max)})`,
            ]),
        `files in ${dir}`,
      ].join("\n")}\n`,
    );
  } catch (err) {
    outputs.abandon();
    answers?.abandon();
    throw err;
  } finally {
    await pool.shutdown();
    removeCleanup();
  }
}

/** How each kind of scaling is named in the run's report. */
const KIND_NAMES = { scaleOut: "scale out of", migration: "migration of", scaleIn: "scale in of" } as const;

async function makePool(kind: "local" | "ec2", token: string, ec2: unknown, where: string, runId: string) {
  if (kind === "local") {
    const { LocalProcessPool } = await import("../../cloud/localProcessPool.js");
    const bin = fileURLToPath(new URL("../../bin/seep.js", import.meta.url));
    return new LocalProcessPool({ command: [process.execPath, bin, "worker"], token });
  }
  const { Ec2Pool, parseEc2PoolOptions } = await import("../../cloud/ec2Pool.js");
  if (ec2 === undefined)
    throw new UserError(`${where}: --pool ec2 needs cloud.ec2 in the experiment (region, imageId, ...)`);
  try {
    return new Ec2Pool(parseEc2PoolOptions({ runId, ...(ec2 as object), token }));
  } catch (e) {
    throw new UserError(`${where}: cloud.ec2: ${e instanceof Error ? e.message : e}`);
  }
}
