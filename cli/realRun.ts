// What `seep run` and `seep coordinator` (a standby taking a run over) share: how a real
// run is built from its experiment and flags, and how its end is written and told. Under
// coordinator failover a new leader builds the run from the record's `RealRunSpec`, so the
// two build the same run.

import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { CloudRun, CloudRunOptions, ScheduledScaleOut, WorkerKill } from "../cloud/cloudRun.js";
import type { RunSummary } from "../cloud/runSummary.js";
import type { VmPool } from "../cloud/vmPool.js";
import { defaultVmPoolOptions, type Experiment } from "../sim/index.js";
import type { LoadedExperiment } from "./experimentFile.js";
import type { LrbAnswersFile } from "./lrbAnswersFile.js";
import type { OutputsSink } from "./outputsCsv.js";
import { runEndLines, stalledRunFailure } from "./runEnd.js";
import type { RunEnvironment } from "./runEnvironment.js";
import { RUN_FILES, summaryJson, writeFileAtomic } from "./runFiles.js";
import { scalingLine } from "./scalingLine.js";

/** A real run as `seep run`'s flags made it (an HA run's record keeps it for a new leader). */
export interface RealRunSpec {
  readonly poolKind: "local" | "ec2";
  readonly workers: number;
  readonly kills: readonly WorkerKill[];
  /** The experiment's and `--scale-out`'s. */
  readonly scaleOuts: readonly ScheduledScaleOut[];
  readonly outputs: "csv" | "csv.gz" | "none";
  /** The run's directory (absolute), and whether `latest` points at it once done (no --out). */
  readonly dir: string;
  readonly pointLatest: boolean;
  readonly quiet: boolean;
}

/** The outputs of a run as it goes. */
export interface RealRunSinks {
  readonly outputs: OutputsSink;
  readonly answers: LrbAnswersFile | null;
}

/** The threshold policy of `experiment`, as a real run takes it (undefined: none). */
export function policyOf(experiment: Experiment): CloudRunOptions["policy"] {
  const sc = experiment.scaling;
  return sc.policy === "threshold"
    ? {
        policy: { reportIntervalMs: sc.reportIntervalMs, cooldownMs: sc.cooldownMs, rules: sc.rules },
        placement: sc.placement,
        sheddingMaxRate: sc.shedding.maxRate,
      }
    : undefined;
}

/** The options of the real run of `loaded` under `spec`, on `pool`, its outputs to `sinks`. */
export function realRunOptions(
  loaded: LoadedExperiment,
  spec: RealRunSpec,
  parts: {
    readonly pool: VmPool;
    readonly token: string;
    readonly tls?: CloudRunOptions["tls"];
    readonly messageBytesMax?: number;
    readonly sinks: RealRunSinks;
    readonly show: boolean;
    readonly ha?: CloudRunOptions["ha"];
  },
): CloudRunOptions {
  const { experiment, plan } = loaded;
  const sc = experiment.scaling;
  const { outputs, answers } = parts.sinks;
  return {
    name: experiment.name,
    pool: parts.pool,
    poolKind: spec.poolKind,
    workers: spec.workers,
    token: parts.token,
    tls: parts.tls,
    messageBytesMax: parts.messageBytesMax,
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
    kills: spec.kills,
    scaleOuts: spec.scaleOuts,
    scaleIns: sc.scaleIns,
    policy: policyOf(experiment),
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
    onProgress: parts.show
      ? (ms, tin, tout) =>
          process.stderr.write(`\rrun ${(ms / 1000).toFixed(1)} s | tuples in ${tin} | out ${tout}   `)
      : undefined,
    ha: parts.ha,
  };
}

/**
 * A real run that did not finish: a deposed leader (a newer one runs the run) keeps its
 * partial outputs files, which its successor goes on from; any other drops them and, under
 * HA, its record says the run failed, so that standbys stop waiting.
 */
export async function abandonRealRun(run: CloudRun, sinks: RealRunSinks, deposed: boolean): Promise<void> {
  if (deposed) {
    sinks.outputs.keep();
    sinks.answers?.keep();
    return;
  }
  sinks.outputs.abandon();
  sinks.answers?.abandon();
  await run.haEnded("failed").catch(() => {});
}

/** The run's workers at its end: a deposed leader lets them go (they are its successor's); any other shuts its pool down. */
export async function releasePool(pool: VmPool, deposed: boolean): Promise<void> {
  if (deposed) pool.letGo?.();
  else await pool.shutdown();
}

/** Remove the partial outputs and answers files left in `dir` by earlier leaders of its run. */
function removePartialOutputs(dir: string): void {
  for (const name of readdirSync(dir))
    if (/^(outputs\.csv|outputs\.csv\.gz|answers\.csv)\.partial-\d+$/.test(name))
      rmSync(join(dir, name), { force: true });
}

/**
 * Write the files of a real run that ended with `summary` (its outputs closed, metrics.csv,
 * summary.json last) and print its summary lines; the failure of a stalled run, or null.
 */
export function finishRealRun(
  run: CloudRun,
  summary: RunSummary,
  spec: RealRunSpec,
  sinks: RealRunSinks,
  environment: RunEnvironment,
  pointLatest: (dir: string) => void,
  takenOver = false,
): Error | null {
  const { dir } = spec;
  sinks.outputs.close();
  sinks.answers?.close();
  // Taken over: the partial outputs files of the leaders before are not needed any more.
  if (takenOver) removePartialOutputs(dir);
  writeFileAtomic(join(dir, RUN_FILES.metrics), run.metricsCsv());
  writeFileAtomic(join(dir, RUN_FILES.summary), summaryJson(summary, environment));
  if (spec.pointLatest) pointLatest(dir);
  const ms = (x: number | null) => (x === null ? "n/a" : `${x} ms`);
  const decisions = run.decisions;
  process.stdout.write(
    `${[
      `${summary.name}, seed ${summary.seed}, ${spec.poolKind} pool: ${summary.simulatedSeconds} s run in ${(summary.wallSeconds ?? 0).toFixed(2)} s wall clock`,
      `tuples in ${summary.tuplesIn}, out ${summary.tuplesOut}`,
      `latency p50 ${ms(summary.latencyMs.p50)}, p99 ${ms(summary.latencyMs.p99)}, max ${ms(summary.latencyMs.max)}`,
      `workers ${summary.vmsMax}, failures ${summary.failures.length} (fault tolerance: ${summary.faultTolerance}), output digest ${summary.outputDigest}`,
      ...summary.recoveries.map(
        (r) =>
          `recovery of ${r.instances.join(" ")}: failed ${r.failedAtMs} ms, detected ${r.detectedAtMs} ms, ` +
          `restored ${r.restoredAtMs ?? "never"}, caught up ${r.caughtUpAtMs ?? "never"}` +
          (r.recoveryMs === null ? "" : ` (recovery ${r.recoveryMs} ms)`),
      ),
      ...(run.hasPolicy
        ? [
            `threshold policy: ${decisions.length} decisions (${decisions.filter((d) => d.blockedBy !== null).length} blocked by the VM budget)` +
              (summary.shedTuples > 0 ? `, ${summary.shedTuples} tuples shed (${summary.shedShare})` : ""),
          ]
        : []),
      ...summary.scaleOuts.map(scalingLine),
      ...(summary.deadlineMet === null
        ? []
        : [`deadline ${summary.deadlineMet ? "met" : "missed"} (latency max ${ms(summary.latencyMs.max)})`]),
      ...runEndLines(summary),
      `files in ${dir}`,
    ].join("\n")}\n`,
  );
  return stalledRunFailure(summary, join(dir, RUN_FILES.summary));
}
