// Chaos campaigns: many runs of one experiment, each with a fault schedule drawn from its
// seed, each compared with the failure-free run of the same seed and strategy. A run
// passes when its sinks received exactly the failure-free output (nothing lost,
// duplicated, wrong or reordered within a (sink, key)) and it finished by itself. It hangs
// when it did not, as its summary says (engine/metrics/runEnd.ts, the notion `seep sim`
// fails on): it stopped at the bound on simulated time (3x the failure-free time plus 2
// minutes, its `untilS`), or stalled with a sink that never ended, the bound on steps
// included.
//
// Under `none` a crash loses output by design: those runs fail, and a campaign's verdict
// is a correctness check of the recovery protocols only under the strategies that recover.
// The simulator cannot import workloads, so the caller says how to build an
// experiment's plan (once per simulation: a plan's sink may keep state).

import type { LogicalPlan } from "../../engine/index.js";
import type { Experiment } from "../experiment.js";
import { Simulation } from "../simulation.js";
import type { SimSummary } from "../summary.js";
import { runsLive } from "../supportedCombinations.js";
import {
  chaosShapeOf,
  describeFaults,
  drawFaultSchedule,
  FAULT_KINDS,
  type FaultKind,
} from "./faultSchedule.js";
import { compareOutputs, OutputLog } from "./outputComparison.js";
import { describeScaling, drawScaling } from "./scalingSchedule.js";

/** A faulty run may take this many times the failure-free simulated time... */
export const HANG_TIME_FACTOR = 3;
/** ...plus this much, before it counts as a hang. */
export const HANG_TIME_MARGIN_S = 120;
/** A faulty run may take this many times the failure-free run's events... */
export const HANG_STEP_FACTOR = 10;
/** ...plus this many, before it counts as a hang. */
export const HANG_STEP_MARGIN = 200_000;

/** Builds the plan of an experiment (its workload, with its parameters and seed). */
export type PlanOf = (experiment: Experiment) => LogicalPlan;

/** The outcome of one chaos run. */
export interface ChaosRun {
  readonly seed: number;
  readonly kind: FaultKind | null;
  /** The fault schedule in a few words. */
  readonly faults: string;
  /** The reconfigurations drawn for the run in a few words (`drawScaling`), or null. */
  readonly scaling: string | null;
  /** VMs that crashed (a crash of a VM not alive then does not count). */
  readonly crashes: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly spurious: number;
  readonly reordered: number;
  /** Why the run did not finish by itself, or null when it did. */
  readonly hang: string | null;
  /** Recovery time of each recovery, ms (null: the output never caught up). */
  readonly recoveriesMs: readonly (number | null)[];
  readonly outputs: number;
  readonly baseOutputs: number;
  readonly simulatedSeconds: number;
  readonly baseSimulatedSeconds: number;
  /** The output digests agree (a cross-check of the record comparison). */
  readonly digestMatches: boolean;
  /** An error a simulation threw, or null. */
  readonly error: string | null;
  readonly passed: boolean;
}

/** What a campaign is asked to do. */
export interface CampaignOptions {
  /** The experiment, strategy included; its own faults are replaced by each run's. */
  readonly experiment: Experiment;
  readonly planOf: PlanOf;
  readonly runs: number;
  /** Run i has seed firstSeed + i. */
  readonly firstSeed: number;
  /** The kinds of fault schedule the seeds rotate through (default: FAULT_KINDS). */
  readonly kinds?: readonly FaultKind[];
  /**
   * Draw each run's scale outs, migrations, scale ins and state transfer from its seed
   * (scalingSchedule.ts) in place of the experiment's scheduled ones.
   */
  readonly drawScaling?: boolean;
  /** Coordinator crashes drawn on top of each run's faults (default: true). */
  readonly coordinatorCrashes?: boolean;
  /** Called after each run. */
  readonly onRun?: (run: ChaosRun, index: number) => void;
}

/** The runs of a campaign and how many failed. */
export interface CampaignResult {
  readonly runs: readonly ChaosRun[];
  readonly failed: number;
}

/** Run a campaign: runs of seeds firstSeed.. in order. */
export function runCampaign(options: CampaignOptions): CampaignResult {
  const runs: ChaosRun[] = [];
  for (let i = 0; i < options.runs; i++) {
    const seed = options.firstSeed + i;
    const run = runChaos(
      options.experiment,
      options.planOf,
      seed,
      options.kinds,
      options.drawScaling,
      options.coordinatorCrashes,
    );
    runs.push(run);
    options.onRun?.(run, i);
  }
  return { runs, failed: runs.filter((r) => !r.passed).length };
}

/**
 * One chaos run of `experiment` with seed `seed`: the failure-free run, then the faulty
 * one. With `drawScaling`, the reconfigurations are drawn first, against the length of a
 * run without any.
 */
export function runChaos(
  experiment: Experiment,
  planOf: PlanOf,
  seed: number,
  kinds: readonly FaultKind[] = FAULT_KINDS,
  drawScaling = false,
  coordinatorCrashes = true,
): ChaosRun {
  let scaling: string | null = null;
  if (drawScaling) {
    try {
      const drawn = drawnScalingOf(experiment, planOf, seed);
      if (drawn !== null) {
        experiment = { ...experiment, scaling: { ...experiment.scaling, ...drawn } };
        scaling = describeScaling(drawn);
      }
    } catch (err) {
      return failedRun(seed, `the run without reconfigurations failed: ${messageOf(err)}`);
    }
  }
  const baseExperiment: Experiment = { ...experiment, seed, faults: [] };
  const baseLog = new OutputLog();
  let base: SimSummary;
  try {
    const sim = new Simulation(baseExperiment, planOf(baseExperiment), baseLog.add);
    base = sim.run();
    if (base.stoppedAtUntil)
      return failedRun(seed, "the failure-free run did not finish by itself (is untilS too short?)", scaling);
    if (base.stalled)
      return failedRun(
        seed,
        `the failure-free run stalled at ${(base.stalledAtS ?? 0).toFixed(1)} s: ${base.sinksNotEnded.join(", ")} never ended (${base.stalledBy})`,
        scaling,
      );
  } catch (err) {
    return failedRun(seed, `the failure-free run failed: ${messageOf(err)}`, scaling);
  }

  const shape = chaosShapeOf(experiment, base.simulatedSeconds * 1000);
  const schedule = drawFaultSchedule(seed, shape, kinds, coordinatorCrashes);
  const faultyExperiment: Experiment = {
    ...baseExperiment,
    faults: [...schedule.faults],
    untilS: HANG_TIME_FACTOR * base.simulatedSeconds + HANG_TIME_MARGIN_S,
    maxSteps: Math.min(experiment.maxSteps, HANG_STEP_FACTOR * base.events + HANG_STEP_MARGIN),
  };
  const untilS = faultyExperiment.untilS as number;
  const log = new OutputLog();
  const sim = new Simulation(faultyExperiment, planOf(faultyExperiment), log.add);
  let summary: SimSummary | null = null;
  let hang: string | null = null;
  let error: string | null = null;
  try {
    summary = sim.run();
    hang = hangOf(summary, untilS, faultyExperiment.maxSteps);
  } catch (err) {
    error = messageOf(err);
  }
  const diff = compareOutputs(baseLog, log);
  const digestMatches = summary !== null && summary.outputDigest === base.outputDigest;
  const clean = diff.lost + diff.duplicated + diff.spurious + diff.reordered === 0;
  return {
    seed,
    kind: schedule.kind,
    faults: describeFaults(schedule.faults),
    scaling,
    crashes: sim.failures.length,
    ...diff,
    hang,
    recoveriesMs: summary?.recoveries.map((r) => r.recoveryMs) ?? [],
    outputs: log.count,
    baseOutputs: baseLog.count,
    simulatedSeconds: summary?.simulatedSeconds ?? sim.env.nowMs() / 1000,
    baseSimulatedSeconds: base.simulatedSeconds,
    digestMatches,
    error,
    passed: error === null && hang === null && clean && digestMatches,
  };
}

/** Why a faulty run did not finish by itself, from its summary; null when it did. */
function hangOf(s: SimSummary, untilS: number, maxSteps: number): string | null {
  if (s.stoppedAtUntil) return `not done by ${Math.round(untilS)} s`;
  if (!s.stalled) return null;
  return s.events >= maxSteps
    ? `over ${maxSteps} steps`
    : `stalled at ${(s.stalledAtS ?? s.simulatedSeconds).toFixed(1)} s`;
}

/** The reconfigurations of run `seed`, drawn against a run of `experiment` without any (null: nothing to scale). */
function drawnScalingOf(experiment: Experiment, planOf: PlanOf, seed: number) {
  const plain: Experiment = {
    ...experiment,
    seed,
    faults: [],
    scaling: { ...experiment.scaling, scaleOuts: [], scaleIns: [] },
  };
  const plan = planOf(plain);
  const summary = new Simulation(plain, plan, () => {}).run();
  return drawScaling(
    seed,
    plan,
    summary.simulatedSeconds * 1000,
    runsLive(experiment.faultTolerance.strategy),
  );
}

/** A run that failed before its faulty simulation could say more: `error` says why. */
export function failedRun(seed: number, error: string, scaling: string | null = null): ChaosRun {
  return {
    seed,
    kind: null,
    faults: "-",
    scaling,
    crashes: 0,
    lost: 0,
    duplicated: 0,
    spurious: 0,
    reordered: 0,
    hang: null,
    recoveriesMs: [],
    outputs: 0,
    baseOutputs: 0,
    simulatedSeconds: 0,
    baseSimulatedSeconds: 0,
    digestMatches: false,
    error,
    passed: false,
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
