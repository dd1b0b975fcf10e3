// Parsers for command-line option values. Each throws a UserError that names the flag
// and the bad value, so every command reports bad input the same way; the option
// builders also record the default, which commander then shows in `--help`.

import { Option } from "commander";
import { UserError } from "./errors.js";

/** Bounds on an integer option, inclusive. */
export interface IntegerBounds {
  readonly min?: number;
  readonly max?: number;
}

/** `value` of `flag` as a safe integer within `bounds`. */
export function parseInteger(flag: string, value: string, bounds: IntegerBounds = {}): number {
  const n = /^[+-]?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  const min = bounds.min ?? Number.MIN_SAFE_INTEGER;
  const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UserError(`${flag} expects an integer${describeBounds(min, max)}, got '${value}'`);
  }
  return n;
}

/** `value` of `flag` as a finite number greater than 0 and at most `max`. */
export function parsePositiveNumber(flag: string, value: string, max = Number.MAX_VALUE): number {
  const n = value.trim() === "" ? Number.NaN : Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > max) {
    const range = max === Number.MAX_VALUE ? "> 0" : `> 0 and <= ${max}`;
    throw new UserError(`${flag} expects a number ${range}, got '${value}'`);
  }
  return n;
}

/** `value` of `flag` as a comma-separated list of non-empty names. */
export function parseList(flag: string, value: string): string[] {
  const names = value.split(",").map((s) => s.trim());
  if (names.some((s) => s === "")) {
    throw new UserError(`${flag} expects comma-separated names, got '${value}'`);
  }
  return names;
}

/** An integer option with a default, checked against `bounds`. */
export function integerOption(
  flags: string,
  description: string,
  defaultValue: number,
  bounds: IntegerBounds = {},
): Option {
  const option = new Option(flags, description).default(defaultValue);
  return option.argParser((value: string) => parseInteger(flagOf(option), value, bounds));
}

/** A positive-number option with a default, at most `max`. */
export function positiveNumberOption(
  flags: string,
  description: string,
  defaultValue: number,
  max = Number.MAX_VALUE,
): Option {
  const option = new Option(flags, description).default(defaultValue);
  return option.argParser((value: string) => parsePositiveNumber(flagOf(option), value, max));
}

/** A comma-separated list option; `defaultDescription` says what leaving it out means. */
export function listOption(flags: string, description: string, defaultDescription: string): Option {
  const option = new Option(flags, `${description} (default: ${defaultDescription})`);
  return option.argParser((value: string) => parseList(flagOf(option), value));
}

/** The built-in presets an `<experiment>` argument may name (sim/presets.ts; a test checks the list). */
export const PRESET_NAMES = ["wordcount", "lrb", "lrb-scaleout", "lrb-scaleout-crashes", "packets"] as const;

/** What the `<experiment>` argument of sim, run and chaos takes. */
export const EXPERIMENT_ARGUMENT = `an experiment file (.json, .yaml or .yml) or a built-in preset: ${PRESET_NAMES.join(", ")}`;

/** The seed an experiment has when its file sets none (sim/experiment.ts; a test checks it). */
export const EXPERIMENT_DEFAULT_SEED = 1;

/** The VMs an experiment's cluster has when its file sets none (sim/experiment.ts; a test checks it). */
export const EXPERIMENT_DEFAULT_VMS = 4;

/** `--seed <n>`, an override of the experiment's seed: `description` says what it seeds. */
export function experimentSeedOption(description: string): Option {
  return new Option(
    "--seed <n>",
    `${description} (default: the experiment's seed, else ${EXPERIMENT_DEFAULT_SEED})`,
  ).argParser((v: string) => parseInteger("--seed", v, { min: 0 }));
}

/** `--quiet`: no progress display on stderr (progress is shown only when stderr is a terminal). */
export function quietOption(): Option {
  return new Option("--quiet", "no progress display on stderr").default(false);
}

/** The forms the sinks' outputs are written in (cli/outputsCsv.ts). */
export const OUTPUTS_FORMATS = ["csv", "csv.gz", "none"] as const;

/** `--outputs`: outputs.csv as is, gzipped, or not written. */
export function outputsOption(): Option {
  return new Option(
    "--outputs <format>",
    "the sinks' outputs: csv (outputs.csv), csv.gz (gzipped, about a tenth of the size), or none " +
      "(the summary's output digest still covers them)",
  )
    .choices(OUTPUTS_FORMATS)
    .default("csv");
}

/** `--force`: overwrite what the command writes when it exists already; `what` names it. */
export function forceOption(what: string): Option {
  return new Option(
    "--force",
    `overwrite ${what} if it exists (without it, an existing one is refused)`,
  ).default(false);
}

/** `--yes`: run even when the estimate says the run is long (cli/runEstimate.ts). */
export function yesOption(): Option {
  return new Option(
    "--yes",
    "run even when it is estimated to take long (without it: refused, or asked on a terminal)",
  ).default(false);
}

/** Latest time an experiment or a flag names, ms: 20 days (sim/faults.ts's TIME_MS_MAX; a test checks it). */
export const TIME_MS_MAX = 1_728_000_000;

/** Longest `--until` of a simulated or real run, s: TIME_MS_MAX in seconds. */
export const UNTIL_S_MAX = TIME_MS_MAX / 1000;

/** Key groups of an operator, so the most instances it has (engine/keyGroups.ts; a test checks it). */
export const KEY_GROUPS = 128;

function flagOf(option: Option): string {
  return option.long ?? option.short ?? option.flags;
}

function describeBounds(min: number, max: number): string {
  const hasMin = min > Number.MIN_SAFE_INTEGER;
  const hasMax = max < Number.MAX_SAFE_INTEGER;
  if (hasMin && hasMax) return ` from ${min} to ${max}`;
  if (hasMin) return ` >= ${min}`;
  if (hasMax) return ` <= ${max}`;
  return "";
}
