// Loading the experiment of `seep sim`, `run`, `chaos` and `sweep`: a .json, .yaml or .yml
// file, a built-in preset, or a job module (`seep sim ./jobs/topk.ts`: the job with every
// other setting at its default), as raw data; then the `--set`, `--seed` and `--until`
// overrides; then the simulator's validation, `seep chaos`'s `--strategy`, the job (a
// built-in one by `workload.name`, or the module `workload.module` names, relative to the
// experiment file: workloads/jobModule.ts), its parameters resolved by its schema, its plan
// and the checks between experiment and plan, the reconfigurations the strategy does not
// support yet (sim/supportedCombinations.ts), and the job's size (for the estimate of a
// long run). Every mistake in the input becomes one UserError line that names where it is
// (the file, with line and column when the parser gives them, the preset, or the job
// module). `validateExperiment` is the same from raw data, for the fuzz test.

import { readFileSync, statSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { parseDocument } from "yaml";
import {
  type FtStrategy,
  type Job,
  JobError,
  jobParams,
  jobPlan,
  jobSize,
  type LogicalPlan,
  type WorkloadSize,
} from "../engine/index.js";
import {
  checkExperimentPlan,
  type Experiment,
  ExperimentError,
  moduleStem,
  PRESETS,
  parseExperiment,
  presetNames,
  unsupportedCombination,
} from "../sim/index.js";
import {
  BUILTIN_JOBS,
  isJobModulePath,
  jobModulePath,
  loadJobModule,
  workloadNamed,
} from "../workloads/index.js";
import { UserError } from "./errors.js";
import { applySetting, type Setting } from "./settings.js";

/** What the command line changes in an experiment before it is validated. */
export interface ExperimentOverrides {
  readonly settings: readonly Setting[];
  readonly seed?: number;
  readonly untilS?: number;
  /** The fault-tolerance strategy, over the experiment's (`seep chaos --strategy`). */
  readonly strategy?: FtStrategy;
}

/** A validated experiment, its job, the job's plan and size, and where it came from. */
export interface LoadedExperiment {
  /** The experiment, its workload resolved: the job's name, the module's absolute path, every parameter. */
  readonly experiment: Experiment;
  readonly job: Job;
  readonly plan: LogicalPlan;
  /** How much the job moves (for the estimate of a long run), or null when the job does not say. */
  readonly size: WorkloadSize | null;
  /** The file path, `preset <name>` or `job module <path>`. */
  readonly where: string;
}

const EXTENSIONS = [".json", ".yaml", ".yml"];

/** The experiment named by `source` (a file, a preset or a job module), with `overrides` applied, validated. */
export async function loadExperiment(
  source: string,
  overrides: ExperimentOverrides,
): Promise<LoadedExperiment> {
  const { raw, where, baseDir } = readRaw(source);
  return validateExperiment(raw, where, overrides, baseDir);
}

/**
 * Raw experiment data (`where` names it), with `overrides` applied (in place), validated;
 * a job module it names is found from `baseDir` (the experiment file's directory).
 */
export async function validateExperiment(
  raw: unknown,
  where: string,
  overrides: ExperimentOverrides,
  baseDir: string = process.cwd(),
): Promise<LoadedExperiment> {
  const named = applyOverrides(raw, overrides);
  const parsed = asUserError(where, () => parseExperiment(raw, where));
  const job = await jobOf(parsed.workload, baseDir).catch((err: unknown) => {
    throw userErrorOf(err, where);
  });
  return asUserError(where, () => completed(parsed, named, job, overrides, where));
}

/**
 * `loadExperiment` for an experiment whose job is built in (a preset, or a file naming
 * `workload.name`), without waiting: a job module needs an import, which `loadExperiment` makes.
 */
export function loadBuiltinExperiment(source: string, overrides: ExperimentOverrides): LoadedExperiment {
  const { raw, where } = readRaw(source);
  const named = applyOverrides(raw, overrides);
  return asUserError(where, () => {
    const parsed = parseExperiment(raw, where);
    if (parsed.workload.module !== undefined)
      throw new UserError(
        `${where}: names a job module (${parsed.workload.module}): load it with loadExperiment`,
      );
    return completed(parsed, named, { job: workloadNamed(parsed.workload.name) }, overrides, where);
  });
}

/** Apply `overrides` to raw data (in place); says whether the data names the run. */
function applyOverrides(raw: unknown, overrides: ExperimentOverrides): boolean {
  // Data that is not an object is left for the validation to refuse, naming `where`.
  if (!isRecord(raw)) return false;
  for (const setting of overrides.settings) applySetting(raw, setting);
  if (overrides.seed !== undefined) raw.seed = overrides.seed;
  if (overrides.untilS !== undefined) raw.untilS = overrides.untilS;
  return raw.name !== undefined;
}

/** The experiment with its job: parameters resolved, strategy overridden, plan built and checked. */
function completed(
  parsed: Experiment,
  named: boolean,
  { job, module }: JobOf,
  overrides: ExperimentOverrides,
  where: string,
): LoadedExperiment {
  const params = jobParams(job, parsed.workload.params) as Record<string, unknown>;
  const experiment: Experiment = {
    ...parsed,
    // A job module's run is named after its job unless the experiment names it.
    name: named || module === undefined ? parsed.name : job.name,
    workload: { name: job.name, ...(module === undefined ? {} : { module }), params },
    faultTolerance: {
      ...parsed.faultTolerance,
      strategy: overrides.strategy ?? parsed.faultTolerance.strategy,
    },
  };
  const plan = jobPlan(job, params, experiment.seed);
  checkExperimentPlan(experiment, plan, where);
  const unsupported = unsupportedCombination(experiment);
  if (unsupported !== null) throw new UserError(`${where}: ${unsupported}`);
  return { experiment, job, plan, size: jobSize(job, params), where };
}

/** `action`, with the experiment's and the job's errors as one UserError line naming `where`. */
function asUserError<T>(where: string, action: () => T): T {
  try {
    return action();
  } catch (err) {
    throw userErrorOf(err, where);
  }
}

/** The experiment's and the job's errors as one UserError line naming `where`; others as they are. */
function userErrorOf(err: unknown, where: string): unknown {
  if (err instanceof ExperimentError) return new UserError(err.message);
  // The loader's errors name the module; a job module alone is `where` already.
  if (err instanceof JobError)
    return new UserError(err.message.startsWith(where) ? err.message : `${where}: ${err.message}`);
  return err;
}

/** A job, and the absolute path of its module (absent for a built-in job). */
interface JobOf {
  readonly job: Job;
  readonly module?: string;
}

/** The job an experiment's workload names, and the absolute path of its module (absent for a built-in job). */
async function jobOf(workload: Experiment["workload"], baseDir: string): Promise<JobOf> {
  if (workload.module === undefined) return { job: workloadNamed(workload.name) };
  const module = jobModulePath(workload.module, baseDir);
  const job = await loadJobModule(module, workload.module);
  // Workers know jobs by name (a run deploys the name): a module's job may not take a built-in one's.
  if (Object.hasOwn(BUILTIN_JOBS, job.name))
    throw new JobError(
      `job module ${workload.module}: its job is named "${job.name}", the name of a built-in job; name it otherwise`,
    );
  // parseExperiment names a module's job after its file until it is loaded; a name given beside it must agree.
  if (workload.name !== moduleStem(workload.module) && workload.name !== job.name) {
    throw new JobError(
      `workload.name "${workload.name}" is not the name of the job in ${workload.module} ("${job.name}"); ` +
        "leave workload.name out",
    );
  }
  return { job, module };
}

/** Raw data of the file, preset or job module `source`, how to name it in errors, and where its module paths start. */
function readRaw(source: string): { raw: unknown; where: string; baseDir: string } {
  if (isJobModulePath(source)) {
    // A job module alone: its job, every other setting at its default.
    return { raw: { workload: { module: source } }, where: `job module ${source}`, baseDir: process.cwd() };
  }
  if (isFile(source)) return { raw: parseFile(source), where: source, baseDir: dirname(resolve(source)) };
  if (Object.hasOwn(PRESETS, source)) {
    return { raw: structuredClone(PRESETS[source]), where: `preset ${source}`, baseDir: process.cwd() };
  }
  throw new UserError(
    `'${source}' is neither an experiment file, a job module nor a preset (presets: ${presetNames().join(", ")})`,
  );
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false; // absent or unreadable: maybe a preset; reported below if not
  }
}

function parseFile(path: string): unknown {
  const ext = extname(path).toLowerCase();
  if (!EXTENSIONS.includes(ext)) {
    throw new UserError(`${path}: an experiment file must end in ${EXTENSIONS.join(", ")}`);
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new UserError(`${path}: cannot read: ${(err as Error).message}`);
  }
  return ext === ".json" ? parseJson(path, text) : parseYaml(path, text);
}

function parseJson(path: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8 gives a position for some errors and quotes the text for others: keep the
    // reason, turn the position into a line and column, and drop the quoted text.
    const message = (err as Error).message;
    const reason = message
      .replace(/ in JSON at position \d+.*$/s, "")
      .replace(/, ".*" is not valid JSON$/s, "");
    const position = /at position (\d+)/.exec(message);
    const at = position === null ? "" : ` at ${lineAndColumn(text, Number(position[1]))}`;
    throw new UserError(`${path}: invalid JSON${at}: ${reason}`);
  }
}

function parseYaml(path: string, text: string): unknown {
  // Warnings (an unresolved tag, say) are refused like errors: a file that needs one
  // does not say clearly what it means.
  const doc = parseDocument(text, { prettyErrors: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem !== undefined) {
    const reason = problem.message.split("\n")[0].replace(/:$/, "");
    throw new UserError(`${path}: invalid YAML: ${reason}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new UserError(`${path}: invalid YAML: ${(err as Error).message}`);
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return `line ${line}, column ${column}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
