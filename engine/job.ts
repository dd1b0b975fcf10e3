// A job: a user's query as a module the CLI, the simulator, the workers and a sweep all
// load the same way. A job module exports `workload` (or a default export) made with
// `defineJob`: a name, a zod schema of its parameters (every default in the schema, so
// that the parameters a run used can be written out whole), and `plan(params, seed)`,
// which builds the logical plan with the engine's QueryBuilder, windows, aggregates and
// operators. `size(params)` is optional: how much a run moves, for the CLI's estimate of
// a long run. The built-in workloads (workloads/) are job modules of this same kind.
//
// Contract:
// - `params` parses the experiment's `workload.params`; what it returns is the resolved
//   parameters, which parse again to themselves (the run's experiment.json holds them).
// - `plan` is called once per run (and once per worker of a real run) with the resolved
//   parameters and the run's seed; it must be deterministic in them: every worker builds
//   the same plan. A throw in `plan` is reported as the job's, in one line.
// - A parameter check between several parameters throws JobError from `plan` or `size`
//   (or is a zod refinement), with a message naming the parameters.

import type { z } from "zod";
import type { LogicalPlan } from "./queryPlan.js";
import { describeIssue } from "./schemaRanges.js";

/** How much a run of a job moves: what an estimate of a run's work starts from. */
export interface WorkloadSize {
  /** Tuples the sources emit, all together. */
  readonly sourceTuples: number;
  /** Event time from the stream's start to its last tuple, ms. */
  readonly streamMs: number;
  /** Event times are multiples of this, ms (Linear Road's whole seconds: 1000); 0: any time. */
  readonly eventTimeStepMs: number;
  /**
   * Tuples the operators and sinks take in, all together (one source tuple is several),
   * each counted as the visits of a light operator (a count) it costs as much as.
   */
  readonly tupleVisits: number;
}

/** What is wrong with a job or its parameters: one line, naming the job and the cause. */
export class JobError extends Error {
  override readonly name = "JobError";
}

/** What a job module defines; `P` is its parameters as the schema gives them out. */
export interface JobDefinition<P> {
  /** A short name (letters, digits, `-`, `_`, `.`): it names the job in errors, summaries and on workers. */
  readonly name: string;
  /** One line on what the job computes. */
  readonly description?: string;
  /** The parameters: a zod schema, with the defaults in it. */
  readonly params: z.ZodType<P, unknown>;
  /** The logical plan of a run with these parameters and this seed. */
  plan(params: P, seed: number): LogicalPlan;
  /** How much a run with these parameters moves (optional; without it the CLI cannot estimate a run). */
  size?(params: P): WorkloadSize;
}

/** A job, as `defineJob` makes it: its definition, marked so that a loader can tell it. */
export interface Job<P = unknown> extends JobDefinition<P> {
  readonly kind: typeof JOB_KIND;
}

/** The mark of a job object. */
export const JOB_KIND = "seep-job";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * A job from its definition; throws JobError when the definition itself is malformed. Its
 * `plan` and `size` resolve what they are given through the schema first (resolved
 * parameters parse to themselves), so that a caller handing them raw parameters (`{}`, a
 * file's) gets the defaults, never a plan built from missing values.
 */
export function defineJob<P>(definition: JobDefinition<P>): Job<P> {
  const problem = definitionProblem(definition);
  if (problem !== null) throw new JobError(`defineJob: ${problem}`);
  const { plan, size } = definition;
  return Object.freeze({
    ...definition,
    kind: JOB_KIND,
    plan: (params: P, seed: number) => plan.call(definition, jobParams(definition, params), seed),
    ...(size === undefined
      ? {}
      : { size: (params: P) => size.call(definition, jobParams(definition, params)) }),
  });
}

/** Why `value` is not a job (made by defineJob or of the same shape), or null when it is one. */
export function jobProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null)
    return `is ${value === null ? "null" : typeof value}, not a job`;
  return definitionProblem(value as Partial<JobDefinition<unknown>>);
}

function definitionProblem(d: Partial<JobDefinition<unknown>>): string | null {
  if (typeof d.name !== "string" || !NAME.test(d.name))
    return "name must be 1 to 100 letters, digits, '.', '-' or '_', starting with a letter or digit";
  const params = d.params as { safeParse?: unknown } | undefined;
  if (typeof params !== "object" || params === null || typeof params.safeParse !== "function")
    return `job "${d.name}": params must be a zod schema (z.object({...}))`;
  if (typeof d.plan !== "function")
    return `job "${d.name}": plan must be a function (params, seed) => LogicalPlan`;
  if (d.size !== undefined && typeof d.size !== "function") return `job "${d.name}": size must be a function`;
  if (d.description !== undefined && typeof d.description !== "string")
    return `job "${d.name}": description must be a string`;
  return null;
}

/** The parameters `raw` resolved by the job's schema; throws JobError naming the parameter. */
export function jobParams<P>(job: JobDefinition<P>, raw: unknown): P {
  const r = job.params.safeParse(raw ?? {}, { reportInput: true });
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new JobError(
    `workload "${job.name}": ${describeIssue({ ...issue, path: ["params", ...issue.path] }, "params")}`,
  );
}

/** The plan of a run of `job` with the raw parameters `raw` and seed `seed`; throws JobError. */
export function jobPlan<P>(job: JobDefinition<P>, raw: unknown, seed: number): LogicalPlan {
  const params = jobParams(job, raw);
  return guarded(job, "plan", () => job.plan(params, seed));
}

/** The size of a run of `job` with the raw parameters `raw`, or null when the job does not say; throws JobError. */
export function jobSize<P>(job: JobDefinition<P>, raw: unknown): WorkloadSize | null {
  const params = jobParams(job, raw);
  const size = job.size;
  if (size === undefined) return null;
  return guarded(job, "size", () => size.call(job, params));
}

/** `action`, with what it throws as one JobError line naming the job (a JobError passes as is). */
function guarded<T>(job: JobDefinition<unknown>, what: string, action: () => T): T {
  try {
    return action();
  } catch (err) {
    if (err instanceof JobError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new JobError(`workload "${job.name}": ${what} threw: ${firstLine(message)}`);
  }
}

function firstLine(text: string): string {
  const line = text.split("\n")[0].trim();
  return line === "" ? "(no message)" : line;
}
