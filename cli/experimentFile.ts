// Loading the experiment of `seep sim`, `run` and `chaos`: a .json, .yaml or .yml file or
// a built-in preset, as raw data; then the `--set`, `--seed` and `--until` overrides; then
// the simulator's validation, `seep chaos`'s `--strategy`, the workload's plan and the checks
// between the two, the reconfigurations the strategy does not support yet
// (sim/supportedCombinations.ts), and the workload's size (for the estimate of a long run). Every mistake in the input becomes
// one UserError line that names where it is (the file, with line and column when the
// parser gives them, or the preset). `validateExperiment` is the same from raw data, for
// the fuzz test.

import { readFileSync, statSync } from "node:fs";
import { extname } from "node:path";
import { parseDocument } from "yaml";
import type { FtStrategy, LogicalPlan } from "../engine/index.js";
import {
  checkExperimentPlan,
  type Experiment,
  ExperimentError,
  PRESETS,
  parseExperiment,
  presetNames,
  unsupportedCombination,
} from "../sim/index.js";
import { WorkloadError, type WorkloadSize, workloadNamed } from "../workloads/index.js";
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

/** A validated experiment, its workload's plan and size, and where it came from. */
export interface LoadedExperiment {
  readonly experiment: Experiment;
  readonly plan: LogicalPlan;
  /** How much the workload moves (for the estimate of a long run). */
  readonly size: WorkloadSize;
  /** The file path, or `preset <name>`. */
  readonly where: string;
}

const EXTENSIONS = [".json", ".yaml", ".yml"];

/** The experiment named by `source` (a file or a preset), with `overrides` applied, validated. */
export function loadExperiment(source: string, overrides: ExperimentOverrides): LoadedExperiment {
  const { raw, where } = readRaw(source);
  return validateExperiment(raw, where, overrides);
}

/** Raw experiment data (`where` names it), with `overrides` applied (in place), validated. */
export function validateExperiment(
  raw: unknown,
  where: string,
  overrides: ExperimentOverrides,
): LoadedExperiment {
  // Data that is not an object is left for the validation to refuse, naming `where`.
  if (isRecord(raw)) {
    for (const setting of overrides.settings) applySetting(raw, setting);
    if (overrides.seed !== undefined) raw.seed = overrides.seed;
    if (overrides.untilS !== undefined) raw.untilS = overrides.untilS;
  }
  try {
    const parsed = parseExperiment(raw, where);
    const strategy = overrides.strategy ?? parsed.faultTolerance.strategy;
    const experiment = { ...parsed, faultTolerance: { ...parsed.faultTolerance, strategy } };
    const workload = workloadNamed(experiment.workload.name);
    const plan = workload.plan(experiment.workload.params, experiment.seed);
    checkExperimentPlan(experiment, plan, where);
    const unsupported = unsupportedCombination(experiment);
    if (unsupported !== null) throw new UserError(`${where}: ${unsupported}`);
    return { experiment, plan, size: workload.size(experiment.workload.params), where };
  } catch (err) {
    if (err instanceof ExperimentError) throw new UserError(err.message);
    if (err instanceof WorkloadError) throw new UserError(`${where}: ${err.message}`);
    throw err;
  }
}

/** Raw data of the file or preset `source`, and how to name it in errors. */
function readRaw(source: string): { raw: unknown; where: string } {
  if (isFile(source)) return { raw: parseFile(source), where: source };
  if (Object.hasOwn(PRESETS, source)) {
    return { raw: structuredClone(PRESETS[source]), where: `preset ${source}` };
  }
  throw new UserError(
    `'${source}' is neither an experiment file nor a preset (presets: ${presetNames().join(", ")})`,
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
