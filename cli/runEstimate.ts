// How much work a run asks for, estimated before it starts, so that a legal experiment
// that would take hours (a huge stream, a tiny poll period, a per-millisecond metric)
// says so at once instead of going silent. The simulator's work is its kernel's events
// (source polls, and per batch a delivery and a task on every hop; metric, report and
// checkpoint timers) plus the tuples its operators take in; both are counted here from
// the job's size (engine/job.ts), the plan's shape and the fidelity knobs.
// A real run's length is its stream's event time over the replay speed.
//
// Above LONG_RUN_WORK (simulations) or LONG_RUN_S (real runs) a command prints the
// estimate and refuses unless `--yes` is given, or asks on an interactive terminal. The
// estimate is rough (within a few times either way): the point is to tell minutes from
// days, not to predict the wall clock.

import { createInterface } from "node:readline/promises";
import type { LogicalPlan, WorkloadSize } from "../engine/index.js";
import type { Experiment } from "../sim/index.js";
import { UserError } from "./errors.js";

/** Simulation work above which a command asks first: events plus tuple visits (about 10 minutes). */
export const LONG_RUN_WORK = 6e8;

/** Wall-clock length of a real run above which a command asks first: an hour. */
export const LONG_RUN_S = 3_600;

/**
 * Work the simulator does per wall-clock second on one core of an ordinary machine
 * (measured with `seep sim` on the presets, events and tuple visits alike: a kernel event
 * costs about as much as a few tuples through a light operator). Used only to put the
 * estimate in hours, never to decide.
 */
const WORK_PER_S = 1e6;

/** Kernel events a checkpoint of one instance takes (take, transfer, store, acknowledge). */
const EVENTS_PER_CHECKPOINT = 4;

/** What a simulated run will do, roughly. */
export interface SimulationEstimate {
  /** Kernel events: polls, batch deliveries and tasks, timers. */
  readonly events: number;
  /** Tuples taken in by operators and sinks. */
  readonly tupleVisits: number;
  /** Virtual time the run covers, ms. */
  readonly runMs: number;
}

/** The work of simulating `experiment` on `plan`, given the workload's `size`. */
export function estimateSimulation(e: Experiment, plan: LogicalPlan, size: WorkloadSize): SimulationEstimate {
  const f = e.fidelity;
  const streamEndMs = size.streamMs + f.eventTimeOffsetMs;
  const untilMs = e.untilS === undefined ? Number.POSITIVE_INFINITY : e.untilS * 1000;
  const runMs = Math.min(streamEndMs, untilMs);
  // The share of the stream the run gets through (all of it, unless untilS cuts it short).
  const share =
    runMs >= streamEndMs
      ? 1
      : size.streamMs <= 0
        ? 0
        : Math.max(0, runMs - f.eventTimeOffsetMs) / size.streamMs;
  const sampled = (n: number) => (n * share) / f.sampleOneIn;
  const sources = plan.operators.filter((o) => o.kind === "source");
  const sourceInstances = sources.reduce((n, o) => n + o.parallelism, 0);
  // Polls go on until the stream's end; a poll that finds tuples (at most one per step of
  // event time) sends a batch down every hop. A source behind its stream (more than a
  // batch per poll) polls once per batch.
  const pollsPerSource = runMs / f.sourcePollMs + 1;
  const tuplesPerSource = sampled(size.sourceTuples) / Math.max(1, sourceInstances);
  const steps = size.eventTimeStepMs > 0 ? runMs / size.eventTimeStepMs + 1 : Number.POSITIVE_INFINITY;
  const roundsPerSource = Math.max(
    Math.min(pollsPerSource, tuplesPerSource, steps),
    tuplesPerSource / f.batchSize,
  );
  const polls = sourceInstances * Math.max(pollsPerSource, roundsPerSource);
  const rounds = sourceInstances * roundsPerSource;
  const instances = plan.operators.reduce((n, o) => n + o.parallelism, 0);
  const checkpointing = e.faultTolerance.strategy === "none" ? 0 : instances * EVENTS_PER_CHECKPOINT;
  const timers =
    runMs / e.metricsIntervalMs +
    (e.scaling.policy === "none" ? 0 : (instances * runMs) / e.scaling.reportIntervalMs) +
    (checkpointing * runMs) / e.faultTolerance.checkpointIntervalMs;
  return {
    events: polls + rounds * 2 * batchesPerRound(plan) + timers,
    tupleVisits: sampled(size.tupleVisits),
    runMs,
  };
}

/**
 * Batches one round (one source instance's poll) sends over every edge of the plan: each
 * instance reached sends one batch to each instance downstream (one, on a forward edge).
 */
function batchesPerRound(plan: LogicalPlan): number {
  const reached = new Map<number, number>();
  for (const o of plan.operators) if (o.kind === "source") reached.set(o.id, 1);
  let batches = 0;
  // Operators are added to a plan after their inputs, so edges in order of `from` suffice.
  for (const edge of [...plan.edges].sort((a, b) => a.from - b.from)) {
    const from = reached.get(edge.from) ?? 0;
    const to = plan.operators[edge.to];
    const sent = edge.contract === "forward" ? from : from * to.parallelism;
    batches += sent;
    reached.set(to.id, Math.min(to.parallelism, (reached.get(to.id) ?? 0) + sent));
  }
  return batches;
}

/** Wall-clock seconds of a real run: its stream's event time over the replay speed, or untilS. */
export function realRunSeconds(e: Experiment, size: WorkloadSize): number {
  const streamS = (size.streamMs + e.fidelity.eventTimeOffsetMs) / 1000 / e.fidelity.replaySpeed;
  return Math.min(streamS, e.untilS ?? Number.POSITIVE_INFINITY);
}

/** The work of an estimate, events and tuple visits together. */
export function simulationWork(estimate: SimulationEstimate): number {
  return estimate.events + estimate.tupleVisits;
}

/** `3.2e9 simulated events and 1.1e10 tuple visits (about 4 hours)`: an estimate for a person. */
export function describeSimulation(estimate: SimulationEstimate, runs = 1): string {
  const work = simulationWork(estimate) * runs;
  const each = runs === 1 ? "" : ` per simulation, ${runs} simulations`;
  return (
    `about ${count(estimate.events)} simulated events and ${count(estimate.tupleVisits)} tuple visits${each} ` +
    `(${duration(work / WORK_PER_S)}, at a million a second)`
  );
}

/** How to go on when a run is long: `yes` (the user said so), or ask on a terminal. */
export interface LongRunConsent {
  readonly yes: boolean;
  /** Ask the user and resolve to their answer; absent: not a terminal, refuse. */
  readonly ask?: (question: string) => Promise<boolean>;
}

/**
 * Go on with a simulation of `estimate` (times `runs`), or refuse in one line when its work
 * is above LONG_RUN_WORK and neither `--yes` nor the user's answer says to go on.
 */
export async function confirmSimulation(
  what: string,
  estimate: SimulationEstimate,
  consent: LongRunConsent,
  runs = 1,
): Promise<void> {
  if (simulationWork(estimate) * runs <= LONG_RUN_WORK || consent.yes) return;
  await refuseOrAsk(`${what} is long: ${describeSimulation(estimate, runs)}`, SHORTEN_EXPERIMENT, consent);
}

/** Go on with a real run of `runS` wall-clock seconds, or refuse above LONG_RUN_S (see confirmSimulation). */
export async function confirmRealRun(what: string, runS: number, consent: LongRunConsent): Promise<void> {
  if (runS <= LONG_RUN_S || consent.yes) return;
  await refuseOrAsk(
    `${what} is long: about ${duration(runS)} of wall-clock time`,
    "untilS, the workload's size, fidelity.replaySpeed",
    consent,
  );
}

/**
 * Go on with writing `records` lines of about `lineBytes` each (one unit of work per
 * line), or refuse above LONG_RUN_WORK (see confirmSimulation); `shorten` says how.
 */
export async function confirmRecords(
  what: string,
  records: number,
  lineBytes: number,
  shorten: string,
  consent: LongRunConsent,
): Promise<void> {
  if (records <= LONG_RUN_WORK || consent.yes) return;
  const gigabytes = (records * lineBytes) / 1e9;
  await refuseOrAsk(
    `${what} is long: about ${count(records)} records, ${gigabytes.toFixed(0)} GB ` +
      `(${duration(records / WORK_PER_S)}, at a million a second)`,
    shorten,
    consent,
  );
}

/** How a too long simulation is shortened. */
const SHORTEN_EXPERIMENT = "untilS, the workload's size, fidelity";

async function refuseOrAsk(problem: string, shorten: string, consent: LongRunConsent): Promise<void> {
  if (consent.ask !== undefined && (await consent.ask(`seep: ${problem}; go on? [y/N] `))) return;
  throw new UserError(`${problem}; --yes runs it anyway (or shorten it: ${shorten})`);
}

/** A question asked on the terminal (stdin and stderr), when both are one; else undefined. */
export function terminalQuestion(): ((question: string) => Promise<boolean>) | undefined {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await rl.question(question)).trim());
    } finally {
      rl.close();
    }
  };
}

/** `3.2e9`, `250000`: a count as the estimate prints it. */
function count(n: number): string {
  return n < 1e6 ? String(Math.round(n)) : n.toExponential(1).replace("e+", "e");
}

/** `40 s`, `25 min`, `3.5 hours`, `12 days`: a length of time as a person reads it. */
function duration(s: number): string {
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7_200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3_600).toFixed(1)} hours`;
  return `${Math.round(s / 86_400)} days`;
}
